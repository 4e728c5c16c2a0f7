import * as core from '@actions/core'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { CommentMode } from './config.js'
import { MAX_COMMENT_BODY_LENGTH, upsertStickyComment, resolveCommentAuthor } from './github/comment.js'
import { Octokit } from './github/octokit.js'
import { JsonReport } from './report/json.js'
import { Comparison } from './types.js'

// The only module that writes to GitHub: the job summary, outputs and the sticky comment.

export async function writeJsonReport(path: string, report: JsonReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`)
}

/** GitHub refuses a job summary over 1 MiB; a report that large keeps its head and says so. */
const MAX_SUMMARY_BYTES = 1024 * 1024 - 1024

export async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  let text = markdown
  if (Buffer.byteLength(text) > MAX_SUMMARY_BYTES) {
    text = `${Buffer.from(text)
      .subarray(0, MAX_SUMMARY_BYTES - 200)
      .toString()}\n\n… (cut: the full report is in the JSON report)\n`
  }
  await core.summary.addRaw(text, true).write()
}

export function setOutputs(values: {
  report: string
  exceeded: boolean
  totalDelta: number
  commentUrl: string
}): void {
  core.setOutput('report', values.report)
  core.setOutput('exceeded', String(values.exceeded))
  core.setOutput('total-delta', String(values.totalDelta))
  core.setOutput('comment-url', values.commentUrl)
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
 * Keeps the body under GitHub's limit: past it, the comment keeps its opening lines and
 * points to the job summary, where the whole table is.
 */
export function fitCommentBody(body: string, outcomeLine: string, summaryUrl: string): string {
  // Room for the marker line that the comment module puts in front.
  const limit = MAX_COMMENT_BODY_LENGTH - 200
  if (body.length <= limit) return body
  return `${outcomeLine}\n\nThe full table is too long for a comment: see the [job summary](${summaryUrl}).`
}

export interface CommentTarget {
  octokit: Octokit
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
      createIfMissing: wanted.create
    })
    if (result.action !== 'skipped') core.info(`Size comment ${result.action}: ${result.url}`)
    return result.url
  } catch (error) {
    core.warning(describeCommentError(error))
    return ''
  }
}

export function describeCommentError(error: unknown): string {
  const status =
    typeof error === 'object' && error !== null && 'status' in error ? (error as { status: unknown }).status : undefined
  const message = error instanceof Error ? error.message : String(error)
  if (status === 403) {
    return (
      `Could not post the size comment: GitHub answered 403 (${message}). The token lacks the ` +
      "`pull-requests: write` permission: add it to the workflow's `permissions`, or, for pull requests " +
      'from forks (whose token is read-only), use the two-step workflow in the README. The size check itself still ran.'
    )
  }
  return `Could not post the size comment: ${message}. The size check itself still ran; see the job summary.`
}
