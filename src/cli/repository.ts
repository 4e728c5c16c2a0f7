import { resolveRevisions, UnknownBaseError } from '../revisions/base-commit.js'
import type { Logger } from '../shared/logger.js'
import { InputError } from '../shared/errors.js'
import { diffNameStatusArgs, Git, parseNameStatus, splitNul } from '../tools/git.js'
import { ChangedFile, Revisions } from '../shared/types.js'
import { UsageError } from './args.js'
import { firstLine } from '../shared/errors.js'

/** What the command compares, and how to say it to the user. */
export interface LocalRevisions extends Revisions {
  /** e.g. "main" or "origin/main": what the base is the merge-base with. */
  baseName: string
  /** e.g. "the working tree (a1b2c3d, with uncommitted changes)" or "HEAD~1 (a1b2c3d)". */
  headName: string
}

/** The top folder of the repository that holds `cwd`; bad usage when there is none. */
export async function repositoryRoot(cwd: string, log?: Logger): Promise<string> {
  const result = await new Git(cwd, log).tryExec(['rev-parse', '--show-toplevel'])
  if (result.exitCode !== 0 || result.stdout.trim() === '') {
    throw new UsageError(
      `${cwd} is not inside a git repository (${firstLine(result.stderr) || 'no work tree'}). ` +
        'Run docker-size-check from a clone of the project whose images you want to check.'
    )
  }
  return result.stdout.trim()
}

/**
 * The names to try as the base when --base is not given, best first: the remote's default
 * branch (what `git clone` recorded as origin/HEAD), then main, then master.
 */
export function defaultBaseCandidates(remoteHead: string | null): string[] {
  return [...(remoteHead ? [remoteHead] : []), 'main', 'master']
}

/** `refs/remotes/origin/main` → `origin/main`; null for anything else. */
export function parseRemoteHead(symbolicRef: string): string | null {
  const match = /^refs\/remotes\/(.+)$/.exec(symbolicRef.trim())
  return match?.[1] ?? null
}

/** The remote that names the default branch: origin when there is one, else the first listed. */
export function pickRemote(remotes: string[]): string | null {
  return remotes.includes('origin') ? 'origin' : (remotes[0] ?? null)
}

async function remoteDefaultBranch(git: Git, remote: string | null): Promise<string | null> {
  if (!remote) return null
  const result = await git.tryExec(['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`])
  return result.exitCode === 0 ? parseRemoteHead(result.stdout) : null
}

/**
 * Finds the two sides from the local repository alone, by the action's resolver told not to
 * fetch: the head is --head's commit or HEAD under the working tree; the base is the
 * merge-base of the head with --base, or with the remote's default branch, main or master.
 */
export async function resolveLocalRevisions(
  git: Git,
  options: { base: string | null; head: string | null }
): Promise<LocalRevisions> {
  const remote = pickRemote(splitLines((await git.tryExec(['remote'])).stdout))
  const names = options.base !== null ? [options.base] : defaultBaseCandidates(await remoteDefaultBranch(git, remote))
  for (const baseName of names) {
    try {
      const { baseSha, headSha } = await resolveRevisions(git, {
        baseRef: baseName,
        ...(options.head === null ? {} : { head: options.head }),
        remote: remote ?? 'origin',
        fetch: false,
        labels: { base: '--base', head: '--head' },
        log: git.log
      })
      return { baseSha, headSha, baseName, ...(await describeHead(git, headSha, options.head)) }
    } catch (error) {
      // Without --base, the next default name is tried.
      if (error instanceof UnknownBaseError && options.base === null) continue
      if (error instanceof InputError) throw new UsageError(error.message)
      throw error
    }
  }
  throw new UsageError(
    'No base to compare with: no remote default branch, no main and no master here. ' +
      'Name one with --base (for example --base develop).'
  )
}

/** How the head is named to the user, and whether the working tree has changes of its own. */
async function describeHead(
  git: Git,
  headSha: string,
  head: string | null
): Promise<Pick<LocalRevisions, 'headName' | 'headUncommitted'>> {
  const short = headSha.slice(0, 7)
  if (head !== null) return { headName: `${head} (${short})` }
  const headUncommitted = (await git.exec(['status', '--porcelain', '--untracked-files=normal'])).trim() !== ''
  const headName = `the working tree (${short}${headUncommitted ? ', with uncommitted changes' : ''})`
  return { headName, ...(headUncommitted ? { headUncommitted } : {}) }
}

/** Untracked files that are not ignored: a new Dockerfile counts before `git add`. */
const UNTRACKED_FILES_ARGS = ['ls-files', '--others', '--exclude-standard', '-z', '--full-name']

/** The tracked changes plus every untracked file as added (git reports an untracked file nowhere else). */
export function mergeWorkingTreeChanges(tracked: ChangedFile[], untracked: string[]): ChangedFile[] {
  const seen = new Set(tracked.map(file => file.path))
  return [...tracked, ...untracked.filter(path => !seen.has(path)).map(path => ({ path, status: 'added' as const }))]
}

/** What the working tree changes since the base commit, uncommitted and untracked files included. */
export async function workingTreeChanges(git: Git, baseSha: string): Promise<ChangedFile[]> {
  const tracked = parseNameStatus(await git.exec(diffNameStatusArgs(baseSha)))
  // ls-files lists paths relative to the folder it runs in: run it at the top.
  const untracked = splitNul(await git.exec(UNTRACKED_FILES_ARGS))
  return mergeWorkingTreeChanges(tracked, untracked)
}

function splitLines(text: string): string[] {
  return text
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean)
}
