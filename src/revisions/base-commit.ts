import { CommandError } from '../tools/exec.js'
import type { Git } from '../tools/git.js'
import type { ChangedFile, Revisions } from '../shared/types.js'
import { errorMessage, InputError } from '../shared/errors.js'
import { Logger, quietLogger } from '../shared/logger.js'

/** The part of Git that resolveRevisions uses, so a unit test can pass a fake. */
export type RevisionGit = Pick<Git, 'resolveCommits' | 'isShallow' | 'mergeBase' | 'fetch' | 'countCommits'>

export interface ResolveRevisionsOptions {
  /** The `base-ref` input (a branch name, the PR's base branch; a tag; a commit SHA), or the command's --base. */
  baseRef: string
  /** The head: HEAD by default (the workspace, the working tree's commit), or the command's --head. */
  head?: string
  /** The remote to fetch the base from when it is not here yet. */
  remote?: string
  /**
   * How many commits, in all, each side of a shallow clone may be deepened by before the
   * last resort of fetching the whole history (`--unshallow`).
   */
  maxDeepen?: number
  /**
   * false: the repository as it is, nothing fetched (the command, on a developer's clone):
   * a base or a merge-base that is not here is the user's to fetch, and any revision git
   * reads (HEAD~3) is a base. Default true (the action, on a shallow checkout).
   */
  fetch?: boolean
  /** How the messages name the base and the head: the input (base-ref) or the flags (--base, --head). */
  labels?: { base: string; head: string }
  /** Where the fetches and the commits found are said. */
  log?: Logger
}

/** The base names nothing here (and, when fetching, nothing on the remote either). */
export class UnknownBaseError extends InputError {}

const DEFAULT_MAX_DEEPEN = 1000

/**
 * Finds the two commits to compare: the head is what the workspace holds (HEAD); the
 * baseline is the merge-base of HEAD and the base ref's tip, so the comparison shows what
 * the PR itself changes and never what landed on the base branch since it forked.
 *
 * actions/checkout leaves, by default, a clone of depth 1 holding only HEAD (for a
 * `pull_request` event, GitHub's merge commit of the PR into the base tip), with no base
 * branch and no parents. This fetches what it needs with as little history as it can:
 * the base tip at depth 1, then both sides deepened in doubling steps until their histories
 * meet, and the whole history only as a last resort. For the merge commit the histories
 * meet after one step (the base tip is its first parent); for a checkout of the PR head
 * they meet at the fork point. Nothing is fetched when the base resolves locally and the
 * merge-base is already in the history at hand (a full clone), nor ever with `fetch: false`.
 *
 * A caveat of shallow history: git finds the best common ancestor among the commits it
 * has. With a linear base branch the first one found is the true merge-base; in histories
 * with criss-cross merges cut by the shallow boundary it could be an older one, and the
 * comparison would then include more than the PR's own changes.
 */
export async function resolveRevisions(git: RevisionGit, options: ResolveRevisionsOptions): Promise<Revisions> {
  const remote = options.remote ?? 'origin'
  const fetch = options.fetch ?? true
  const labels = options.labels ?? { base: 'base-ref', head: 'HEAD' }
  const headRef = options.head ?? 'HEAD'
  const log = options.log ?? quietLogger
  const plan = fetch ? planBaseRef(options.baseRef, remote) : localPlan(options.baseRef, remote)
  // The head and every local name the base could be, in one question to git.
  const [headSha, ...local] = await git.resolveCommits([headRef, ...plan.local])
  if (!headSha) throw noHead(options.head, labels.head, fetch)
  const found = local.findIndex(sha => sha !== null)
  const localTip = local[found]
  let baseTip: string
  if (localTip) {
    if (fetch) log.info(`Base ref ${plan.input} is ${localTip} (${plan.local[found]}, already here)`)
    baseTip = localTip
  } else if (fetch) {
    baseTip = await fetchBaseTip(git, plan, remote, log)
  } else {
    throw new UnknownBaseError(
      `Unknown ${labels.base} '${plan.input}': it names no branch, tag or commit here. ` +
        `Fetch it first (git fetch ${remote} ${plan.input}), or name another with ${labels.base}.`
    )
  }
  if (!fetch) {
    const baseSha = await git.mergeBase(headSha, baseTip)
    if (baseSha === null) {
      throw new InputError(
        `${headRef} and ${labels.base} '${plan.input}' share no history here, so there is no merge-base to compare with. ` +
          `In a shallow clone, fetch more history (git fetch --unshallow); otherwise name another ${labels.base}.`
      )
    }
    return { baseSha, headSha }
  }
  const baseSha = await findMergeBase(git, {
    headSha,
    baseTip,
    baseRef: plan.input,
    remote,
    maxDeepen: options.maxDeepen ?? DEFAULT_MAX_DEEPEN,
    log
  })
  log.info(`Comparing ${headSha} (HEAD) with ${baseSha}, its merge-base with ${plan.input} (${baseTip})`)
  return { baseSha, headSha }
}

