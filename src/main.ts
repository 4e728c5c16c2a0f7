import * as core from '@actions/core'
import { join, resolve } from 'node:path'
import { Progress } from './check.js'
import { compareImages, Limits } from './compare.js'
import { getInputs, getRunnerContext, Inputs, RunnerContext } from './config.js'
import { createOctokit } from './github/octokit.js'
import { listChangedFiles } from './github/pull.js'
import { annotationsFor } from './report/annotations.js'
import { toJsonReport } from './report/json.js'
import { summarizeOutcome } from './report/markdown.js'
import {
  commentWanted,
  fitCommentBody,
  fitJobSummary,
  publishComment,
  setOutputs,
  writeJobSummary,
  writeJsonReport
} from './publish.js'
import { defaultArtifactDir, toArtifact, writeArtifact } from './fork/artifact.js'
import { loadMeasurement } from './fork/comment-mode.js'
import { installInterruptHandlers } from './interrupt.js'
import { newRunState, PipelineEnvironment, runPipeline } from './pipeline.js'

const NO_LIMITS: Limits = { maxIncrease: null, warnIncrease: null, maxSize: null }

const actionProgress: Progress = {
  group: (title, work) => core.group(title, work),
  info: message => core.info(message),
  warning: message => core.warning(message),
  streamBuilds: true
}

/** The action: check (or load a measure run's artifact), then report whatever happened, then set the verdict. */
export async function run(): Promise<void> {
  installInterruptHandlers()
  const context = getRunnerContext()
  const state = newRunState()
  let inputs: Inputs | null = null
  let pullNumber: number | null = null
  // This step's own failure; in comment mode, a failure of the measure run is only reported.
  let stepError: string | null = null
  try {
    inputs = getInputs()
    if (inputs.githubToken) core.setSecret(inputs.githubToken)
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
          listChangedFiles: pullRequestFiles(inputs, context)
        },
        state
      )
    }
  } catch (error) {
    stepError = error instanceof Error ? error.message : String(error)
    state.error = stepError
  }

  const limits = inputs ?? NO_LIMITS
  const comparison = compareImages(state.revisions, state.measured, limits)
  const reportPath = join(context.runnerTemp, 'docker-size-check', `${inputs?.commentKey ?? 'default'}.json`)
  const markdownContext = {
    limits,
    runError: state.error ?? undefined,
    engine: state.engine,
    commitUrl: (sha: string) => `${context.serverUrl}/${context.owner}/${context.repo}/commit/${sha}`
  }

  // Each publication is on its own: a refused comment must not cost the summary or the report.
  await core.group('Report', async () => {
    await attempt('write the JSON report', () =>
      writeJsonReport(reportPath, toJsonReport(comparison, state.engine, state.error))
    )
    await attempt('write the job summary', () =>
      writeJobSummary(fitJobSummary(comparison, markdownContext, reportPath).text)
    )
    let artifactPath = ''
    if (inputs?.mode === 'measure') {
      const dir = artifactDirOf(inputs, context)
      const pr = context.pullRequest
      await attempt('write the artifact', async () => {
        await writeArtifact(dir, toArtifact(state, pr ? { number: pr.number, headSha: pr.headSha } : null))
        artifactPath = dir
        core.info(`Measurements written to ${dir}: upload this folder for the comment workflow.`)
      })
    }
    let commentUrl = ''
    if (inputs && pullNumber !== null && inputs.mode !== 'measure') {
      const octokit = createOctokit(inputs.githubToken, context.apiUrl)
      const summaryUrl = `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${context.runId}`
      const fitted = fitCommentBody(comparison, markdownContext, summaryUrl)
      if (fitted.level !== 'full')
        core.info(`The comment is shortened (${fitted.level}) to stay within GitHub's limit.`)
      commentUrl = await publishComment(
        {
          octokit,
          owner: context.owner,
          repo: context.repo,
          issueNumber: pullNumber,
          key: inputs.commentKey,
          author: inputs.commentAuthor
        },
        fitted.text,
        commentWanted(inputs.comment, comparison, state.error)
      )
    }
    await attempt('set the outputs', async () =>
      setOutputs({
        report: reportPath,
        exceeded: comparison.images.some(image => image.verdict === 'fail'),
        totalDelta: comparison.totalDelta,
        commentUrl,
        artifactPath
      })
    )
  })

  // On the line of the head's Dockerfile that added the most bytes, so the PR's diff shows it there.
  for (const { level, message, ...where } of annotationsFor(comparison)) {
    if (level === 'error') core.error(message, where)
    else core.warning(message, where)
  }

  const failures = comparison.images.filter(image => image.verdict === 'fail' || image.verdict === 'error')
  if (stepError) {
    core.setFailed(stepError)
  } else if (inputs?.mode === 'comment') {
    // The measure run's check on the PR carries the verdict; failing here too would only mark
    // the base branch's workflow red.
    core.info(summarizeOutcome(comparison, state.error ?? undefined))
  } else if (state.error) {
    core.setFailed(state.error)
  } else if (failures.length) {
    core.setFailed(failures.map(image => `${image.target.dockerfile}: ${image.reason}`).join('\n'))
  } else {
    core.info(summarizeOutcome(comparison))
  }
}

function artifactDirOf(inputs: Inputs, context: RunnerContext): string {
  return inputs.artifactPath ? resolve(context.workspace, inputs.artifactPath) : defaultArtifactDir(context.runnerTemp)
}

async function attempt(what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work()
  } catch (error) {
    core.warning(`Could not ${what}: ${error instanceof Error ? error.message : String(error)}`)
  }
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
      core.warning(
        `Could not list the PR's files through the API (${error instanceof Error ? error.message : error}); using git diff.`
      )
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
