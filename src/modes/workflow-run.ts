import { readFileSync } from 'node:fs'
import type { Octokit } from '../tools/octokit.js'

/** What the `workflow_run` event says about the run that measured (trusted: GitHub writes it). */
export interface WorkflowRunEvent {
  id: number
  /** The PR's head commit, the one the measure run was triggered for. */
  headSha: string
  headBranch: string
  /** Owner of the repository the head branch is in: a fork's owner for a fork PR. */
  headOwner: string
  /** PR numbers GitHub attached to the run: empty for fork PRs, so never the only source. */
  pullRequests: number[]
}

interface WorkflowRunPayload {
  workflow_run?: {
    id?: unknown
    head_sha?: unknown
    head_branch?: unknown
    head_repository?: { owner?: { login?: unknown } }
    pull_requests?: Array<{ number?: unknown }>
  }
}

/** Reads the `workflow_run` event payload; null when the run was triggered by anything else. */
export function readWorkflowRun(eventPath: string | undefined): WorkflowRunEvent | null {
  if (!eventPath) return null
  let payload: WorkflowRunPayload
  try {
    payload = JSON.parse(readFileSync(eventPath, 'utf8')) as WorkflowRunPayload
  } catch {
    return null
  }
  const run = payload?.workflow_run
  if (!run || typeof run.head_sha !== 'string' || !/^[0-9a-f]{40,64}$/.test(run.head_sha)) return null
  return {
    id: typeof run.id === 'number' ? run.id : 0,
    headSha: run.head_sha,
    headBranch: typeof run.head_branch === 'string' ? run.head_branch : '',
    headOwner: typeof run.head_repository?.owner?.login === 'string' ? run.head_repository.owner.login : '',
    pullRequests: (run.pull_requests ?? [])
      .map(pr => pr.number)
      .filter((n): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n > 0)
  }
}

export interface PullLookup {
  owner: string
  repo: string
  run: WorkflowRunEvent
  /** The number the artifact names: used only to choose among PRs the API already matched, or checked like the others. */
  hint: number | null
}

/**
 * Finds the open PR of this repository whose head is the run's head commit. Every candidate
 * is confirmed by the API's own `head.sha`, so a number written into the artifact (or a PR
 * pushed to since) can never send the comment to another PR.
 *
 * Sources, cheapest first: the PRs of the head branch (`pulls.list` with `head=owner:branch`,
 * which finds fork PRs too), the PRs GitHub associates with the commit, then the numbers from
 * the event and the artifact, each read back.
 */
export async function findPullRequestForRun(octokit: Octokit, lookup: PullLookup): Promise<number | null> {
  const { owner, repo, run } = lookup
  const matched = new Set<number>()
  const pick = (): number => (lookup.hint !== null && matched.has(lookup.hint) ? lookup.hint : Math.min(...matched))

  if (run.headOwner && run.headBranch) {
    const pulls = await octokit.paginate(octokit.rest.pulls.list, {
      owner,
      repo,
      state: 'open',
      head: `${run.headOwner}:${run.headBranch}`,
      per_page: 100
    })
    for (const pull of pulls) if (pull.head.sha === run.headSha) matched.add(pull.number)
    if (matched.size) return pick()
  }

  // Every page: a commit that many PRs share (a release branch merged into many) lists the
  // one whose head it is anywhere among them, not only on the first page of 30.
  const associated = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
    owner,
    repo,
    commit_sha: run.headSha,
    per_page: 100
  })
  for (const pull of associated) {
    if (pull.state === 'open' && pull.head.sha === run.headSha) matched.add(pull.number)
  }
  if (matched.size) return pick()

  for (const number of new Set([...run.pullRequests, ...(lookup.hint === null ? [] : [lookup.hint])])) {
    try {
      const { data } = await octokit.rest.pulls.get({ owner, repo, pull_number: number })
      if (data.state === 'open' && data.head.sha === run.headSha) matched.add(number)
    } catch (error: unknown) {
      if ((error as { status?: number }).status !== 404) throw error
    }
  }
  return matched.size ? pick() : null
}
