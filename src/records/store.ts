import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CommandError, runChecked, runCommand } from '../tools/exec.js'
import {
  BaselineRecord,
  INDEX_SCHEMA,
  IndexEntry,
  parseIndex,
  parsePaths,
  parseRecord,
  RecordedPaths,
  RecordIndex
} from './schema.js'
import { assertRecordsRef, DEFAULT_RECORDS_REF } from '../inputs/records-ref.js'

// Baseline records live in the repository itself, under a ref of their own:
//
//   refs/docker-size-check/records  →  a commit whose tree holds
//     index.json                  every record's commit, time and sizes, newest first
//     records/<commit>.json       one record: each image's measurement and fingerprint
//     paths/<blob>.json           an image's layers summed by folder, for the path breakdown:
//                                 apart, so an image carried over from record to record is
//                                 stored once (its blob id is its name)
//
// Not a branch, so it is not listed among branches, starts no `push` workflow and is not
// checked out; not notes, because a record is looked up by commit *and* listed for the
// trend, which one small index answers without opening every record. Each write replaces
// the ref with a new commit without parents, so the ref never grows a history: the store is
// bounded by MAX_RECORDS. Writers race safely: the push carries `--force-with-lease` with
// the tip it read, so a writer that lost the race is rejected, reads the winner's tip and
// writes again on top of it; no record is lost.

/** The newest records kept; older ones are pruned when a record is written. */
export const MAX_RECORDS = 1000
const WRITE_ATTEMPTS = 8

export function emptyIndex(): RecordIndex {
  return { schema: INDEX_SCHEMA, records: [] }
}

/** The records in one repository folder, read through git. */
export class RecordStore {
  constructor(
    readonly repoDir: string,
    readonly ref: string = DEFAULT_RECORDS_REF
  ) {
    assertRecordsRef(ref)
  }

  private git(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
    return runChecked('git', args, { cwd: this.repoDir, ...options })
  }

  /**
   * Brings the remote's records into the local ref. False when the remote has none yet. Needs
   * read access only, so it works for a fork's PR with a read-only token.
   */
  async fetch(remote: string): Promise<boolean> {
    const args = ['fetch', '--no-tags', '--quiet', '--no-write-fetch-head', remote, `+${this.ref}:${this.ref}`]
    const result = await runCommand('git', args, { cwd: this.repoDir })
    if (result.exitCode === 0) return true
    if (/couldn't find remote ref|no such ref/i.test(result.stderr)) {
      // The remote has none (any more): a stale local copy must not stand for it.
      await runCommand('git', ['update-ref', '-d', this.ref], { cwd: this.repoDir })
      return false
    }
    throw new CommandError('git', args, result)
  }

  /** The commit the local ref points to, or null when there is no store here. */
  async tip(): Promise<string | null> {
    const result = await runCommand('git', ['rev-parse', '--verify', '--quiet', `${this.ref}^{commit}`], {
      cwd: this.repoDir
    })
    const sha = result.stdout.trim()
    return result.exitCode === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null
  }

  async readIndex(tip?: string | null): Promise<RecordIndex> {
    return (await this.readParsed('index.json', parseIndex, tip)) ?? emptyIndex()
  }

  /** The record of one commit, or null when that commit has none. */
  async readRecord(commit: string, tip?: string | null): Promise<BaselineRecord | null> {
    assertObjectId(commit, 'commit')
    return this.readParsed(recordPath(commit), parseRecord, tip)
  }

  /** An image's layers as a record keeps them (`paths: { blob }` of a stored image), or null when gone. */
  async readPaths(blob: string, tip?: string | null): Promise<RecordedPaths | null> {
    assertObjectId(blob, 'blob')
    return this.readParsed(pathsPath(blob), parsePaths, tip)
  }

  /** One file of the store at `tip` (the local ref's by default), parsed; null where it is not. */
  private async readParsed<T>(
    path: string,
    parse: (text: string, source: string) => T,
    tip: string | null | undefined
  ): Promise<T | null> {
    const at = tip === undefined ? await this.tip() : tip
    if (!at) return null
    const text = await this.readBlob(at, path)
    return text === null ? null : parse(text, `${this.ref}:${path}`)
  }

  private async readBlob(tip: string, path: string): Promise<string | null> {
    const result = await runCommand('git', ['cat-file', 'blob', `${tip}:${path}`], { cwd: this.repoDir })
    return result.exitCode === 0 ? result.stdout : null
  }

  /**
   * Adds a record (replacing an earlier one of the same commit) and pushes the store to
   * `remote`, retrying on top of whatever another writer pushed meanwhile.
   */
  async write(
    remote: string,
    record: BaselineRecord,
    options: {
      maxRecords?: number
      attempts?: number
      onRetry?: (attempt: number) => void
      /** Runs between building the new store and pushing it: where another writer can win the race. */
      beforePush?: (attempt: number) => Promise<void>
    } = {}
  ): Promise<{ attempts: number; pruned: number; tip: string }> {
    const attempts = options.attempts ?? WRITE_ATTEMPTS
    for (let attempt = 1; ; attempt++) {
      await this.fetch(remote)
      const old = await this.tip()
      const { commit, pruned } = await this.commitWith(old, record, options.maxRecords ?? MAX_RECORDS)
      await options.beforePush?.(attempt)
      const args = [
        'push',
        '--porcelain',
        `--force-with-lease=${this.ref}:${old ?? ''}`,
        remote,
        `${commit}:${this.ref}`
      ]
      const result = await runCommand('git', args, { cwd: this.repoDir })
      if (result.exitCode === 0) {
        await this.git(['update-ref', this.ref, commit])
        return { attempts: attempt, pruned, tip: commit }
      }
      if (!isRaceLost(result.stdout + result.stderr) || attempt >= attempts) throw new CommandError('git', args, result)
      options.onRetry?.(attempt)
      // Two record runs of quick pushes start within seconds: spread their retries.
      await sleep(100 * attempt + Math.floor(Math.random() * 200))
    }
  }

