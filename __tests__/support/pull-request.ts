// A pull request as the action meets it on GitHub: a remote with a base branch and a PR
// branch, the workspace actions/checkout leaves, and the PR known to the API stand-in.
import { Git } from '../../src/tools/git.js'
import { ActionRunOptions, runAction } from './action-runner.js'
import { GitHubStandin } from './github-standin.js'
import {
  commitFiles,
  FileChanges,
  git,
  makeBareRemote,
  makeCheckoutWorkspace,
  makeRepo,
  CheckoutWorkspace
} from './repo.js'

export const OWNER = 'octo'
export const REPO = 'app'

export interface PullRequestScenario {
  /** Files on the base branch before the PR forks. */
  base: FileChanges
  /** What the PR changes. */
  pr: FileChanges
  /** What lands on the base branch after the PR forked (never part of the PR's effect). */
  baseLater?: FileChanges
  number?: number
  /** Owner of the fork the PR comes from; default: the same repository. */
  headOwner?: string
}

export interface OpenPullRequest extends CheckoutWorkspace {
  repo: string
  event: { name: string; payload: unknown }
}

/** Makes the repositories and the checkout workspace, and registers the PR's files with the stand-in. */
export async function openPullRequest(standin: GitHubStandin, scenario: PullRequestScenario): Promise<OpenPullRequest> {
  const number = scenario.number ?? 1
  const repo = await makeRepo()
  await commitFiles(repo, scenario.base, 'base')
  await git(repo, ['checkout', '--quiet', '-b', 'feature'])
  await commitFiles(repo, scenario.pr, 'the pull request')
  await git(repo, ['checkout', '--quiet', 'main'])
  if (scenario.baseLater) await commitFiles(repo, scenario.baseLater, 'meanwhile on main')
  const remote = await makeBareRemote(repo)
  return checkOutPullRequest(standin, repo, remote, { number, headOwner: scenario.headOwner })
}

/**
 * The PR from branch `feature` of `remote` into `main`, as a run meets it: the checkout
 * workspace, and the PR known to the stand-in. For tests that shape the remote themselves.
 */
export async function checkOutPullRequest(
  standin: GitHubStandin,
  repo: string,
  remote: string,
  options: { number?: number; headOwner?: string; remoteUrl?: string } = {}
): Promise<OpenPullRequest> {
  const workspace = await makeCheckoutWorkspace({ remote, head: 'feature', number: options.number ?? 1 })
  if (options.remoteUrl) await git(workspace.workspace, ['remote', 'set-url', 'origin', options.remoteUrl])
  await registerPull(standin, repo, workspace, options.headOwner)
  return { ...workspace, repo, event: pullRequestEvent(workspace) }
}

/** Pushes another commit to the PR branch and remakes the merge ref, as a new push to the PR does. */
export async function pushToPullRequest(
  standin: GitHubStandin,
  pr: OpenPullRequest,
  files: FileChanges
): Promise<OpenPullRequest> {
  await git(pr.repo, ['checkout', '--quiet', 'feature'])
  await commitFiles(pr.repo, files, 'another push')
  await git(pr.repo, ['checkout', '--quiet', 'main'])
  await git(pr.repo, ['push', '--quiet', '--force', pr.remote, 'feature:feature'])
  const workspace = await makeCheckoutWorkspace({ remote: pr.remote, head: 'feature', number: pr.number })
  await registerPull(standin, pr.repo, workspace)
  return { ...workspace, repo: pr.repo, event: pullRequestEvent(workspace) }
}

async function registerPull(
  standin: GitHubStandin,
  repo: string,
  workspace: CheckoutWorkspace,
  headOwner?: string
): Promise<void> {
  // The API lists the PR's files relative to its fork point, as GitHub does.
  const files = await new Git(repo).diffNameStatus(workspace.forkPointSha, workspace.headSha)
  standin.addPull({
    owner: OWNER,
    repo: REPO,
    number: workspace.number,
    headSha: workspace.headSha,
    baseSha: workspace.baseSha,
    baseRef: 'main',
    headRef: 'feature',
    ...(headOwner ? { headOwner } : {}),
    files: files.map(file => ({
      filename: file.path,
      status: file.status,
      ...(file.previousPath ? { previous_filename: file.previousPath } : {})
    }))
  })
}

function pullRequestEvent(workspace: CheckoutWorkspace): { name: string; payload: unknown } {
  return {
    name: 'pull_request',
    payload: {
      action: 'synchronize',
      number: workspace.number,
      pull_request: {
        number: workspace.number,
        base: { ref: 'main', sha: workspace.baseSha },
        head: { ref: 'feature', sha: workspace.headSha }
      },
      repository: { name: REPO, owner: { login: OWNER }, full_name: `${OWNER}/${REPO}` }
    }
  }
}

/** The token the stand-in expects from the action in end-to-end tests. */
export const TEST_TOKEN = 'ghs_test_token'

/**
 * A FROM scratch image in `folder` holding one file of `bytes` bytes: its size is known in
 * advance. The Dockerfile names the file, so a change of size is a change of the Dockerfile.
 */
export function scratchImage(folder: string, bytes: number): Record<string, string> {
  const prefix = folder ? `${folder}/` : ''
  return {
    [`${prefix}Dockerfile`]: `FROM scratch\nCOPY payload-${bytes}.bin /payload.bin\n`,
    [`${prefix}payload-${bytes}.bin`]: 'x'.repeat(bytes)
  }
}

/** Runs the bundled action on the PR as the runner would, and reads back the PR's comments. */
export async function runOnPullRequest(
  standin: GitHubStandin,
  pr: OpenPullRequest,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
  options: Pick<ActionRunOptions, 'withDefaults' | 'eventText'> = {}
) {
  const run = await runAction({
    workspace: pr.workspace,
    apiUrl: standin.url,
    repository: `${OWNER}/${REPO}`,
    event: pr.event,
    inputs,
    token: TEST_TOKEN,
    env,
    ...options
  })
  return { run, comments: commentsOn(standin, pr.number) }
}

/** The comments of the test repository's PR `number`, as the stand-in holds them. */
export function commentsOn(standin: GitHubStandin, number: number) {
  return standin.comments({ owner: OWNER, repo: REPO, issueNumber: number })
}
