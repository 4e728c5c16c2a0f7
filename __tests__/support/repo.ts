// Builds real git repositories in temporary folders, and workspaces shaped exactly like
// the ones actions/checkout leaves. Plain async functions, no test framework, so unit,
// integration and end-to-end tests can all use them.

import { execFile } from 'node:child_process'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/**
 * The environment every helper runs git in. The developer's global and system config stay
 * out (a global `commit.gpgsign`, hooks or `init.defaultBranch` would change what the
 * helpers make); the identity is set per repository, and the bare remote's merge commits
 * get theirs from these variables.
 */
const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: os.devNull,
  GIT_TERMINAL_PROMPT: '0',
  // Paths given to `git add` are file names, never globs or magic pathspecs.
  GIT_LITERAL_PATHSPECS: '1',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.test',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.test'
}

/** Runs git in `cwd` and returns stdout; a failure throws with git's stderr in the message. */
export async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', args, { cwd, env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? ''
    throw new Error(`git ${args.join(' ')} (in ${cwd}) failed: ${stderr.trim() || String(error)}`, { cause: error })
  }
}

/** Like `git`, trimmed: for commands that print one SHA or one word. */
export async function gitLine(cwd: string, args: string[]): Promise<string> {
  return (await git(cwd, args)).trim()
}

const tempDirs = new Set<string>()

/** A new empty folder under the system's temporary folder, removed by `cleanupTempDirs`. */
export async function makeTempDir(prefix = 'repo'): Promise<string> {
  // realpath: git prints real paths (macOS's /var is a symlink), and tests compare them.
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), `docker-size-check-${prefix}-`)))
  tempDirs.add(dir)
  return dir
}

/** Removes every folder the helpers made in this module instance (call from `afterAll`). */
export async function cleanupTempDirs(): Promise<void> {
  const dirs = [...tempDirs]
  tempDirs.clear()
  await Promise.all(dirs.map(dir => fs.rm(dir, { recursive: true, force: true })))
}

/** A new repository on branch `main` with a local identity and no commits yet. */
export async function makeRepo(options: { branch?: string } = {}): Promise<string> {
  const dir = await makeTempDir('repo')
  await git(dir, ['init', '--quiet', '-b', options.branch ?? 'main'])
  await git(dir, ['config', 'user.name', 'Test Author'])
  await git(dir, ['config', 'user.email', 'author@example.test'])
  await git(dir, ['config', 'commit.gpgsign', 'false'])
  return dir
}

/** File path (from the repository root) → new content, or null to delete the file. */
export type FileChanges = Record<string, string | null>

/** A FileChanges value that commits a symlink to `target` rather than a file. */
export function symlinkTo(target: string): string {
  return `${SYMLINK}${target}`
}

const SYMLINK = '\0symlink:'

/**
 * Writes and deletes the given files and commits exactly those changes on the current
 * branch; no files makes an empty commit. Returns the new commit's SHA.
 */
export async function commitFiles(repo: string, files: FileChanges, message: string): Promise<string> {
  const paths = Object.keys(files)
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(repo, file)
    if (content === null) {
      await fs.rm(target, { force: true })
    } else if (content.startsWith(SYMLINK)) {
      await fs.mkdir(path.dirname(target), { recursive: true })
      await fs.rm(target, { recursive: true, force: true })
      await fs.symlink(content.slice(SYMLINK.length), target)
    } else {
      await fs.mkdir(path.dirname(target), { recursive: true })
      await fs.writeFile(target, content)
    }
  }
  if (paths.length > 0) await git(repo, ['add', '--all', '--', ...paths])
  await git(repo, ['commit', '--quiet', '--allow-empty', '--no-verify', '-m', message])
  return gitLine(repo, ['rev-parse', 'HEAD'])
}

/** `count` commits, each changing one file under `history/`, so a branch gets some depth. */
export async function commitHistory(repo: string, count: number, label = 'commit'): Promise<string> {
  let sha = ''
  for (let i = 1; i <= count; i++) {
    sha = await commitFiles(repo, { [`history/${label}.txt`]: `${label} ${i}\n` }, `${label} ${i}`)
  }
  return sha
}

