import * as core from '@actions/core'
import { resolve } from 'node:path'
import { Progress } from './scheduler/progress.js'
import { compareImages } from './judge/judge.js'
import { getInputs, getRunnerContext, Inputs, RunnerContext } from './inputs/inputs.js'
import { runMerge } from './modes/merge.js'
import { describeShard } from './inputs/shard.js'
import { createOctokit } from './tools/octokit.js'
import { listChangedFiles } from './discover/pull-files.js'
import { summarizeOutcome } from './report/markdown.js'
import { inertText } from './shared/inert.js'
import { publishResults, Results } from './publish/publish.js'
import { commitStatusOf, setCommitStatus } from './publish/commit-status.js'
import { ArtifactTrigger, defaultArtifactDir, toArtifact, writeArtifact } from './serialized/run-file.js'
import { loadMeasurement } from './modes/comment.js'
import { abortOnSignals, interruptionOf } from './scheduler/interrupt.js'
import { newRunState, PipelineEnvironment, runPipeline } from './modes/pipeline.js'
import { errorMessage, InputError } from './shared/errors.js'
import { RecordOutcome, runRecord } from './modes/record.js'
import { redactor, secretFragments } from './shared/redact.js'
import { eventPathOf } from './inputs/event.js'
import { Comparison, labelOf, NO_LIMITS, RunState } from './shared/types.js'
import { CredentialSource, dockerCredentials } from './registry/credentials.js'

