import * as core from '@actions/core'
import type { Logger } from '../shared/logger.js'
import { CommentMode } from '../inputs/inputs.js'
import { MAX_COMMENT_BODY_LENGTH, upsertStickyComment, resolveCommentAuthor } from './sticky-comment.js'
import { Octokit } from '../tools/octokit.js'
import { characters, fitReport, FittedReport, utf8Bytes } from '../report/fit.js'
import { MarkdownContext } from '../report/markdown.js'
import { REPORT_PATHS } from '../report/paths-table.js'
import { Comparison } from '../shared/types.js'
import { errorMessage } from '../shared/errors.js'

// The only module that writes to GitHub: the job summary, outputs and the sticky comment.

export { writeJsonReport } from '../serialized/run-file.js'

/** GitHub refuses a job summary over 1 MiB; the marker and the newline of `addRaw` need a little room. */
export const MAX_SUMMARY_BYTES = 1024 * 1024 - 1024

/** The job summary: the whole report, or as much of it as fits in 1 MiB. */
export function fitJobSummary(comparison: Comparison, context: MarkdownContext, reportPath: string): FittedReport {
  // The summary lists every path the report keeps: it is where the comment sends a reader for the rest.
  const paths = { rows: REPORT_PATHS, moreAt: `the JSON file \`${reportPath}\` (the \`report\` output) has them` }
  return fitReport(
    comparison,
    { ...context, paths },
    {
      max: MAX_SUMMARY_BYTES,
      measure: utf8Bytes,
      pointer: `The whole report is the JSON file \`${reportPath}\` (the \`report\` output).`
    }
  )
}

export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(markdown, true).write()
}

export function setOutputs(values: {
  report: string
  exceeded: boolean
  totalDelta: number
  commentUrl: string
  /** The folder `mode: measure` wrote its artifact to. */
  artifactPath?: string
  /** Stopped by SIGINT or SIGTERM before it finished. */
  interrupted?: boolean
}): void {
  core.setOutput('report', values.report)
  core.setOutput('exceeded', String(values.exceeded))
  core.setOutput('total-delta', String(values.totalDelta))
  core.setOutput('comment-url', values.commentUrl)
  core.setOutput('artifact-path', values.artifactPath ?? '')
  core.setOutput('interrupted', String(values.interrupted ?? false))
}

/**
 * Whether to post a new comment. `changed` posts when something is worth a reader's
 * attention; an existing comment is brought up to date in every mode but `never`, so
 * numbers from an earlier push never stay on the PR.
 */
export function commentWanted(
  mode: CommentMode,
  comparison: Comparison,
  runError: string | null
): { create: boolean; update: boolean } {
  if (mode === 'never') return { create: false, update: false }
  if (mode === 'always') return { create: true, update: true }
  const noteworthy = runError !== null || comparison.images.some(image => image.verdict !== 'pass' || image.delta !== 0)
  return { create: noteworthy, update: true }
}

/**
 * The comment's body within GitHub's limit: past it, unchanged rows are folded, then the
 * explanations dropped, then the table cut to its most important rows, then only the outcome
 * stays, each time with a link to the job summary, where the whole table is.
 */
export function fitCommentBody(comparison: Comparison, context: MarkdownContext, summaryUrl: string): FittedReport {
  const paths = { moreAt: `the [job summary](${summaryUrl}) lists up to ${REPORT_PATHS}` }
  return fitReport(
    comparison,
    { ...context, paths },
    {
      // Room for the marker line that the comment module puts in front.
      max: MAX_COMMENT_BODY_LENGTH - 200,
      measure: characters,
      pointer: `The whole report is in the [job summary](${summaryUrl}).`
    }
  )
}

export interface CommentTarget {
  octokit: Octokit
  log: Logger
  owner: string
  repo: string
  issueNumber: number
  key: string
  author: string
}

/** Posts or updates the sticky comment; returns its URL. A refusal is a warning, never a failure. */
export async function publishComment(
  target: CommentTarget,
  body: string,
  wanted: { create: boolean; update: boolean }
): Promise<string> {
  if (!wanted.update && !wanted.create) return ''
  try {
    const author = await resolveCommentAuthor(target.octokit, target.author || undefined)
    const result = await upsertStickyComment(target.octokit, {
      owner: target.owner,
      repo: target.repo,
      issueNumber: target.issueNumber,
      key: target.key,
      body,
      author,
      createIfMissing: wanted.create,
      log: target.log
    })
    if (result.action !== 'skipped') target.log.info(`Size comment ${result.action}: ${result.url}`)
    return result.url
  } catch (error) {
    target.log.warning(describeCommentError(error))
    return ''
  }
}

function describeCommentError(error: unknown): string {
  const status = typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined
  const message = errorMessage(error)
  if (status === 403) {
    return (
      `Could not post the size comment: GitHub answered 403 (${message}). The token lacks the ` +
      "`pull-requests: write` permission: add it to the workflow's `permissions`, or, for pull requests " +
      'from forks (whose token is read-only), use the two-step workflow in docs/forks.md. The size check itself still ran.'
    )
  }
  return `Could not post the size comment: ${message}. The size check itself still ran; see the job summary.`
}