/** A bare clone of `repo` with all its branches and tags: the stand-in for the GitHub repository. */
export async function makeBareRemote(repo: string): Promise<string> {
  const bare = await makeTempDir('remote')
  await git(bare, ['clone', '--quiet', '--bare', '--no-local', repo, '.'])
  return bare
}

/** `file://` URL of a folder. A plain path makes git copy the repository and ignore --depth. */
export function fileUrl(dir: string): string {
  return `file://${dir}`
}

export interface PullRequestSpec {
  /** The bare remote holding both branches. */
  remote: string
  /** The pull request number, for refs/pull/<number>/… (default 1). */
  number?: number
  /** The base branch in the remote (default `main`). */
  base?: string
  /** The PR branch (or any revision) in the remote. */
  head: string
  /**
   * Delete the head branch from the remote once the pull refs exist, as for a PR from a
   * fork: then only refs/pull/<n>/* reach its commits.
   */
  fromFork?: boolean
}

export interface PullRequestRefs {
  remote: string
  number: number
  /** The base branch's tip when the merge commit was made (its first parent). */
  baseSha: string
  /** The PR's head commit (refs/pull/<n>/head). */
  headSha: string
  /** GitHub's test merge of the head into the base tip (refs/pull/<n>/merge). */
  mergeSha: string
  /** Where the PR branch left the base branch: the merge-base of base tip and head. */
  forkPointSha: string
}

/**
 * Makes refs/pull/<n>/head and refs/pull/<n>/merge in the bare remote as GitHub does: the
 * merge commit has the base tip as first parent and the PR head as second, and the message
 * GitHub writes. Made with `merge-tree --write-tree` and `commit-tree` (git 2.38 and later),
 * so the remote needs no working tree. Throws when the branches conflict, as GitHub then
 * makes no merge ref either.
 */
export async function createPullRequestRefs(spec: PullRequestSpec): Promise<PullRequestRefs> {
  const { remote } = spec
  const number = spec.number ?? 1
  const baseSha = await gitLine(remote, ['rev-parse', '--verify', `${spec.base ?? 'main'}^{commit}`])
  const headSha = await gitLine(remote, ['rev-parse', '--verify', `${spec.head}^{commit}`])
  const forkPointSha = await gitLine(remote, ['merge-base', baseSha, headSha])
  let tree: string
  try {
    tree = (await gitLine(remote, ['merge-tree', '--write-tree', baseSha, headSha])).split('\n')[0] ?? ''
  } catch (error) {
    throw new Error(
      `Cannot make the merge commit for pull request #${number} (conflict, or git older than 2.38): ${String(error)}`,
      { cause: error }
    )
  }
  const mergeSha = await gitLine(remote, [
    'commit-tree',
    tree,
    '-p',
    baseSha,
    '-p',
    headSha,
    '-m',
    `Merge ${headSha} into ${baseSha}`
  ])
  await git(remote, ['update-ref', `refs/pull/${number}/head`, headSha])
  await git(remote, ['update-ref', `refs/pull/${number}/merge`, mergeSha])
  if (spec.fromFork) await git(remote, ['update-ref', '-d', `refs/heads/${spec.head}`])
  return { remote, number, baseSha, headSha, mergeSha, forkPointSha }
}

export interface CheckoutOptions extends PullRequestSpec {
  /** actions/checkout's `fetch-depth`: 1 by default, 0 for all history. */
  fetchDepth?: number
}

export interface CheckoutWorkspace extends PullRequestRefs {
  /** The workspace folder (GITHUB_WORKSPACE). */
  workspace: string
  /** The URL the workspace's `origin` points at. */
  remoteUrl: string
  /** The commit checked out (detached HEAD). */
  checkedOutSha: string
}

/**
 * A workspace as actions/checkout v4 leaves it for a `pull_request` event with default
 * inputs: an empty repository with `origin`, then
 *   git -c protocol.version=2 fetch --no-tags --prune --no-recurse-submodules --depth=1 \
 *     origin +<merge sha>:refs/remotes/pull/<n>/merge
 *   git checkout --progress --force refs/remotes/pull/<n>/merge
 * so it holds one commit (the merge commit, shallow), no branches, and a detached HEAD.
 * checkout fetches by the SHA of github.sha rather than by refs/pull/<n>/merge, so the
 * workspace does not move if GitHub remakes the merge meanwhile; the result is the same.
 * With `fetchDepth: 0` it fetches every branch and tag first, with full history, as
 * `fetch-depth: 0` does.
 */