/**
 * Where a name may point without fetching, in the order the action tries them
 * (remote-tracking branch first, as a local branch is more often behind). Names the action
 * would refuse as a ref (HEAD~1, say) are still revisions that git resolves here.
 */
function localPlan(name: string, remote: string): BaseRefPlan {
  try {
    return planBaseRef(name, remote)
  } catch {
    return { input: name, kind: 'name', local: [name], fetch: [] }
  }
}

function noHead(head: string | undefined, label: string, fetch: boolean): Error {
  if (head !== undefined) {
    return new InputError(
      `Unknown ${label} '${head}': it names no commit here. Give a branch, tag or commit (git log shows them).`
    )
  }
  return new InputError(
    fetch
      ? 'HEAD names no commit in the workspace: check out the commit to check first (actions/checkout before this step).'
      : 'The repository has no commit yet, so there is no base to compare with. Commit first, then run docker-size-check.'
  )
}

/** What the PR itself changed: the diff from the baseline to the head. */
export async function changedFilesFromGit(
  git: Pick<Git, 'diffNameStatus'>,
  revisions: Revisions
): Promise<ChangedFile[]> {
  return git.diffNameStatus(revisions.baseSha, revisions.headSha)
}

type BaseRefKind = 'sha' | 'branch' | 'tag' | 'ref' | 'name'

