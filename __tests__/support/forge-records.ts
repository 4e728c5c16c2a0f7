// What someone who may push any ref but the default branch can do to the records: fetch the
// ref, change its files, and force-push it back, with plain git as they would.
import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileUrl, git, makeTempDir } from './repo.js'

const REF = 'refs/docker-size-check/records'

/** The store's files at the origin's tip, by path. */
export async function storedFiles(origin: string): Promise<Map<string, string>> {
  const listing = await git(origin, ['ls-tree', '-r', '--name-only', `${REF}^{tree}`])
  const files = new Map<string, string>()
  for (const path of listing.split('\n').filter(Boolean)) files.set(path, await git(origin, ['show', `${REF}:${path}`]))
  return files
}

/** Rewrites the origin's records ref with `change` applied to its files, by force-push. */
export async function forceRewriteRecords(origin: string, change: (files: Map<string, string>) => void): Promise<void> {
  const files = await storedFiles(origin)
  change(files)
  const clone = await makeTempDir('forger')
  await git(clone, ['init', '--quiet'])
  const index = join(clone, 'forged-index')
  const env = { ...process.env, GIT_INDEX_FILE: index }
  const lines: string[] = []
  for (const [path, text] of files) {
    const file = join(clone, 'blob')
    await writeFile(file, text)
    const blob = execFileSync('git', ['hash-object', '-w', file], { cwd: clone, encoding: 'utf8' }).trim()
    lines.push(`100644 ${blob}\t${path}`)
  }
  execFileSync('git', ['update-index', '--add', '--index-info'], { cwd: clone, env, input: `${lines.join('\n')}\n` })
  const tree = execFileSync('git', ['write-tree'], { cwd: clone, env, encoding: 'utf8' }).trim()
  const commit = execFileSync('git', ['commit-tree', tree, '-m', 'forged'], {
    cwd: clone,
    encoding: 'utf8',
    env: { ...env, GIT_AUTHOR_NAME: 'f', GIT_AUTHOR_EMAIL: 'f@x', GIT_COMMITTER_NAME: 'f', GIT_COMMITTER_EMAIL: 'f@x' }
  }).trim()
  await git(clone, ['push', '--quiet', '--force', fileUrl(origin), `${commit}:${REF}`])
}

/** `json` with each `sizes`/`measurement.size` of the image `key` set to `bytes`. */
export function withSize(json: string, key: string, bytes: number): string {
  const value = JSON.parse(json) as {
    images?: Array<{ key: string; measurement: { size: number } }>
    records?: Array<{ sizes: Record<string, number> }>
  }
  for (const image of value.images ?? []) if (image.key === key) image.measurement.size = bytes
  for (const entry of value.records ?? []) if (entry.sizes[key] !== undefined) entry.sizes[key] = bytes
  return `${JSON.stringify(value, null, 1)}\n`
}
