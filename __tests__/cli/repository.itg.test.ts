// How the command finds its two sides in a real repository, and what the working tree changes.
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { UsageError } from '../../src/cli/args.js'
import { repositoryRoot, resolveLocalRevisions, workingTreeChanges } from '../../src/cli/repository.js'
import { Git } from '../../src/tools/git.js'
import { cleanupTempDirs, commitFiles, fileUrl, git, makeRepo, makeTempDir } from '../support/repo.js'

afterAll(async () => {
  await cleanupTempDirs()
})

async function usageError(work: Promise<unknown>): Promise<string> {
  try {
    await work
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error('no error')
}

describe('resolveLocalRevisions', () => {
  it("takes the clone's default branch as the base, the remote-tracking one first", async () => {
    const upstream = await makeRepo({ branch: 'trunk' })
    const forkPoint = await commitFiles(upstream, { 'a.txt': '1\n' }, 'one')
    const clone = await makeTempDir('clone')
    await git(clone, ['clone', '--quiet', fileUrl(upstream), '.'])
    await git(clone, ['config', 'user.name', 'T'])
    await git(clone, ['config', 'user.email', 't@example.test'])
    await git(clone, ['checkout', '--quiet', '-b', 'feature'])
    const head = await commitFiles(clone, { 'b.txt': '2\n' }, 'two')
    // A local main that means nothing here must not win over origin/HEAD.
    await git(clone, ['branch', 'main', head])
    const revisions = await resolveLocalRevisions(new Git(clone), { base: null, head: null })
    expect(revisions).toMatchObject({ baseSha: forkPoint, headSha: head, baseName: 'origin/trunk' })
    expect(revisions.headUncommitted).toBeUndefined()
    expect(revisions.headName).toBe(`the working tree (${head.slice(0, 7)})`)
  })

  it('falls back to master, and says what to do when there is no base at all', async () => {
    const repo = await makeRepo({ branch: 'master' })
    const base = await commitFiles(repo, { 'a.txt': '1\n' }, 'one')
    await git(repo, ['checkout', '--quiet', '-b', 'feature'])
    await commitFiles(repo, { 'a.txt': '2\n' }, 'two')
    expect(await resolveLocalRevisions(new Git(repo), { base: null, head: null })).toMatchObject({
      baseSha: base,
      baseName: 'master'
    })
    await git(repo, ['branch', '--quiet', '-m', 'master', 'develop'])
    expect(await usageError(resolveLocalRevisions(new Git(repo), { base: null, head: null }))).toContain(
      'No base to compare with: no remote default branch, no main and no master here. Name one with --base'
    )
  })

  it('reads --head and --base as git does (HEAD~1, short SHAs), and notes a dirty tree', async () => {
    const repo = await makeRepo()
    const first = await commitFiles(repo, { 'a.txt': '1\n' }, 'one')
    const second = await commitFiles(repo, { 'a.txt': '2\n' }, 'two')
    await commitFiles(repo, { 'a.txt': '3\n' }, 'three')
    const named = await resolveLocalRevisions(new Git(repo), { base: first.slice(0, 8), head: 'HEAD~1' })
    expect(named).toMatchObject({ baseSha: first, headSha: second, headName: `HEAD~1 (${second.slice(0, 7)})` })
    writeFileSync(join(repo, 'untracked.txt'), 'new\n')
    const dirty = await resolveLocalRevisions(new Git(repo), { base: null, head: null })
    expect(dirty.headUncommitted).toBe(true)
    expect(dirty.headName).toContain('with uncommitted changes')
    expect(await usageError(resolveLocalRevisions(new Git(repo), { base: null, head: 'nope' }))).toContain(
      "Unknown --head 'nope'"
    )
  })

  it('refuses histories that share nothing, and a repository without commits', async () => {
    const repo = await makeRepo()
    await commitFiles(repo, { 'a.txt': '1\n' }, 'one')
    await git(repo, ['checkout', '--quiet', '--orphan', 'other'])
    await commitFiles(repo, { 'b.txt': '1\n' }, 'unrelated')
    expect(await usageError(resolveLocalRevisions(new Git(repo), { base: 'main', head: null }))).toContain(
      "HEAD and --base 'main' share no history here"
    )
    const empty = await makeRepo()
    expect(await usageError(resolveLocalRevisions(new Git(empty), { base: null, head: null }))).toContain(
      'The repository has no commit yet'
    )
  })
})

describe('workingTreeChanges', () => {
  it('lists committed, staged, unstaged, deleted and untracked changes since the base, not ignored files', async () => {
    const repo = await makeRepo()
    const base = await commitFiles(
      repo,
      { 'keep/Dockerfile': 'FROM scratch\n', 'gone/Dockerfile': 'FROM busybox:local\n', '.gitignore': 'build/\n' },
      'base'
    )
    await commitFiles(repo, { 'committed/Dockerfile': 'FROM debian:bookworm\n' }, 'on the branch')
    writeFileSync(join(repo, 'keep/Dockerfile'), 'FROM scratch\nENV A=1\n')
    mkdirSync(join(repo, 'staged'))
    writeFileSync(join(repo, 'staged/Dockerfile'), 'FROM scratch\n')
    await git(repo, ['add', 'staged/Dockerfile'])
    rmSync(join(repo, 'gone/Dockerfile'))
    mkdirSync(join(repo, 'new folder'))
    writeFileSync(join(repo, 'new folder/Dockerfile'), 'FROM scratch\n')
    mkdirSync(join(repo, 'build'))
    writeFileSync(join(repo, 'build/Dockerfile'), 'FROM scratch\n')
    // Run from a subfolder's Git: paths still come from the top.
    const changes = await workingTreeChanges(new Git(await repositoryRoot(join(repo, 'keep'))), base)
    expect(changes.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'committed/Dockerfile', status: 'added' },
      { path: 'gone/Dockerfile', status: 'removed' },
      { path: 'keep/Dockerfile', status: 'modified' },
      { path: 'new folder/Dockerfile', status: 'added' },
      { path: 'staged/Dockerfile', status: 'added' }
    ])
  })
})
