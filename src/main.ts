import * as core from '@actions/core'
import { join } from 'node:path'
import { Progress } from './check.js'
import { compareImages, Limits } from './compare.js'
import { getInputs, getRunnerContext, Inputs, RunnerContext } from './config.js'
import { labelOf } from './discover.js'
import { runMerge } from './merge.js'
import { describeShard } from './shard.js'
import { createOctokit } from './github/octokit.js'
import { listChangedFiles } from './github/pull.js'
import { toJsonReport } from './report/json.js'
import { renderMarkdown, summarizeOutcome } from './report/markdown.js'
import {
  commentWanted,
  fitCommentBody,
  publishComment,
  setOutputs,
  writeJobSummary,
  writeJsonReport
} from './publish.js'
import { newRunState, PipelineEnvironment, runPipeline } from './pipeline.js'

const NO_LIMITS: Limits = { maxIncrease: null, warnIncrease: null, maxSize: null }

const actionProgress: Progress = {
  group: (title, work) => core.group(title, work),
  info: message => core.info(message),
  warning: message => core.warning(message),
  streamBuilds: true
}

/** The action: check, then report whatever happened, then set the verdict. */
export async function run(): Promise<void> {
  const context = getRunnerContext()
  const state = newRunState()
  let inputs: Inputs | null = null
  try {
    inputs = getInputs()
    if (inputs.githubToken) core.setSecret(inputs.githubToken)
    if (inputs.mode === 'merge') return await runMerge(inputs, context)
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
  } catch (error) {
    state.error = error instanceof Error ? error.message : String(error)
  }

  const limits = inputs ?? NO_LIMITS
  const comparison = compareImages(state.revisions, state.measured, limits)
  const reportPath = join(context.runnerTemp, 'docker-size-check', `${inputs?.commentKey ?? 'default'}.json`)
  const markdown = renderMarkdown(comparison, {
    limits,
    runError: state.error ?? undefined,
    commitUrl: sha => `${context.serverUrl}/${context.owner}/${context.repo}/commit/${sha}`
  })

  // Each publication is on its own: a refused comment must not cost the summary or the report.
  await core.group('Report', async () => {
    await attempt('write the JSON report', () =>
      writeJsonReport(reportPath, toJsonReport(comparison, state.engine, state.error, inputs?.shard ?? null))
    )
    await attempt('write the job summary', () => writeJobSummary(markdown))
    let commentUrl = ''
    // A shard sees a slice of the images: the merge job posts the one comment.
    if (inputs && context.pullRequest && !inputs.shard) {
      const octokit = createOctokit(inputs.githubToken, context.apiUrl)
      const summaryUrl = `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${context.runId}`
      const body = fitCommentBody(markdown, summarizeOutcome(comparison, state.error ?? undefined), summaryUrl)
      commentUrl = await publishComment(
        {
          octokit,
          owner: context.owner,
          repo: context.repo,
          issueNumber: context.pullRequest.number,
          key: inputs.commentKey,
          author: inputs.commentAuthor
        },
        body,
        commentWanted(inputs.comment, comparison, state.error)
      )
    }
    await attempt('set the outputs', async () =>
      setOutputs({
        report: reportPath,
        exceeded: comparison.images.some(image => image.verdict === 'fail'),
        totalDelta: comparison.totalDelta,
        commentUrl
      })
    )
  })

  const failures = comparison.images.filter(image => image.verdict === 'fail' || image.verdict === 'error')
  if (state.error) {
    core.setFailed(state.error)
  } else if (inputs?.shard) {
    core.info(`Shard ${describeShard(inputs.shard)}: ${summarizeOutcome(comparison)}. The merge job gives the verdict.`)
  } else if (failures.length) {
    core.setFailed(failures.map(image => `${labelOf(image.target)}: ${image.reason}`).join('\n'))
  } else {
    core.info(summarizeOutcome(comparison))
  }
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