// Titles and lines name paths and quote builds: inert in the job log (shared/inert.ts). A
// warning is an annotation too: a path's bidi controls would make it read otherwise.
const actionProgress: Progress = {
  group: (title, work) => core.group(inertText(title), work),
  info: message => core.info(inertText(message)),
  warning: message => core.warning(inertText(message)),
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

/**
 * One action run, in three steps: run the mode, publish whatever it left (the report and the
 * summary are written whatever failed), then give the verdict.
 */
async function checkAndReport(signal: AbortSignal): Promise<void> {
  const context = getRunnerContext()
  const run = await runMode(context, signal)
  // A merge that went through has published its results and given its verdict on its own.
  if (!run) return
  const { inputs, state } = run
  const comparison = compareImages(state.revisions, state.measured, inputs ?? NO_LIMITS)
  const interrupted = interruptionOf(signal)
  await publishResults(publicationOf(run, context, comparison, interrupted !== null))

  if (inputs?.mode === 'comment' && run.trustedHead && !run.stepError) {
    const status = commitStatusOf(comparison, state.error)
    if (status.state === 'success' && run.measuredBy !== 'trusted') {
      // The PR's own run wrote these sizes: they may fail the PR, never pass it.
      core.warning(
        'No commit status is set: the sizes come from the pull request’s own run, whose workflow the pull request ' +
          'can change, so they cannot say it passed. For a verdict to require, measure in a pull_request_target ' +
          'job of the default branch’s workflow (docs/trust-model.md).'
      )
    } else {
      await publishVerdict(inputs, context, run.trustedHead, status)
    }
  }
  setVerdict(run, comparison)
  // After setFailed, which sets 1: a stopped run ends as the signal's.
  if (interrupted) process.exitCode = interrupted.exitCode
}

/** What a mode left for the report and the verdict, filled step by step so that a failure loses nothing. */
interface ModeRun {
  /** Null when the inputs themselves were refused. */
  inputs: Inputs | null
  state: RunState
  pullNumber: number | null
  // This step's own failure; in comment mode, a failure of the measure run is only reported.
  stepError: string | null
  // In comment mode: the PR's head commit, from the trusted event, that gets the commit status.
  trustedHead: string | null
  // In comment mode: who made the sizes (see LoadedMeasurement).
  measuredBy: 'trusted' | 'pull-request' | null
  recorded: RecordOutcome | null
}

/** Reads the inputs and runs the mode; null after a merge that went through, which leaves nothing to publish. */
async function runMode(context: RunnerContext, signal: AbortSignal): Promise<ModeRun | null> {
  const run: ModeRun = {
    inputs: null,
    state: newRunState(),
    pullNumber: null,
    stepError: null,
    trustedHead: null,
    measuredBy: null,
    recorded: null
  }
  try {
    const inputs = getInputs()
    run.inputs = inputs
    // Each line of a multi-line value too: a build prints a key file line by line.
    for (const fragment of secretFragments(secretValues(inputs))) core.setSecret(fragment)
    if (inputs.githubToken) core.setSecret(inputs.githubToken)
    checkEvent(inputs, context)
    if (inputs.mode === 'merge') {
      await runMerge(inputs, context)
      return null
    }
    await runMeasuringMode(inputs, context, signal, run)
  } catch (error) {
    // Error text enters the run's data here (the build's own output is redacted where it is made).
    run.stepError = run.inputs ? redactor(secretValues(run.inputs))(errorMessage(error)) : errorMessage(error)
    run.state.error = run.stepError
  }
  return run
}

/** The modes that leave measurements: comment (loaded from the measure run), record, and check or measure. */
async function runMeasuringMode(
  inputs: Inputs,
  context: RunnerContext,
  signal: AbortSignal,
  run: ModeRun
): Promise<void> {
  if (inputs.mode === 'comment') {
    const loaded = await loadMeasurement(
      inputs,
      context,
      inputs.githubToken,
      artifactDirOf(inputs, context),
      eventPathOf(process.env)
    )
    Object.assign(run.state, loaded.state)
    run.pullNumber = loaded.pullNumber
    run.trustedHead = loaded.headSha
    run.measuredBy = loaded.measuredBy
  } else if (inputs.mode === 'record') {
    assertRecordsBranch(context)
    run.recorded = await runRecord(
      inputs,
      {
        repoDir: context.workspace,
        recordsKey: inputs.recordsKey,
        tempRoot: context.runnerTemp,
        remote: 'origin',
        progress: actionProgress,
        signal,
        registryCredentials: registryCredentials(inputs)
      },
      run.state
    )
  } else {
    run.pullNumber = context.pullRequest?.number ?? null
    await runPipeline(
      inputs,
      {
        repoDir: context.workspace,
        tempRoot: context.runnerTemp,
        baseRef: baseRefOf(inputs, context),
        progress: actionProgress,
        listChangedFiles: pullRequestFiles(inputs, context),
        recordsRemote: 'origin',
        signal,
        registryCredentials: registryCredentials(inputs)
      },
      run.state
    )
  }
}

/**
 * Registry credentials as docker keeps them (docker/login-action writes them there), each
 * value masked in the log before it is used; for ghcr.io without any, the job's token.
 */
function registryCredentials(inputs: Inputs): CredentialSource {
  return dockerCredentials({
    onSecret: value => core.setSecret(value),
    fallback: registry =>
      Promise.resolve(
        registry === 'ghcr.io' && inputs.githubToken
          ? { username: 'x-access-token', password: inputs.githubToken }
          : null
      )
  })
}

/** What the run publishes: the comment goes to the PR unless this is a measure run or a shard. */
function publicationOf(run: ModeRun, context: RunnerContext, comparison: Comparison, interrupted: boolean): Results {
  const { inputs, state } = run
  return {
    interrupted,
    inputs,
    context,
    comparison,
    engine: state.engine,
    error: state.error,
    // A shard sees a slice of the images: the merge job posts the one comment.
    pullNumber: inputs && inputs.mode !== 'measure' && !inputs.shard ? run.pullNumber : null,
    shard: inputs?.shard ?? null,
    handOn:
      inputs?.mode === 'measure'
        ? async () => {
            const dir = artifactDirOf(inputs, context)
            await writeArtifact(dir, toArtifact(state, artifactTrigger(context)))
            core.info(`Measurements written to ${dir}: upload this folder for the comment workflow.`)
            return dir
          }
        : undefined
  }
}

/** The step's own verdict: failed on its own error, or on an image's; record and comment runs only report. */
function setVerdict(run: ModeRun, comparison: Comparison): void {
  const { inputs, state, stepError } = run
  const failures = comparison.images.filter(image => image.verdict === 'fail' || image.verdict === 'error')
  if (stepError) {
    core.setFailed(inertText(stepError))
  } else if (inputs?.mode === 'record') {
    // A record run measures what the default branch has: the PRs that changed it were gated.
    core.info(`${summarizeOutcome(comparison)}; ${describeRecordOutcome(run.recorded)}`)
  } else if (inputs?.mode === 'comment') {
    // The commit status set before this carries the verdict to the PR; failing here too would
    // only mark the base branch's workflow red.
    core.info(summarizeOutcome(comparison, state.error ?? undefined))
  } else if (state.error) {
    core.setFailed(inertText(state.error))
  } else if (inputs?.shard) {
    core.info(`Shard ${describeShard(inputs.shard)}: ${summarizeOutcome(comparison)}. The merge job gives the verdict.`)
  } else if (failures.length) {
    core.setFailed(inertText(failures.map(image => `${labelOf(image.target)}: ${image.reason}`).join('\n')))
  } else {
    core.info(summarizeOutcome(comparison))
  }
}

/** The comment run's verdict, as the commit status on the PR's head that a branch protection rule can require. */
async function publishVerdict(
  inputs: Inputs,
  context: RunnerContext,
  headSha: string,
  status: ReturnType<typeof commitStatusOf>
): Promise<void> {
  await setCommitStatus(
    {
      octokit: createOctokit(inputs.githubToken, context.apiUrl),
      owner: context.owner,
      repo: context.repo,
      sha: headSha,
      commentKey: inputs.commentKey,
      targetUrl: `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${context.runId}`
    },
    status
  )
}

/**
 * The commit the measure run was triggered for, which the comment run's `workflow_run` event
 * names as its `head_sha`: the PR's head (the checkout holds the merge commit), else GITHUB_SHA.
 */
function artifactTrigger(context: RunnerContext): ArtifactTrigger {
  const pr = context.pullRequest
  return { headSha: pr?.headSha || context.sha, pullNumber: pr?.number ?? null }
}

/** mode: record writes the baselines every PR compares with: only from the default branch. */
function assertRecordsBranch(context: RunnerContext): void {
  const branch = context.ref.startsWith('refs/heads/') ? context.ref.slice('refs/heads/'.length) : ''
  if (context.defaultBranch && branch !== context.defaultBranch) {
    throw new Error(
      `mode: record runs on the default branch only (${context.defaultBranch}), and this run is for ` +
        `'${context.ref || 'no ref'}'. Run it on push to ${context.defaultBranch} (or workflow_dispatch there); ` +
        'pull requests use mode: check, which reads the records.'
    )
  }
}

function describeRecordOutcome(outcome: RecordOutcome | null): string {
  if (!outcome) return 'nothing recorded'
  const parts = [`${outcome.built.length} measured`, `${outcome.carried.length} carried over unchanged`]
  if (outcome.skipped.length) parts.push(`${outcome.skipped.length} not recorded`)
  return `record of ${outcome.commit.slice(0, 12)}: ${parts.join(', ')}`
}

/** What must never be written anywhere: the build secrets and the token. */
function secretValues(inputs: Inputs): string[] {
  return [inputs.githubToken, inputs.recordsKey, ...(inputs.secrets ?? []).map(secret => secret.value)].filter(
    value => value !== ''
  )
}

/**
 * A broken event file: an error where the run needs the event (the PR's base branch, the
 * workflow_run that measured), a warning where it does not (a base-ref is given; a merge).
 */
function checkEvent(inputs: Inputs, context: RunnerContext): void {
  if (context.eventName === 'pull_request_target' && inputs.cacheTo?.length && inputs.mode !== 'comment') {
    // The run's cache scope is the base branch's: a PR's build would write what main's runs restore.
    throw new InputError(
      'Invalid cache-to in a pull_request_target run: it builds the pull request’s code, and would write the ' +
        'default branch’s cache with it. Remove cache-to from this job (docs/trust-model.md).'
    )
  }
  if (!context.eventProblem) return
  const needed = inputs.mode === 'comment' || (inputs.mode !== 'merge' && !inputs.baseRef)
  if (!needed) {
    core.warning(`${context.eventProblem}; going on without it.`)
    return
  }
  throw new Error(
    `${context.eventProblem}. The runner writes this file for every run: an earlier step may have changed it. ` +
      (inputs.mode === 'comment'
        ? 'Re-run the workflow_run job.'
        : 'Re-run the job, or set base-ref (base-ref: main) so the check does not need the event.')
  )
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
