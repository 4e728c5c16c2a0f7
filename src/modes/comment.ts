import * as core from '@actions/core'
import { RunnerContext } from '../inputs/inputs.js'
import { createOctokit } from '../tools/octokit.js'
import { RunState } from './check.js'
import { SizeArtifact, stateFromArtifact } from './artifact.js'
import { ArtifactError, readArtifact } from './artifact-validate.js'
import { findPullRequestForRun, readWorkflowRun } from './workflow-run.js'

export interface LoadedMeasurement {
  state: RunState
  /** The PR to comment on, found through the API; null when none matches the run's head any more. */
  pullNumber: number | null
}

/**
 * The `comment` mode's input: the measure run's artifact, validated, and the PR it belongs
 * to. Nothing of the PR's code is checked out or run here; the artifact is only read as data.
 */
export async function loadMeasurement(
  context: RunnerContext,
  token: string,
  artifactDir: string,
  eventPath: string | undefined
): Promise<LoadedMeasurement> {
  const run = readWorkflowRun(eventPath)
  if (!run) {
    throw new Error(
      `mode: comment runs on the workflow_run event (this is ${context.eventName || 'no event'}): ` +
        'trigger it with `on: workflow_run` after the measure workflow, as the README shows.'
    )
  }
  const artifact: SizeArtifact = await readArtifact(artifactDir)
  // A measure run on pull_request always names its PR and head: an artifact without them
  // would skip the check that it was made for the commit this run is about.
  if (!artifact.pullRequest) {
    throw new ArtifactError(
      'The artifact names no pull request (pullRequest is null), so it cannot be matched to the run that triggered ' +
        'this one. Run mode: measure on the pull_request event, as the README shows.'
    )
  }
  if (artifact.pullRequest.headSha !== run.headSha) {
    throw new ArtifactError(
      `The artifact was made for commit ${artifact.pullRequest.headSha.slice(0, 12)}, but the run that ` +
        `triggered this one measured ${run.headSha.slice(0, 12)}. Download the artifact of that run (run-id: ` +
        '${{ github.event.workflow_run.id }}).'
    )
  }
  const octokit = createOctokit(token, context.apiUrl)
  const pullNumber = await findPullRequestForRun(octokit, {
    owner: context.owner,
    repo: context.repo,
    run,
    hint: artifact.pullRequest.number
  })
  if (pullNumber === null) {
    core.warning(
      `No open pull request of ${context.owner}/${context.repo} has the head ${run.headSha.slice(0, 12)} any more ` +
        '(it was pushed to, or closed): nothing is posted. The run for the newer head will post its own comment.'
    )
  }
  return { state: stateFromArtifact(artifact), pullNumber }
}
