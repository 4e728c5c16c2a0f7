import type { Logger } from '../shared/logger.js'
import { Octokit } from '../tools/octokit.js'
import { Comparison } from '../shared/types.js'
import { errorMessage } from '../shared/errors.js'
import { countOf, formatDelta } from '../shared/sizes.js'
import { anyLimitSet } from '../report/markdown.js'

// In the fork-safe two-step workflow the measure run's check is the fork's own workflow,
// which the fork can edit to pass. The comment run is the base branch's code: its verdict,
// set as a commit status on the PR's head, is the one a branch protection rule can require.

/** GitHub answers 422 to a longer description ("description is too long (maximum is 140 characters)"). */
const MAX_STATUS_DESCRIPTION = 140

export type CommitState = 'success' | 'failure' | 'error'

/** The status's context: one per comment key, so two checks of one repository each have their own. */
export function statusContext(commentKey: string): string {
  return `docker-size-check/${commentKey}`
}

/** The state and the one-line description of a comparison, in plain text (GitHub renders none). */
export function commitStatusOf(
  comparison: Comparison,
  runError: string | null
): { state: CommitState; description: string } {
  const images = comparison.images
  const errored = images.filter(image => image.verdict === 'error')
  const failed = images.filter(image => image.verdict === 'fail')
  const warned = images.filter(image => image.verdict === 'warn')
  const sum = (list: typeof images) => formatDelta(list.reduce((total, image) => total + (image.delta ?? 0), 0))
  let state: CommitState = 'success'
  let description: string
  if (runError) {
    state = 'error'
    description = `The size check could not finish: ${runError}`
  } else if (errored.length || failed.length) {
    state = errored.length ? 'error' : 'failure'
    description = [
      errored.length ? `${countOf(errored.length, 'image')} failed to build` : '',
      failed.length ? `${countOf(failed.length, 'image')} grew past the limit: ${sum(failed)}` : ''
    ]
      .filter(Boolean)
      .join('; ')
  } else if (warned.length) {
    description = `Within the limits; ${countOf(warned.length, 'image')} past the warning: ${sum(warned)}`
  } else if (images.length === 0) {
    description = 'No Dockerfile is affected.'
  } else {
    description = anyLimitSet(images)
      ? `${countOf(images.length, 'image')} within the limits: ${formatDelta(comparison.totalDelta)} in all`
      : `${countOf(images.length, 'image')} checked, no limit set: ${formatDelta(comparison.totalDelta)} in all`
  }
  const oneLine = description.replace(/\s+/g, ' ')
  const chars = [...oneLine]
  return {
    state,
    description:
      chars.length > MAX_STATUS_DESCRIPTION ? `${chars.slice(0, MAX_STATUS_DESCRIPTION - 1).join('')}…` : oneLine
  }
}

export interface StatusTarget {
  octokit: Octokit
  log: Logger
  owner: string
  repo: string
  /** The PR's head commit, from the trusted `workflow_run` event. */
  sha: string
  commentKey: string
  /** Where the status links: the comment run's job summary. */
  targetUrl: string
}

/** Sets the status; a refusal is a warning that says which permission is missing. Returns whether it was set. */
export async function setCommitStatus(
  target: StatusTarget,
  status: { state: CommitState; description: string }
): Promise<boolean> {
  try {
    await target.octokit.rest.repos.createCommitStatus({
      owner: target.owner,
      repo: target.repo,
      sha: target.sha,
      state: status.state,
      description: status.description,
      context: statusContext(target.commentKey),
      target_url: target.targetUrl
    })
    target.log.info(
      `Commit status ${statusContext(target.commentKey)} set to ${status.state} on ${target.sha.slice(0, 12)}.`
    )
    return true
  } catch (error) {
    const code = (error as { status?: unknown }).status
    target.log.warning(
      code === 403 || code === 404
        ? `Could not set the commit status ${statusContext(target.commentKey)}: GitHub answered ${String(code)} ` +
            `(${errorMessage(error)}). Give the comment workflow the \`statuses: write\` permission.`
        : `Could not set the commit status ${statusContext(target.commentKey)}: ${errorMessage(error)}`
    )
    return false
  }
}
