import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { CommandError, runChecked, runCommand, runForBytes, type CommandResult } from './exec.js'
import type { ChangedFile, FileStatus } from '../shared/types.js'
import { Logger, quietLogger } from '../shared/logger.js'

/**
 * The git commands the pipeline needs, run in one repository folder through the command
 * wrapper. It holds no private state, so a test can pass any object with the same methods
 * (see `RevisionGit` in changes.ts).
 */
export class Git {
  constructor(
    readonly dir: string,
    /** The run's log: each command line at debug level. */
    readonly log: Logger = quietLogger
  ) {}

  // Two `git worktree add` at once in one repository race on .git/worktrees and one of them
  // fails ("failed to read .git/worktrees/base/commondir"): worktree changes go one at a time.
  private worktreeQueue: Promise<unknown> = Promise.resolve()

  private oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const next = this.worktreeQueue.then(work, work)
    this.worktreeQueue = next.catch(() => undefined)
    return next
  }

  /** Runs `git <args>` in the repository and returns stdout; a non-zero exit throws a CommandError. */
  exec(args: string[]): Promise<string> {
    return runChecked('git', args, { cwd: this.dir, log: this.log })
  }

  /** Runs `git <args>` and returns the result whatever the exit status. */
  tryExec(args: string[]): Promise<CommandResult> {
    return runCommand('git', args, { cwd: this.dir, log: this.log })
  }

  /**
   * The commit each name resolves to here, or null where it names none: one git process
   * for all of them (`cat-file --batch-check`, which reads names as rev-parse does).
   */
  async resolveCommits(names: string[]): Promise<Array<string | null>> {
    for (const name of names) {
      assertRevision(name)
      if (/[\n\r]/.test(name)) throw new Error(`Invalid git revision ${JSON.stringify(name)}: it has a line break`)
    }
    const output = await runChecked('git', ['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
      cwd: this.dir,
      log: this.log,
      input: names.map(name => `${name}^{commit}\n`).join('')
    })
    const lines = output.split('\n')
    return names.map((_, index) => /^([0-9a-f]{40}|[0-9a-f]{64}) commit$/.exec(lines[index] ?? '')?.[1] ?? null)
  }

  async isShallow(): Promise<boolean> {
    return (await this.exec(['rev-parse', '--is-shallow-repository'])).trim() === 'true'
  }

  /** The best common ancestor of two commits, or null when the history at hand holds none. */
  async mergeBase(a: string, b: string): Promise<string | null> {
    assertRevision(a)
    assertRevision(b)
    const args = ['merge-base', a, b]
    const result = await this.tryExec(args)
    if (result.exitCode === 0) return result.stdout.trim()
    // Exit 1 without a message is git's "no common ancestor"; anything else (an unknown
    // object, say) is a real failure.
    if (result.exitCode === 1 && result.stderr.trim() === '') return null
    throw new CommandError('git', args, result)
  }

  /** `git fetch <args>`; throws a CommandError whose `result.stderr` says why it failed. */
  async fetch(args: string[]): Promise<void> {
    await this.exec(['fetch', ...args])
  }

  /** How many commits the local history holds behind the given revisions (a shallow clone counts what it has). */
  async countCommits(revisions: string[]): Promise<number> {
    revisions.forEach(assertRevision)
    return Number.parseInt((await this.exec(['rev-list', '--count', ...revisions, '--'])).trim(), 10)
  }

  /** The files that differ between two commits, renames detected. */
  async diffNameStatus(base: string, head: string): Promise<ChangedFile[]> {
    return parseNameStatus(await this.exec(diffNameStatusArgs(base, head)))
  }

  /**
   * Every file in a commit's tree: path from the repository root → `<mode> <type> <object id>`
   * as ls-tree prints it (equal values: the same content with the same mode).
   */
  async readTree(sha: string): Promise<Map<string, string>> {
    assertRevision(sha)
    return parseLsTree(await this.exec(['ls-tree', '-r', '--full-tree', '-z', sha]))
  }

  /**
   * The text of blobs, by object id, all read by one `git cat-file --batch`; an id the
   * repository does not have is left out of the answer.
   */
  async readBlobs(objectIds: string[]): Promise<Map<string, string>> {
    if (objectIds.length === 0) return new Map()
    const args = ['cat-file', '--batch']
    for (const id of objectIds) if (!/^[0-9a-f]{40,64}$/.test(id)) throw new Error(`Invalid object id '${id}'`)
    const result = await runForBytes('git', args, {
      cwd: this.dir,
      log: this.log,
      input: objectIds.map(id => `${id}\n`).join('')
    })
    if (result.exitCode !== 0) {
      throw new CommandError('git', args, { exitCode: result.exitCode, stdout: '', stderr: result.stderr })
    }
    return parseCatFileBatch(result.stdout)
  }

  /**
   * Checks out `sha` into a new folder, detached, sharing this repository's objects. A
   * relative `folder` is resolved against the process's working directory, as node:fs would.
   *
   * With `only`, just those paths from the repository root (folders with all they hold, and
   * files) are written; a path the commit does not have is no error. That is a sparse
   * checkout kept to this worktree: its patterns go in the worktree's own git folder and the
   * setting is passed on the command line, so the repository's config is never changed.
   */
  async addWorktree(folder: string, sha: string, only?: string[]): Promise<void> {
    const absolute = path.resolve(folder)
    await this.oneAtATime(() => this.exec(worktreeAddArgs(absolute, sha, { checkout: only === undefined })))
    if (only === undefined) return
    const gitDir = await linkedWorktreeGitDir(absolute)
    await mkdir(path.join(gitDir, 'info'), { recursive: true })
    await writeFile(path.join(gitDir, 'info', 'sparse-checkout'), sparseCheckoutPatterns(only))
    // Its own index and files only: it needs no turn in the worktree queue.
    await runChecked('git', SPARSE_READ_TREE_ARGS, { cwd: absolute, log: this.log })
  }

  /**
   * Removes a worktree made by addWorktree, local changes and all, by its own path. Never
   * `git worktree prune`: that unregisters every worktree whose folder is away, the user's
   * own too (one on a disk unmounted for a moment), which then come back broken. A folder
   * git does not know (a checkout that failed before it was registered) is deleted. Quiet
   * when it is already gone: the clean-up runs where a second error would hide the first.
   */
  async removeWorktree(folder: string): Promise<void> {
    const absolute = path.resolve(folder)
    await this.oneAtATime(() => this.tryExec(['worktree', 'remove', '--force', absolute]))
    await rm(absolute, { recursive: true, force: true })
  }

  /** Removes each of these worktrees as removeWorktree does, and no other. */
  async removeWorktrees(folders: string[]): Promise<void> {
    await Promise.all(folders.map(folder => this.removeWorktree(folder)))
  }

  /** The folders of every worktree, the main one first (as git prints them: real paths). */
  async listWorktrees(): Promise<string[]> {
    return parseWorktreeList(await this.exec(['worktree', 'list', '--porcelain']))
  }
}

