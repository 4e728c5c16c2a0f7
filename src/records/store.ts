import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { CommandError, runChecked, runCommand, runForBytes } from '../tools/exec.js'
import { formatSize } from '../shared/sizes.js'
import { errorMessage } from '../shared/errors.js'
import { Logger, quietLogger } from '../shared/logger.js'
import { RecordsSigner, RecordsVerifier, signaturePath } from './signature.js'
import {
  BaselineRecord,
  INDEX_SCHEMA,
  IndexEntry,
  parseIndex,
  parsePaths,
  parseRecord,
  RecordedPaths,
  RecordIndex,
  REGISTRY_MEASURE
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
//
// Anyone who may push any ref may rewrite this one, so nothing in it counts unless it is
// signed (signature.ts): every read checks `index.json` and `records/<commit>.json` against
// their `.sig` with the reader's public keys, and `paths/` blobs are read by the object id a
// signed record names, never by whatever the tree holds under that name. A writer carries
// over only what verifies: it builds the new tree from nothing, so a forged file the ref was
// rewritten with is dropped, not signed again.

// For scripts/bench-records.mjs, which builds this module alone and signs a store of its own.
export { RecordsSigner, RecordsVerifier } from './signature.js'

/** The newest records kept; older ones are pruned when a record is written. */
const MAX_RECORDS = 1000
const WRITE_ATTEMPTS = 8
/**
 * The largest stored file read: a store written by this tool holds an index of about 200 bytes
 * a record and records of a few kB an image. Anything larger is refused before it is read
 * (its size asked of git first), so a hostile ref cannot make a run hold a huge blob.
 */
export const MAX_STORED_FILE_BYTES = 32 * 1024 * 1024
const MAX_SIGNATURE_BYTES = 1024

/** A stored file that does not count: unsigned, signed by another key, too large, or not the schema. */
export class RecordTrustError extends Error {}

function emptyIndex(): RecordIndex {
  return { schema: INDEX_SCHEMA, records: [] }
}

/** The records in one repository folder, read through git. */
export class RecordStore {
  constructor(
    readonly repoDir: string,
    readonly ref: string = DEFAULT_RECORDS_REF,
    /** The public keys every read is checked with; without them nothing stored is read. */
    readonly verifier: RecordsVerifier | null = null,
    /** The run's log: each git command line at debug level. */
    readonly log: Logger = quietLogger
  ) {
    assertRecordsRef(ref)
  }

  private git(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<string> {
    return runChecked('git', args, { cwd: this.repoDir, log: this.log, ...options })
  }

  /**
   * Brings the remote's records into the local ref. False when the remote has none yet. Needs
   * read access only, so it works for a fork's PR with a read-only token.
   */
  async fetch(remote: string): Promise<boolean> {
    const args = ['fetch', '--no-tags', '--quiet', '--no-write-fetch-head', remote, `+${this.ref}:${this.ref}`]
    const result = await runCommand('git', args, { cwd: this.repoDir, log: this.log })
    if (result.exitCode === 0) return true
    if (/couldn't find remote ref|no such ref/i.test(result.stderr)) {
      // The remote has none (any more): a stale local copy must not stand for it.
      await runCommand('git', ['update-ref', '-d', this.ref], { cwd: this.repoDir, log: this.log })
      return false
    }
    throw new CommandError('git', args, result)
  }

  /** The commit the local ref points to, or null when there is no store here. */
  async tip(): Promise<string | null> {
    const result = await runCommand('git', ['rev-parse', '--verify', '--quiet', `${this.ref}^{commit}`], {
      cwd: this.repoDir,
      log: this.log
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

  /**
   * An image's layers as a record keeps them (`paths: { blob }` of a stored image), or null when
   * gone. Read by the object id the (signed) record names, not by path: the tree could hold
   * another blob under that name.
   */
  async readPaths(blob: string): Promise<RecordedPaths | null> {
    assertObjectId(blob, 'blob')
    const bytes = await this.readObject(blob, `paths/${blob}.json`)
    return bytes === null ? null : parsePaths(bytes.toString('utf8'), `${this.ref}:${pathsPath(blob)}`)
  }

  /** One file of the store at `tip` (the local ref's by default), checked and parsed; null where it is not. */
  private async readParsed<T>(
    path: string,
    parse: (text: string, source: string) => T,
    tip: string | null | undefined
  ): Promise<T | null> {
    const at = tip === undefined ? await this.tip() : tip
    if (!at) return null
    const bytes = await this.readObject(`${at}:${path}`, path)
    if (bytes === null) return null
    this.assertSigned(path, bytes, await this.readObject(`${at}:${signaturePath(path)}`, path, MAX_SIGNATURE_BYTES))
    return parse(bytes.toString('utf8'), `${this.ref}:${path}`)
  }

  /** Throws a RecordTrustError where `bytes` at `path` is not signed by one of the reader's keys. */
  private assertSigned(path: string, bytes: Buffer, signature: Buffer | null): void {
    if (!this.verifier) {
      throw new RecordTrustError(`${this.ref}:${path} is not read: there is no public key to check it with.`)
    }
    const problem = this.verifier.problem(path, bytes, signature === null ? null : signature.toString('utf8'))
    if (problem !== null) throw new RecordTrustError(`${this.ref}:${path} is refused: ${problem}.`)
  }

  /**
   * A blob's bytes (`spec` as git names an object), or null where there is none; one larger
   * than `bound` is refused by its size alone, never read.
   */
  private async readObject(spec: string, path: string, bound = MAX_STORED_FILE_BYTES): Promise<Buffer | null> {
    const size = await runCommand('git', ['cat-file', '-s', spec], { cwd: this.repoDir, log: this.log })
    if (size.exitCode !== 0) return null
    const bytes = Number(size.stdout.trim())
    if (!Number.isSafeInteger(bytes) || bytes > bound) {
      throw new RecordTrustError(
        `${this.ref}:${path} is refused: it is ${formatSize(bytes)} (${bytes} bytes), more than the ` +
          `${formatSize(bound)} a stored file of the records may be; it was not read.`
      )
    }
    const result = await runForBytes('git', ['cat-file', 'blob', spec], { cwd: this.repoDir, log: this.log })
    return result.exitCode === 0 ? result.stdout : null
  }

  /**
   * Adds a record (replacing an earlier one of the same commit), signed with `signer`, and
   * pushes the store to `remote`, retrying on top of whatever another writer pushed meanwhile.
   * What the old store held and does not verify is left out and said in `refused`.
   */
  async write(
    remote: string,
    record: BaselineRecord,
    signer: RecordsSigner,
    options: {
      maxRecords?: number
      attempts?: number
      onRetry?: (attempt: number) => void
      /** Runs between building the new store and pushing it: where another writer can win the race. */
      beforePush?: (attempt: number) => Promise<void>
    } = {}
  ): Promise<{ attempts: number; pruned: number; tip: string; refused: string[] }> {
    if (this.verifier && !this.verifier.accepts(signer)) {
      throw new Error(
        `The records-key (key ${signer.keyId}) is not the private half of a public key in ${this.verifier.source} ` +
          `(${this.verifier.keyIds.join(', ')}): every PR run would refuse what it signs. Commit its public key there ` +
          '(`openssl pkey -in records.key -pubout`), or pass the key that belongs to it.'
      )
    }
    const attempts = options.attempts ?? WRITE_ATTEMPTS
    for (let attempt = 1; ; attempt++) {
      await this.fetch(remote)
      const old = await this.tip()
      const { commit, pruned, refused } = await this.commitWith(old, record, signer, options.maxRecords ?? MAX_RECORDS)
      await options.beforePush?.(attempt)
      const args = [
        'push',
        '--porcelain',
        `--force-with-lease=${this.ref}:${old ?? ''}`,
        remote,
        `${commit}:${this.ref}`
      ]
      const result = await runCommand('git', args, { cwd: this.repoDir, log: this.log })
      if (result.exitCode === 0) {
        await this.git(['update-ref', this.ref, commit])
        return { attempts: attempt, pruned, tip: commit, refused }
      }
      if (!isRaceLost(result.stdout + result.stderr) || attempt >= attempts) throw new CommandError('git', args, result)
      options.onRetry?.(attempt)
      // Two record runs of quick pushes start within seconds: spread their retries.
      await sleep(100 * attempt + Math.floor(Math.random() * 200))
    }
  }

  /**
   * A commit (no parent) of the old store's records that verify plus the record, pruned to
   * `maxRecords`. The tree is built from nothing: only what was checked goes into it.
   */
  private async commitWith(
    old: string | null,
    record: BaselineRecord,
    signer: RecordsSigner,
    maxRecords: number
  ): Promise<{ commit: string; pruned: number; refused: string[] }> {
    const carried = await this.verifiedRecords(old)
    const stored = await this.storePaths(record)
    const entry = indexEntryOf(stored.record)
    const entries = [entry, ...carried.entries.filter(other => other.commit !== record.commit)].sort((a, b) =>
      b.recordedAt.localeCompare(a.recordedAt)
    )
    const kept = entries.slice(0, maxRecords)
    const dropped = entries.slice(maxRecords)
    const scratch = await mkdtemp(join(tmpdir(), 'dsc-records-'))
    // A private index file: the repository's own index and work tree are never touched.
    const env = { GIT_INDEX_FILE: join(scratch, 'index') }
    try {
      await this.git(['read-tree', '--empty'], { env })
      const writeSigned = async (path: string, text: string): Promise<string[]> => {
        const blob = (await this.git(['hash-object', '-w', '--stdin'], { input: text })).trim()
        const signature = (await this.git(['hash-object', '-w', '--stdin'], { input: signer.sign(path, text) })).trim()
        return [`100644 ${blob}\t${path}`, `100644 ${signature}\t${signaturePath(path)}`]
      }
      const updates = [
        ...(await writeSigned(recordPath(record.commit), json(stored.record))),
        ...(await writeSigned('index.json', json({ schema: INDEX_SCHEMA, records: kept }))),
        ...kept.flatMap(other => carried.files.get(other.commit) ?? []),
        ...(await this.presentObjects([...new Set(kept.flatMap(other => other.paths ?? []))])).map(
          blob => `100644 ${blob}\t${pathsPath(blob)}`
        )
      ]
      await this.git(['update-index', '--index-info'], { env, input: `${updates.join('\n')}\n` })
      const tree = (await this.git(['write-tree'], { env })).trim()
      const commit = (
        await this.git(['commit-tree', tree, '-m', `docker-size-check: record of ${record.commit}`], {
          env: { ...env, ...RECORD_AUTHOR }
        })
      ).trim()
      return { commit, pruned: dropped.length, refused: carried.refused }
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
  }

  /**
   * The old store's records that verify: their index entries, and for each commit the tree
   * lines of its record and signature (carried over as they are). The signed index says which
   * records there are; where it does not verify, the records themselves do, each rebuilt into
   * an entry. Whatever is refused is said in `refused`.
   */
  private async verifiedRecords(old: string | null): Promise<{
    entries: IndexEntry[]
    files: Map<string, string[]>
    refused: string[]
  }> {
    const result = { entries: [] as IndexEntry[], files: new Map<string, string[]>(), refused: [] as string[] }
    if (!old) return result
    const listing = await this.git(['ls-tree', '-r', '--full-tree', old, 'records/'])
    const blobs = new Map<string, string>()
    for (const line of listing.split('\n')) {
      const [, blob, path] =
        /^100644 blob ([0-9a-f]{40,64})\t(records\/[0-9a-f]{40,64}\.json(?:\.sig)?)$/.exec(line) ?? []
      if (blob && path) blobs.set(path, blob)
    }
    let listed: IndexEntry[] | null = null
    try {
      listed = (await this.readIndex(old)).records
    } catch (error) {
      result.refused.push(`${errorMessage(error)} The records that verify are kept, the rest dropped.`)
    }
    const commits =
      listed?.map(entry => entry.commit) ??
      [...blobs.keys()].flatMap(path => /^records\/([0-9a-f]{40,64})\.json$/.exec(path)?.[1] ?? [])
    for (const commit of commits.slice(0, MAX_RECORDS * 2)) {
      const path = recordPath(commit)
      let stored: BaselineRecord | null
      try {
        stored = await this.readRecord(commit, old)
      } catch (error) {
        result.refused.push(`${errorMessage(error)} It is dropped.`)
        continue
      }
      const blob = blobs.get(path)
      const signature = blobs.get(signaturePath(path))
      if (!stored || stored.commit !== commit || !blob || !signature) continue
      result.entries.push(listed?.find(entry => entry.commit === commit) ?? indexEntryOf(stored))
      result.files.set(commit, [`100644 ${blob}\t${path}`, `100644 ${signature}\t${signaturePath(path)}`])
    }
    return result
  }

  /** The objects of `ids` this repository has (a `paths/` blob the old tree lacked is left out). */
  private async presentObjects(ids: string[]): Promise<string[]> {
    const present: string[] = []
    for (const id of ids) {
      const result = await runCommand('git', ['cat-file', '-e', `${id}^{blob}`], { cwd: this.repoDir, log: this.log })
      if (result.exitCode === 0) present.push(id)
    }
    return present
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
}

/** A stored record's line in the index: what the trend reads, and the `paths/` blobs it uses. */
function indexEntryOf(record: BaselineRecord): IndexEntry {
  const measured = record.images.find(image => image.fingerprint.measure !== REGISTRY_MEASURE) ?? record.images[0]
  const paths = [
    ...new Set(record.images.flatMap(image => (image.paths && 'blob' in image.paths ? [image.paths.blob] : [])))
  ]
  return {
    commit: record.commit,
    recordedAt: record.recordedAt,
    sizes: Object.fromEntries(record.images.map(image => [image.key, image.measurement.size])),
    // The trend of the built images reads this: a registry image's figure is of another kind.
    ...(measured ? { measure: measured.fingerprint.measure } : {}),
    ...(paths.length ? { paths } : {})
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

function recordPath(commit: string): string {
  return `records/${commit}.json`
}

function pathsPath(blob: string): string {
  return `paths/${blob}.json`
}

/** Whether a rejected push lost a race with another writer (and may try again). */
function isRaceLost(output: string): boolean {
  return /stale info|fetch first|non-fast-forward|\[rejected\]|failed to update ref|cannot lock ref/i.test(output)
}

function assertObjectId(id: string, kind: 'commit' | 'blob'): void {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(id)) throw new Error(`Not a full ${kind} id: ${JSON.stringify(id)}`)
}
