import * as core from '@actions/core'
import { resolve } from 'node:path'
import { Progress } from './build/progress.js'
import { compareImages, Limits } from './judge/judge.js'
import { getInputs, getRunnerContext, Inputs, RunnerContext } from './inputs/inputs.js'
import { labelOf } from './changes/discover.js'
import { runMerge } from './modes/merge.js'
import { describeShard } from './inputs/shard.js'
import { createOctokit } from './tools/octokit.js'
import { listChangedFiles } from './changes/pull-files.js'
import { summarizeOutcome } from './report/markdown.js'
import { publishResults } from './publish/publish.js'
import { defaultArtifactDir, toArtifact, writeArtifact } from './modes/artifact.js'
import { loadMeasurement } from './modes/comment.js'
import { abortOnSignals, interruptionOf } from './build/interrupt.js'
import { newRunState, PipelineEnvironment, runPipeline } from './modes/check.js'
import { errorMessage } from './shared/errors.js'

const NO_LIMITS: Limits = { maxIncrease: null, warnIncrease: null, maxSize: null }

const actionProgress: Progress = {
  group: (title, work) => core.group(title, work),
  info: message => core.info(message),
  warning: message => core.warning(message),
  streamBuilds: true
}

/** The action: check (or load a measure run's artifact), then report whatever happened, then set the verdict. */
export async function run(): Promise<void> {
  const stop = abortOnSignals((signal, first) => {
    if (!first) return
    core.warning(
      `Stopped by ${signal}: stopping the builds, removing the worktrees and images this run made, writing the report.`
    )
    // The runner kills 7.5 s after SIGINT and 2.5 s after SIGTERM: leave before that whatever is left.
    setTimeout(() => process.exit(signal === 'SIGINT' ? 130 : 143), SIGNAL_GRACE_MS).unref()
  })
  try {
    await checkAndReport(stop.signal)
  } finally {
    stop.dispose()
  }
}

/** How long the report may take after a signal before the process leaves anyway. */
const SIGNAL_GRACE_MS = 7000

async function checkAndReport(signal: AbortSignal): Promise<void> {
  const context = getRunnerContext()
  const state = newRunState()
  let inputs: Inputs | null = null
  let pullNumber: number | null = null
  // This step's own failure; in comment mode, a failure of the measure run is only reported.
  let stepError: string | null = null
  try {
    inputs = getInputs()
    if (inputs.githubToken) core.setSecret(inputs.githubToken)
    if (inputs.mode === 'merge') return await runMerge(inputs, context)
    for (const secret of inputs.secrets ?? []) if (secret.value) core.setSecret(secret.value)
    if (inputs.mode === 'comment') {
      const loaded = await loadMeasurement(
        context,
        inputs.githubToken,
        artifactDirOf(inputs, context),
        process.env.GITHUB_EVENT_PATH
      )
      Object.assign(state, loaded.state)
      pullNumber = loaded.pullNumber
    } else {
      pullNumber = context.pullRequest?.number ?? null
      await runPipeline(
        inputs,
        {
          repoDir: context.workspace,
          tempRoot: context.runnerTemp,
          baseRef: baseRefOf(inputs, context),
          progress: actionProgress,
          listChangedFiles: pullRequestFiles(inputs, context),
          signal
        },
        state
      )
    }
  } catch (error) {
    stepError = errorMessage(error)
    state.error = stepError
  }

  const comparison = compareImages(state.revisions, state.measured, inputs ?? NO_LIMITS)
  const interrupted = interruptionOf(signal)
  await publishResults({
    interrupted: interrupted !== null,
    inputs,
    context,
    comparison,
    engine: state.engine,
    error: state.error,
    // A shard sees a slice of the images: the merge job posts the one comment.
    pullNumber: inputs && inputs.mode !== 'measure' && !inputs.shard ? pullNumber : null,
    shard: inputs?.shard ?? null,
    handOn:
      inputs?.mode === 'measure'
        ? async () => {
            const dir = artifactDirOf(inputs as Inputs, context)
            const pr = context.pullRequest
            await writeArtifact(dir, toArtifact(state, pr ? { number: pr.number, headSha: pr.headSha } : null))
            core.info(`Measurements written to ${dir}: upload this folder for the comment workflow.`)
            return dir
          }
        : undefined
  })

  const failures = comparison.images.filter(image => image.verdict === 'fail' || image.verdict === 'error')
  if (stepError) {
    core.setFailed(stepError)
  } else if (inputs?.mode === 'comment') {
    // The measure run's check on the PR carries the verdict; failing here too would only mark
    // the base branch's workflow red.
    core.info(summarizeOutcome(comparison, state.error ?? undefined))
  } else if (state.error) {
    core.setFailed(state.error)
  } else if (inputs?.shard) {
    core.info(`Shard ${describeShard(inputs.shard)}: ${summarizeOutcome(comparison)}. The merge job gives the verdict.`)
  } else if (failures.length) {
    core.setFailed(failures.map(image => `${labelOf(image.target)}: ${image.reason}`).join('\n'))
  } else {
    core.info(summarizeOutcome(comparison))
  }
  // After setFailed, which sets 1: a stopped run ends as the signal's.
  if (interrupted) process.exitCode = interrupted.exitCode
}

function artifactDirOf(inputs: Inputs, context: RunnerContext): string {
  return inputs.artifactPath ? resolve(context.workspace, inputs.artifactPath) : defaultArtifactDir(context.runnerTemp)
}

/**
 * The PR's files come from the API, which stops at 3,000; past that, without a PR, or with
 * a base-ref of the user's choosing (the API's list is relative to the PR's base), the
 * pipeline falls back to `git diff` between the two revisions.
 */
function pullRequestFiles(inputs: Inputs, context: RunnerContext): PipelineEnvironment['listChangedFiles'] {
  const pr = context.pullRequest
  if (!pr || !inputs.githubToken || inputs.baseRef) return undefined
  return async () => {
    try {
      const octokit = createOctokit(inputs.githubToken, context.apiUrl)
      const listed = await listChangedFiles(octokit, {
        owner: context.owner,
        repo: context.repo,
        pullNumber: pr.number
      })
      if (listed.complete) return listed.files
      core.info('The PR lists 3,000 files or more, past what the API returns: reading the changes with git diff.')
    } catch (error) {
      core.warning(`Could not list the PR's files through the API (${errorMessage(error)}); using git diff.`)
    }
    return null
  }
}

function baseRefOf(inputs: Inputs, context: RunnerContext): string {
  const baseRef = inputs.baseRef || context.pullRequest?.baseRef || ''
  if (!baseRef) {
    throw new Error(
      `No baseline to compare with: this ${context.eventName || 'run'} event names no pull request base. ` +
        'Run on pull_request, or set base-ref to a branch, tag or commit (for example base-ref: main).'
    )
  }
  return baseRef
}