/**
 * `-z` so that git neither quotes nor escapes paths (spaces, unicode, tabs, quotes and even
 * newlines come through as they are); `-M` so a moved Dockerfile reads as a rename rather
 * than a removal and an addition. `--no-ext-diff` and `--no-color` keep user configuration
 * out of output we parse.
 */
export function diffNameStatusArgs(base: string, head?: string): string[] {
  assertRevision(base)
  // Without a head, git diffs against the working tree: the command's uncommitted changes.
  if (head !== undefined) assertRevision(head)
  return ['diff', '--name-status', '-z', '-M', '--no-color', '--no-ext-diff', base, ...(head ? [head] : []), '--']
}

export function worktreeAddArgs(folder: string, sha: string, options: { checkout?: boolean } = {}): string[] {
  assertRevision(sha)
  // --force: the folder may be registered from an earlier run that died before cleanup.
  const noCheckout = options.checkout === false ? ['--no-checkout'] : []
  return ['worktree', 'add', '--detach', '--force', ...noCheckout, folder, sha]
}

/**
 * Fills a worktree made with --no-checkout, writing only what its sparse-checkout patterns
 * name. Pattern mode (not cone mode) and a full index whatever the user's config says: the
 * patterns are written for that mode.
 */
const SPARSE_READ_TREE_ARGS = [
  '-c',
  'core.sparseCheckout=true',
  '-c',
  'core.sparseCheckoutCone=false',
  '-c',
  'index.sparse=false',
  'read-tree',
  '-m',
  '-u',
  'HEAD'
]

/**
 * The sparse-checkout file for paths from the repository root: one pattern each, anchored
 * at the root (`/`), so that `app` is the root's app and not every folder of that name. The
 * patterns use .gitignore's syntax, whose wildcards and trailing spaces are escaped; a name
 * with a line break cannot be written at all (callers check it with `sparsePathAllowed`).
 */
