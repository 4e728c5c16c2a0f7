import type { Logger } from '../shared/logger.js'
import { join } from 'node:path'
import { Inputs, RunnerContext } from '../inputs/inputs.js'
import { createOctokit } from '../tools/octokit.js'
import { annotationsFor } from '../report/annotations.js'
import { toJsonReport } from '../serialized/run-file.js'
import { MarkdownContext } from '../report/markdown.js'
import { commitLink, repositoryUrl } from '../report/links.js'
import {
  commentWanted,
  fitCommentBody,
  fitJobSummary,
  publishComment,
  setOutputs,
  writeJobSummary,
  writeJsonReport
} from './outputs.js'
import { Shard } from '../inputs/shard.js'
import { Comparison, EngineInfo, NO_LIMITS } from '../shared/types.js'
import { errorMessage } from '../shared/errors.js'

export interface Results {
  /** The run's log (the job log). */
  log: Logger
  /** Null when the inputs themselves were refused: the report is still written. */
  inputs: Inputs | null
  context: RunnerContext
  comparison: Comparison
  engine: EngineInfo | null
  /** Why the run stopped before every image was measured, if it did. */
  error: string | null
  /** The pull request to comment on; null posts no comment. */
  pullNumber: number | null
  shard: Shard | null
  /** Stopped by a signal: no comment (the runner kills soon, and the API may be slow); the rest is written. */
  interrupted?: boolean
  /** Writes what else the mode hands on (the measure mode's artifact); returns its path. */
  handOn?: () => Promise<string>
}

/**
 * Every publication of a run, the same for a check, a comment run and a merge: the JSON
 * report, the job summary, the comment, the outputs and the annotations. Each one is on its
 * own: a refused comment must not cost the summary or the report.
 */
export async function publishResults(results: Results): Promise<void> {
  const { inputs, context, comparison, log } = results
  const reportPath = join(context.runnerTemp, 'docker-size-check', `${inputs?.commentKey ?? 'default'}.json`)
  const markdownContext = markdownContextOf(results)

  const attempt = attempter(log)
  await log.group('Report', async () => {
    await attempt('write the JSON report', () =>
      writeJsonReport(reportPath, toJsonReport(comparison, results.engine, results.error, results.shard))
    )
    await attempt('write the job summary', () =>
      writeJobSummary(fitJobSummary(comparison, markdownContext, reportPath).text)
    )
    const artifactPath = await handOn(results, attempt)
    const commentUrl = await postComment(results, markdownContext)
    await attempt('set the outputs', () =>
      setOutputs({
        report: reportPath,
        exceeded: comparison.images.some(image => image.verdict === 'fail'),
        totalDelta: comparison.totalDelta,
        commentUrl,
        artifactPath,
        interrupted: results.interrupted ?? false
      })
    )
  })

  annotate(comparison, log)
}

/** What the summary and the comment link to, and the limits they judge by. */
function markdownContextOf(results: Results): MarkdownContext {
  const { context, comparison } = results
  // Links only from the runner's own words for the repository (see report/links.ts).
  const repository = repositoryUrl(context.serverUrl, context.owner, context.repo)
  const pullHeadSha = context.pullRequest?.headSha ?? ''
  return {
    limits: results.inputs ?? NO_LIMITS,
    runError: results.error ?? undefined,
    engine: results.engine,
    ...(repository
      ? {
          commitUrl: sha => commitLink(repository, sha) ?? '',
          // The PR's head commit, which the reviewer sees and which outlives the merge commit the run checked.
          links: { url: repository, fileSha: pullHeadSha || comparison.revisions.headSha }
        }
      : {}),
    ...(pullHeadSha ? { pullHeadSha } : {})
  }
}

/** Writes what the mode hands on (the measure mode's artifact); its path, or '' when there is none or it failed. */
async function handOn(results: Results, attempt: Attempt): Promise<string> {
  let artifactPath = ''
  const write = results.handOn
  if (write) {
    await attempt('write the artifact', async () => {
      artifactPath = await write()
    })
  }
  return artifactPath
}

/** Posts (or updates) the sticky comment when there is a PR to post on; its URL, else ''. */
async function postComment(results: Results, markdownContext: MarkdownContext): Promise<string> {
  const { inputs, context, comparison } = results
  if (!inputs || results.pullNumber === null || results.interrupted) return ''
  const summaryUrl = `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${context.runId}`
  const fitted = fitCommentBody(comparison, markdownContext, summaryUrl)
  if (fitted.level !== 'full')
    results.log.info(`The comment is shortened (${fitted.level}) to stay within GitHub's limit.`)
  return publishComment(
    {
      octokit: createOctokit(inputs.githubToken, context.apiUrl, undefined, results.log),
      log: results.log,
      owner: context.owner,
      repo: context.repo,
      issueNumber: results.pullNumber,
      key: inputs.commentKey,
      author: inputs.commentAuthor
    },
    fitted.text,
    commentWanted(inputs.comment, comparison, results.error)
  )
}

/** On the line of the head's Dockerfile that added the most bytes, so the PR's diff shows it there. */
function annotate(comparison: Comparison, log: Logger): void {
  for (const { level, message, ...where } of annotationsFor(comparison)) {
    if (level === 'error') log.error(message, where)
    else log.warning(message, where)
  }
}

type Attempt = (what: string, work: () => Promise<void> | void) => Promise<void>

/** Each publication on its own: a failure is a warning in the log, and the next one is tried. */
function attempter(log: Logger): Attempt {
  return async (what, work) => {
    try {
      await work()
    } catch (error) {
      log.warning(`Could not ${what}: ${errorMessage(error)}`)
    }
  }
}