export async function makeCheckoutWorkspace(options: CheckoutOptions): Promise<CheckoutWorkspace> {
  const refs = await createPullRequestRefs(options)
  const trackingRef = `refs/remotes/pull/${refs.number}/merge`
  const { workspace, remoteUrl } = await initWorkspace(refs.remote)
  await checkoutFetch(workspace, options.fetchDepth ?? 1, [`+${refs.mergeSha}:${trackingRef}`])
  await git(workspace, ['checkout', '--progress', '--force', trackingRef])
  return { ...refs, workspace, remoteUrl, checkedOutSha: refs.mergeSha }
}

/**
 * A workspace as actions/checkout v4 leaves it with `ref: ${{ github.event.pull_request.head.sha }}`:
 * a SHA alone is fetched with no destination ref (`fetch … --depth=1 origin <sha>`) and
 * checked out detached, so the workspace holds the PR head and nothing else.
 */
export async function makeHeadCheckoutWorkspace(options: CheckoutOptions): Promise<CheckoutWorkspace> {
  const refs = await createPullRequestRefs(options)
  const { workspace, remoteUrl } = await initWorkspace(refs.remote)
  await checkoutFetch(workspace, options.fetchDepth ?? 1, [refs.headSha])
  await git(workspace, ['checkout', '--progress', '--force', refs.headSha])
  return { ...refs, workspace, remoteUrl, checkedOutSha: refs.headSha }
}

async function initWorkspace(remote: string): Promise<{ workspace: string; remoteUrl: string }> {
  const workspace = await makeTempDir('workspace')
  const remoteUrl = fileUrl(remote)
  await git(workspace, ['init', '--quiet'])
  await git(workspace, ['remote', 'add', 'origin', remoteUrl])
  await git(workspace, ['config', '--local', 'gc.auto', '0'])
  return { workspace, remoteUrl }
}

async function checkoutFetch(workspace: string, fetchDepth: number, refspecs: string[]): Promise<void> {
  const common = ['-c', 'protocol.version=2', 'fetch', '--prune', '--no-recurse-submodules']
  if (fetchDepth > 0) {
    await git(workspace, [...common, '--no-tags', `--depth=${fetchDepth}`, 'origin', ...refspecs])
  } else {
    // checkout's getRefSpecForAllHistory: every branch and tag, plus the commit itself.
    await git(workspace, [
      ...common,
      'origin',
      '+refs/heads/*:refs/remotes/origin/*',
      '+refs/tags/*:refs/tags/*',
      ...refspecs
    ])
  }
}

/** Whether the repository is a shallow clone. */
export async function isShallow(repo: string): Promise<boolean> {
  return (await gitLine(repo, ['rev-parse', '--is-shallow-repository'])) === 'true'
}

/** How many commits the repository holds, over all its refs and HEAD. */
export async function countAllCommits(repo: string): Promise<number> {
  return Number.parseInt(await gitLine(repo, ['rev-list', '--count', '--all', 'HEAD']), 10)
}

/**
 * A workspace as actions/checkout v4 leaves it for a `push` to `branch` with default inputs:
 *   git fetch --no-tags --prune --no-recurse-submodules --depth=1 origin +<sha>:refs/remotes/origin/<branch>
 *   git checkout --progress --force -B <branch> refs/remotes/origin/<branch>
 * one commit, shallow, on a local branch of that name.
 */
export async function makePushCheckoutWorkspace(
  remote: string,
  branch = 'main',
  sha?: string
): Promise<{ workspace: string; sha: string }> {
  const commit = sha ?? (await gitLine(remote, ['rev-parse', '--verify', `${branch}^{commit}`]))
  const { workspace } = await initWorkspace(remote)
  await checkoutFetch(workspace, 1, [`+${commit}:refs/remotes/origin/${branch}`])
  await git(workspace, ['checkout', '--progress', '--force', '-B', branch, `refs/remotes/origin/${branch}`])
  return { workspace, sha: commit }
}