export interface BaseRefPlan {
  /** The input as given, for messages. */
  input: string
  kind: BaseRefKind
  /** Local names to try, in order, before fetching anything. */
  local: string[]
  /** What to fetch when none resolves, in order: a refspec and the local name it then resolves as. */
  fetch: { refspec: string; resolves: string }[]
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i
const SHORT_SHA = /^[0-9a-f]{4,39}$/i

/**
 * Decides where the base ref may be found. Remote-tracking branches come before local
 * ones: in CI they are the only ones, and on a developer's machine a local `main` is more
 * often behind `origin/main` than the PR is.
 */
export function planBaseRef(baseRef: string, remote: string): BaseRefPlan {
  const input = baseRef.trim()
  validateBaseRef(input)
  if (FULL_SHA.test(input)) {
    const sha = input.toLowerCase()
    return { input, kind: 'sha', local: [sha], fetch: [{ refspec: sha, resolves: sha }] }
  }
  const branch = (name: string) => ({
    refspec: `+refs/heads/${name}:refs/remotes/${remote}/${name}`,
    resolves: `refs/remotes/${remote}/${name}`
  })
  const tag = (name: string) => ({ refspec: `+refs/tags/${name}:refs/tags/${name}`, resolves: `refs/tags/${name}` })
  for (const prefix of ['refs/heads/', `refs/remotes/${remote}/`]) {
    if (input.startsWith(prefix)) {
      const name = input.slice(prefix.length)
      return {
        input,
        kind: 'branch',
        local: [`refs/remotes/${remote}/${name}`, `refs/heads/${name}`],
        fetch: [branch(name)]
      }
    }
  }
  if (input.startsWith('refs/tags/')) {
    return { input, kind: 'tag', local: [input], fetch: [tag(input.slice('refs/tags/'.length))] }
  }
  if (input.startsWith('refs/')) {
    // Any other full ref (refs/pull/7/head, say) is fetched under its own name.
    return { input, kind: 'ref', local: [input], fetch: [{ refspec: `+${input}:${input}`, resolves: input }] }
  }
  // A plain name is tried as a branch, then as a tag, and last as anything git itself can
  // resolve here (a short SHA, `origin/main`). A short SHA cannot be fetched: the remote
  // only answers full object names.
  return {
    input,
    kind: 'name',
    local: [`refs/remotes/${remote}/${input}`, `refs/heads/${input}`, `refs/tags/${input}`, input],
    fetch: [branch(input), tag(input)]
  }
}

/** What git refuses in a ref name (git-check-ref-format): spaces, ~ ^ : ? * [ \ and control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern is for
const REF_SPECIALS = /[\s~^:?*[\\\x00-\x1f\x7f]/

/** Rejects what git would refuse as a ref name, with a message that names the input. */
export function validateBaseRef(baseRef: string): void {
  const problem =
    baseRef === ''
      ? 'it is empty'
      : baseRef.startsWith('-')
        ? 'it starts with "-"'
        : REF_SPECIALS.test(baseRef)
          ? 'it contains a space or one of ~ ^ : ? * [ \\'
          : baseRef.includes('..') || baseRef.includes('@{') || baseRef.includes('//')
            ? 'it contains "..", "@{" or "//"'
            : baseRef.startsWith('/') || baseRef.endsWith('/') || baseRef.endsWith('.') || baseRef.endsWith('.lock')
              ? 'it starts or ends with "/", or ends with "." or ".lock"'
              : null
  if (problem !== null) {
    throw new Error(
      `Invalid base-ref '${baseRef}': ${problem}. Expected a branch name (such as main), a tag, or a full commit SHA.`
    )
  }
}

/** `git fetch` arguments for the base tip: depth 1 in a shallow clone, never in a full one. */
export function fetchBaseArgs(remote: string, refspec: string, shallow: boolean): string[] {
  // A --depth fetch into a complete repository would make it shallow.
  return ['--no-tags', '--no-recurse-submodules', ...(shallow ? ['--depth=1'] : []), remote, refspec]
}

/**
 * `git fetch --deepen` arguments. Both commits are asked for by SHA: the server deepens
 * only the shallow boundaries reachable from what is asked for, so HEAD must be among them
 * for its side to grow, and there is no branch that surely points at it (the PR's merge
 * commit is only under refs/pull/). actions/checkout fetches by SHA itself, so a server it
 * works with allows this.
 */
export function deepenArgs(remote: string, step: number, headSha: string, baseSha: string): string[] {
  return ['--no-tags', '--no-recurse-submodules', `--deepen=${step}`, remote, headSha, baseSha]
}

export function unshallowArgs(remote: string, headSha: string, baseSha: string): string[] {
  return ['--no-tags', '--no-recurse-submodules', '--unshallow', remote, headSha, baseSha]
}

/**
 * How much to deepen by in each round: 1, 2, 4 … while the total stays within `maxDeepen`
 * (the last step takes what remains). Doubling keeps the common cases (the merge commit
 * needs one step, a PR of a few commits a handful) to few round trips without fetching far
 * more history than needed.
 */
export function deepenSchedule(maxDeepen: number): number[] {
  const steps: number[] = []
  let total = 0
  for (let step = 1; total < maxDeepen; step *= 2) {
    const next = Math.min(step, maxDeepen - total)
    steps.push(next)
    total += next
  }
  return steps
}

/** The base tip fetched from `remote`, when none of the plan's names is here. */
async function fetchBaseTip(git: RevisionGit, plan: BaseRefPlan, remote: string, log: Logger): Promise<string> {
  const shallow = await git.isShallow()
  for (const { refspec, resolves } of plan.fetch) {
    try {
      await git.fetch(fetchBaseArgs(remote, refspec, shallow))
    } catch (error) {
      if (isMissingOnRemote(error)) continue
      throw new Error(
        `Could not fetch base-ref '${plan.input}' from remote '${remote}': ${errorMessage(error)}. ` +
          'The workspace must be a clone whose remote can still be fetched from: with actions/checkout keep ' +
          'persist-credentials at its default (true), or check out with fetch-depth: 0.',
        { cause: error }
      )
    }
    const [sha = null] = await git.resolveCommits([resolves])
    if (sha !== null) {
      log.info(`Base ref ${plan.input} is ${sha} (fetched ${refspec}${shallow ? ' at depth 1' : ''})`)
      return sha
    }
  }
  throw unknownBaseRef(plan, remote)
}

function unknownBaseRef(plan: BaseRefPlan, remote: string): Error {
  const where =
    plan.kind === 'sha'
      ? `no commit ${plan.input} is here, and remote '${remote}' does not have it`
      : `it names no branch, tag or commit here, and remote '${remote}' has no ${plan.kind === 'tag' ? 'tag' : plan.kind === 'branch' ? 'branch' : 'branch or tag'} of that name`
  const shortSha = plan.kind === 'name' && SHORT_SHA.test(plan.input)
  return new Error(
    `Unknown base-ref '${plan.input}': ${where}. ` +
      (shortSha
        ? 'It looks like a short commit SHA, which can only be found once that commit is fetched: give the full 40-character SHA. '
        : '') +
      'Set the base-ref input to the branch the pull request targets (the default is ' +
      '${{ github.event.pull_request.base.ref }}), a tag, or a full commit SHA that exists on the remote.'
  )
}

interface MergeBaseSearch {
  headSha: string
  baseTip: string
  baseRef: string
  remote: string
  maxDeepen: number
  log: Logger
}

async function findMergeBase(git: RevisionGit, search: MergeBaseSearch): Promise<string> {
  const { headSha, baseTip, remote } = search
  const found = await git.mergeBase(headSha, baseTip)
  if (found !== null) return found
  if (!(await git.isShallow())) throw noCommonHistory(search)

  let visible = await git.countCommits([headSha, baseTip])
  for (const step of deepenSchedule(search.maxDeepen)) {
    search.log.info(
      `The merge-base of HEAD and ${search.baseRef} is not in the shallow history yet: deepening by ${step}`
    )
    await fetchOrExplain(git, deepenArgs(remote, step, headSha, baseTip), search)
    const base = await git.mergeBase(headSha, baseTip)
    if (base !== null) return base
    if (!(await git.isShallow())) throw noCommonHistory(search)
    const now = await git.countCommits([headSha, baseTip])
    // Nothing new arrived: both histories are complete and the shallow boundary that
    // remains belongs to other refs, so deepening further cannot help.
    if (now === visible) break
    visible = now
  }

  search.log.info(`Fetching the whole history of HEAD and ${search.baseRef} to find their merge-base`)
  await fetchOrExplain(git, unshallowArgs(remote, headSha, baseTip), search)
  const base = await git.mergeBase(headSha, baseTip)
  if (base !== null) return base
  throw noCommonHistory(search)
}

async function fetchOrExplain(git: RevisionGit, args: string[], search: MergeBaseSearch): Promise<void> {
  try {
    await git.fetch(args)
  } catch (error) {
    throw new Error(
      `Could not fetch more history from remote '${search.remote}' to find the merge-base of HEAD (${search.headSha}) ` +
        `and base-ref '${search.baseRef}' (${search.baseTip}): ${errorMessage(error)}. ` +
        'If HEAD is a commit the remote does not have, push it first; or check out with fetch-depth: 0.',
      { cause: error }
    )
  }
}

function noCommonHistory(search: MergeBaseSearch): Error {
  return new Error(
    `HEAD (${search.headSha}) and base-ref '${search.baseRef}' (${search.baseTip}) share no history, so there is ` +
      'no merge-base to compare against. Set base-ref to the branch the pull request targets.'
  )
}

/** Whether a failed fetch means "the remote has no such ref or commit" rather than a broken remote. */
export function isMissingOnRemote(error: unknown): boolean {
  if (!(error instanceof CommandError)) return false
  return /couldn't find remote ref|not our ref|unadvertised object|no such remote ref/i.test(error.result.stderr)
}
