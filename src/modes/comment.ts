import type { Logger } from '../shared/logger.js'
import { CheckSettings, RunnerContext } from '../inputs/inputs.js'
import { ImageSpec } from '../inputs/images-config.js'
import { loadImageSpecs } from '../discover/from-repository.js'
import { limitsOf } from '../discover/discover.js'
import { createOctokit } from '../tools/octokit.js'
import { readArtifact, SizeArtifact, stateFromArtifact } from '../serialized/run-file.js'
import { findPullRequestForRun, readWorkflowRun } from './workflow-run.js'
import { MeasuredImage, RunState } from '../shared/types.js'
import { ArtifactError } from '../shared/errors.js'

export interface LoadedMeasurement {
  state: RunState
  /** The PR to comment on, found through the API; null when none matches the run's head any more. */
  pullNumber: number | null
  /** The commit the measure run was triggered for (the PR's head), from the trusted event. */
  headSha: string
  /**
   * Who made the sizes. `trusted`: a job of this same `pull_request_target` run, the default
   * branch's workflow, which built the PR's head as data. `pull-request`: the PR's own run
   * (`workflow_run` after `pull_request`), whose workflow file the PR can change, and so
   * what it wrote: its sizes are shown, never certified with a `success` status.
   */
  measuredBy: 'trusted' | 'pull-request'
}

/**
 * The `comment` mode's input: the measure run's artifact, validated, and the PR it belongs
 * to. Nothing of the PR's code is checked out or run here; the artifact is only read as data.
 */
export async function loadMeasurement(
  settings: Pick<CheckSettings, 'images' | 'configFile'>,
  context: RunnerContext,
  token: string,
  artifactDir: string,
  eventPath: string | undefined,
  log: Logger
): Promise<LoadedMeasurement> {
  if (context.eventName === 'pull_request_target') {
    return loadTrustedMeasurement(settings, context, artifactDir)
  }
  const run = readWorkflowRun(eventPath)
  if (!run) {
    throw new Error(
      `mode: comment runs on the pull_request_target event, after a measure job of the same run, or on ` +
        `workflow_run (this is ${context.eventName || 'no event'}): see docs/trust-model.md for the workflows.`
    )
  }
  const artifact: SizeArtifact = await readArtifact(artifactDir)
  // Always checked: an artifact that names no PR is still one made for some commit.
  if (artifact.headSha !== run.headSha) {
    throw new ArtifactError(
      `The artifact was made for commit ${artifact.headSha.slice(0, 12)}, but the run that ` +
        `triggered this one measured ${run.headSha.slice(0, 12)}. Download the artifact of that run (run-id: ` +
        '${{ github.event.workflow_run.id }}).'
    )
  }
  const octokit = createOctokit(token, context.apiUrl, undefined, log)
  const pullNumber = await findPullRequestForRun(octokit, {
    owner: context.owner,
    repo: context.repo,
    run,
    hint: artifact.pullRequest?.number ?? null
  })
  if (pullNumber === null) {
    log.warning(
      `No open pull request of ${context.owner}/${context.repo} has the head ${run.headSha.slice(0, 12)} any more ` +
        '(it was pushed to, or closed): nothing is posted. The run for the newer head will post its own comment.'
    )
  }
  const state = stateFromArtifact(artifact)
  // The limits are this run's: its inputs (read by the caller) and the images config of the
  // base branch's checkout, the workspace here. Nothing in the artifact sets a limit.
  holdToTrustedLimits(state.measured, await loadImageSpecs(settings, context.workspace))
  return { state, pullNumber, headSha: run.headSha, measuredBy: 'pull-request' }
}

/**
 * The comment job of a `pull_request_target` run: the artifact comes from the measure job of
 * this same run (actions/download-artifact without run-id), a job of the default branch's
 * workflow with no permissions and no secrets that built the PR's head as data. The PR and
 * its head are the event's, which GitHub writes.
 */
async function loadTrustedMeasurement(
  settings: Pick<CheckSettings, 'images' | 'configFile'>,
  context: RunnerContext,
  artifactDir: string
): Promise<LoadedMeasurement> {
  const pr = context.pullRequest
  if (!pr || !/^[0-9a-f]{40,64}$/.test(pr.headSha)) {
    throw new Error('The pull_request_target event names no pull request and head commit: nothing to comment on.')
  }
  const artifact: SizeArtifact = await readArtifact(artifactDir)
  if (artifact.headSha !== pr.headSha) {
    throw new ArtifactError(
      `The artifact was made for commit ${artifact.headSha.slice(0, 12)}, but this pull_request_target run is for ` +
        `${pr.headSha.slice(0, 12)}. Download the artifact of this run's measure job (no run-id).`
    )
  }
  const state = stateFromArtifact(artifact)
  holdToTrustedLimits(state.measured, await loadImageSpecs(settings, context.workspace))
  return { state, pullNumber: pr.number, headSha: pr.headSha, measuredBy: 'trusted' }
}

/**
 * Gives each measured image the own limits (and the name) of its entry in the trusted images
 * config, matched by Dockerfile path; where a config lists one Dockerfile more than once, the
 * entry of the same name. An image the config does not list is held to the global limits.
 * (The path and the name come from the artifact, like the sizes: what this protects against is
 * a fork loosening its own config or workflow, not a measure run that lies about what it built.)
 */
export function holdToTrustedLimits(measured: MeasuredImage[], specs: ImageSpec[] | null): void {
  for (const image of measured) {
    const { target } = image
    delete target.limits
    const candidates = (specs ?? []).filter(
      spec => spec.dockerfile === target.dockerfile || spec.dockerfile === target.baseDockerfile
    )
    const spec = candidates.find(candidate => candidate.name === target.name) ?? candidates[0]
    if (!spec) continue
    target.limits = limitsOf(spec)
    if (spec.name) target.name = spec.name
  }
}
