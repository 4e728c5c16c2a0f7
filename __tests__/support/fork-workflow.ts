// The two-step workflow for PRs from forks, as the README sets it up: `mode: measure` on the
// fork's pull_request (a read-only token), then `mode: comment` on workflow_run in the base
// repository. Shared by the end-to-end tests of that workflow.
import { ActionRun, runAction } from './action-runner.js'
import { faults, GitHubStandin } from './github-standin.js'
import { OpenPullRequest, OWNER, REPO, TEST_TOKEN } from './pull-request.js'

export const FORK_OWNER = 'forker'
/** The API client's waits, a thousand times shorter. */
export const FAST = { DOCKER_SIZE_CHECK_API_TIME_UNIT_MS: '1' }

/** Step 1, on pull_request from a fork: the token is read-only, as GitHub makes it. */
export async function measureOnFork(
  standin: GitHubStandin,
  pr: OpenPullRequest,
  artifactDir: string
): Promise<ActionRun> {
  standin.failNext(faults.notAccessible({ method: 'POST', times: Infinity }))
  standin.failNext(faults.notAccessible({ method: 'PATCH', times: Infinity }))
  return runAction({
    workspace: pr.workspace,
    apiUrl: standin.url,
    repository: `${OWNER}/${REPO}`,
    event: pr.event,
    inputs: { mode: 'measure', 'artifact-path': artifactDir },
    token: TEST_TOKEN,
    env: FAST
  })
}

/** The workflow_run event GitHub sends for a fork PR's run: `pull_requests` is empty. */
export function workflowRunEvent(headSha: string, run: { id: number; conclusion: 'success' | 'failure' }) {
  return {
    name: 'workflow_run',
    payload: {
      action: 'completed',
      workflow_run: {
        id: run.id,
        event: 'pull_request',
        conclusion: run.conclusion,
        head_sha: headSha,
        head_branch: 'feature',
        head_repository: { full_name: `${FORK_OWNER}/${REPO}`, owner: { login: FORK_OWNER } },
        pull_requests: []
      },
      repository: { full_name: `${OWNER}/${REPO}` }
    }
  }
}

/** Step 2, on workflow_run: the base repository's workflow, in `workspace`, with a token that may comment. */
export async function commentOnBase(
  standin: GitHubStandin,
  step: { workspace: string; artifactDir: string; event: ReturnType<typeof workflowRunEvent> }
): Promise<ActionRun> {
  standin.clearFaults()
  standin.clearRequests()
  return runAction({
    workspace: step.workspace,
    apiUrl: standin.url,
    repository: `${OWNER}/${REPO}`,
    event: step.event,
    inputs: { mode: 'comment', 'artifact-path': step.artifactDir },
    token: TEST_TOKEN,
    env: FAST
  })
}