export function sparseCheckoutPatterns(paths: string[]): string {
  return paths
    .map(file => {
      if (!sparsePathAllowed(file)) throw new Error(`A sparse-checkout pattern cannot name ${JSON.stringify(file)}`)
      const escaped = file.replace(/[\\*?[\]!#]/g, '\\$&').replace(/ +$/, spaces => '\\ '.repeat(spaces.length))
      return `/${escaped}\n`
    })
    .join('')
}

export function sparsePathAllowed(file: string): boolean {
  return !/[\n\r]/.test(file) && file !== '' && file !== '.'
}

/** A linked worktree's own git folder, which its `.git` file names (relative to the worktree, in newer git). */
async function linkedWorktreeGitDir(worktree: string): Promise<string> {
  const pointer = await readFile(path.join(worktree, '.git'), 'utf8')
  const gitDir = /^gitdir: (.+)$/m.exec(pointer)?.[1]
  if (gitDir === undefined) throw new Error(`${path.join(worktree, '.git')} does not name the worktree's git folder`)
  return path.resolve(worktree, gitDir.replace(/\r$/, ''))
}

const STATUS_WORDS: Record<string, FileStatus> = {
  A: 'added',
  M: 'modified',
  D: 'removed',
  R: 'renamed',
  C: 'copied',
  T: 'changed'
}

/**
 * Parses `git diff --name-status -z`: NUL-separated fields, a status then one path, or for
 * a rename or copy a status with a score (`R087`), the old path and the new path.
 */
export function parseNameStatus(output: string): ChangedFile[] {
  const fields = output.split('\0')
  const files: ChangedFile[] = []
  let i = 0
  while (i < fields.length) {
    const status = fields[i++]
    if (status === undefined || status === '') continue
    const letter = status.charAt(0)
    // Statuses that cannot occur between two commits (U unmerged, X unknown) still mean the
    // file differs: "changed" keeps it in view rather than dropping it.
    const word = STATUS_WORDS[letter] ?? 'changed'
    if (letter === 'R' || letter === 'C') {
      const previousPath = fields[i++]
      const newPath = fields[i++]
      if (previousPath === undefined || newPath === undefined || newPath === '') {
        throw new Error(`Unexpected \`git diff --name-status -z\` output: '${status}' without two paths`)
      }
      files.push({ path: newPath, status: word, previousPath })
    } else {
      const file = fields[i++]
      if (file === undefined || file === '') {
        throw new Error(`Unexpected \`git diff --name-status -z\` output: '${status}' without a path`)
      }
      files.push({ path: file, status: word })
    }
  }
  return files
}

/** Parses `git worktree list --porcelain` into the worktree folders. */
export function parseWorktreeList(output: string): string[] {
  return output
    .split('\n')
    .filter(line => line.startsWith('worktree '))
    .map(line => line.slice('worktree '.length))
}

/**
 * Parses `git ls-tree -r -z`: `<mode> SP <type> SP <object> TAB <path>` records, NUL-separated,
 * into path → `<mode> <type> <object>`. Read with indexOf rather than split and a regular
 * expression, and kept as slices of the output: a large monorepo's tree has hundreds of
 * thousands of records, and this runs on both sides of every check.
 */
export function parseLsTree(output: string): Map<string, string> {
  const files = new Map<string, string>()
  for (let start = 0; start < output.length;) {
    let end = output.indexOf('\0', start)
    if (end === -1) end = output.length
    if (end > start) {
      const modeEnd = output.indexOf(' ', start)
      const typeEnd = modeEnd === -1 ? -1 : output.indexOf(' ', modeEnd + 1)
      const tab = output.indexOf('\t', start)
      if (
        modeEnd === -1 ||
        typeEnd === -1 ||
        tab === -1 ||
        typeEnd > tab ||
        tab >= end ||
        !/^\d+$/.test(output.slice(start, modeEnd))
      ) {
        throw new Error(`Unexpected \`git ls-tree\` output: '${output.slice(start, Math.min(end, start + 200))}'`)
      }
      files.set(output.slice(tab + 1, end), output.slice(start, tab))
    }
    start = end + 1
  }
  return files
}

/** The object id in an ls-tree entry (`<mode> <type> <object>`). */
export function objectIdOf(entry: string): string {
  return entry.slice(entry.lastIndexOf(' ') + 1)
}

/** Whether an ls-tree entry is a file's content (not a submodule's commit). */
export function isBlobEntry(entry: string): boolean {
  return entry.includes(' blob ')
}

/**
 * Parses `git cat-file --batch` output: for each id asked, `<id> <type> <size>` LF, the
 * contents (size bytes) and LF, or `<id> missing` LF. Sizes count bytes, so the output is
 * read as bytes and each content decoded on its own.
 */
export function parseCatFileBatch(output: Buffer): Map<string, string> {
  const blobs = new Map<string, string>()
  let at = 0
  while (at < output.length) {
    const lineEnd = output.indexOf(0x0a, at)
    if (lineEnd === -1) throw new Error('Unexpected `git cat-file --batch` output: a header without its end')
    const header = output.subarray(at, lineEnd).toString('utf8')
    at = lineEnd + 1
    if (header.endsWith(' missing')) continue
    const [, id, sizeText] = /^([0-9a-f]{40,64}) \w+ (\d+)$/.exec(header) ?? []
    if (id === undefined || sizeText === undefined) {
      throw new Error(`Unexpected \`git cat-file --batch\` output: '${header.slice(0, 200)}'`)
    }
    const size = Number(sizeText)
    if (at + size > output.length) throw new Error('Unexpected `git cat-file --batch` output: a content cut short')
    blobs.set(id, output.subarray(at, at + size).toString('utf8'))
    at += size + 1
  }
  return blobs
}

export function splitNul(output: string): string[] {
  return output.split('\0').filter(field => field !== '')
}

/**
 * Revisions reach git as command-line arguments; one starting with `-` would be read as an
 * option (`--upload-pack=…` in a fetch runs a program). Refuse it rather than quote it.
 */
export function assertRevision(revision: string): void {
  if (revision === '' || revision.startsWith('-')) {
    throw new Error(`Invalid git revision '${revision}': expected a commit SHA, branch or tag name`)
  }
}