  /** A commit (no parent) of the old store's tree plus the record, pruned to `maxRecords`. */
  private async commitWith(
    old: string | null,
    record: BaselineRecord,
    maxRecords: number
  ): Promise<{ commit: string; pruned: number }> {
    const index = await this.readIndex(old)
    const stored = await this.storePaths(record)
    const entry: IndexEntry = {
      commit: record.commit,
      recordedAt: record.recordedAt,
      sizes: Object.fromEntries(record.images.map(image => [image.key, image.measurement.size])),
      ...(record.images[0] ? { measure: record.images[0].fingerprint.measure } : {}),
      ...(stored.blobs.length ? { paths: stored.blobs } : {})
    }
    const entries = [entry, ...index.records.filter(other => other.commit !== record.commit)].sort((a, b) =>
      b.recordedAt.localeCompare(a.recordedAt)
    )
    const kept = entries.slice(0, maxRecords)
    const dropped = entries.slice(maxRecords)
    const scratch = await mkdtemp(join(tmpdir(), 'dsc-records-'))
    // A private index file: the repository's own index and work tree are never touched.
    const env = { GIT_INDEX_FILE: join(scratch, 'index') }
    try {
      await this.git(old ? ['read-tree', `${old}^{tree}`] : ['read-tree', '--empty'], { env })
      const recordBlob = (await this.git(['hash-object', '-w', '--stdin'], { input: json(stored.record) })).trim()
      const indexBlob = (
        await this.git(['hash-object', '-w', '--stdin'], { input: json({ schema: INDEX_SCHEMA, records: kept }) })
      ).trim()
      const updates = [
        `100644 ${recordBlob}\t${recordPath(record.commit)}`,
        `100644 ${indexBlob}\tindex.json`,
        ...stored.blobs.map(blob => `100644 ${blob}\t${pathsPath(blob)}`),
        // Mode 0 removes the path from the index.
        ...dropped.map(gone => `0 ${'0'.repeat(recordBlob.length)}\t${recordPath(gone.commit)}`),
        ...(await this.unusedPaths(old, kept)).map(blob => `0 ${'0'.repeat(blob.length)}\t${pathsPath(blob)}`)
      ]
      await this.git(['update-index', '--index-info'], { env, input: `${updates.join('\n')}\n` })
      const tree = (await this.git(['write-tree'], { env })).trim()
      const commit = (
        await this.git(['commit-tree', tree, '-m', `docker-size-check: record of ${record.commit}`], {
          env: { ...env, ...RECORD_AUTHOR }
        })
      ).trim()
      return { commit, pruned: dropped.length }
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
  }

  /** The record with each image's layers written as a blob of their own, and the blobs it uses. */
  private async storePaths(record: BaselineRecord): Promise<{ record: BaselineRecord; blobs: string[] }> {
    const blobs = new Set<string>()
    const images = []
    for (const image of record.images) {
      if (image.paths && 'layers' in image.paths) {
        const blob = (await this.git(['hash-object', '-w', '--stdin'], { input: json(image.paths) })).trim()
        images.push({ ...image, paths: { blob } })
        blobs.add(blob)
      } else {
        if (image.paths) blobs.add(image.paths.blob)
        images.push(image)
      }
    }
    return { record: { ...record, images }, blobs: [...blobs] }
  }

  /** The `paths/` blobs of the old store that no kept record uses any more. */
  private async unusedPaths(old: string | null, kept: IndexEntry[]): Promise<string[]> {
    if (!old) return []
    const used = new Set(kept.flatMap(entry => entry.paths ?? []))
    const listed = await this.git(['ls-tree', '--name-only', `${old}^{tree}`, 'paths/'])
    return listed
      .split('\n')
      .map(line => /^paths\/([0-9a-f]{40,64})\.json$/.exec(line)?.[1])
      .filter((blob): blob is string => blob !== undefined && !used.has(blob))
  }
}

// A record run's checkout may have no git identity configured; the store's commits are the
// tool's, not a person's.
const RECORD_AUTHOR = {
  GIT_AUTHOR_NAME: 'docker-size-check',
  GIT_AUTHOR_EMAIL: 'docker-size-check@invalid',
  GIT_COMMITTER_NAME: 'docker-size-check',
  GIT_COMMITTER_EMAIL: 'docker-size-check@invalid'
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 1)}\n`
}

export function recordPath(commit: string): string {
  return `records/${commit}.json`
}

export function pathsPath(blob: string): string {
  return `paths/${blob}.json`
}

/** Whether a rejected push lost a race with another writer (and may try again). */
export function isRaceLost(output: string): boolean {
  return /stale info|fetch first|non-fast-forward|\[rejected\]|failed to update ref|cannot lock ref/i.test(output)
}

function assertObjectId(id: string, kind: 'commit' | 'blob'): void {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id)) throw new Error(`Not a full ${kind} id: ${JSON.stringify(id)}`)
}
