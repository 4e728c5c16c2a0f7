import type { Octokit } from '../tools/octokit.js'
import { Logger, quietLogger } from '../shared/logger.js'
import { errorMessage } from '../shared/errors.js'
import { COMMENT_KEY_PATTERN } from '../inputs/comment-key.js'

/**
 * GitHub's stated limit for a comment body ("body is too long (maximum is 65536 characters)").
 * Reports differ on the unit GitHub counts (code points, or 262,144 UTF-8 bytes); measured in
 * UTF-16 units (`string.length`), a body within this limit is within both.
 */
export const MAX_COMMENT_BODY_LENGTH = 65536

/** Who posts the comment when the token cannot tell (an Actions installation token). */
const DEFAULT_COMMENT_AUTHOR = 'github-actions[bot]'

/**
 * The hidden first line that marks our comment. The key lets several checks on one PR keep
 * one comment each. Only a plain set of characters is allowed so that no key can end the
 * HTML comment early (`-->`, `--!>`) and leak the rest of the line into the rendered comment.
 */
export function commentMarker(key: string): string {
  if (!COMMENT_KEY_PATTERN.test(key)) {
    throw new Error(
      `Invalid comment-key ${JSON.stringify(key)}. ` +
        'Use 1 to 64 letters, digits, dots, hyphens or underscores, such as `docker-size` or `api.images`.'
    )
  }
  return `<!-- docker-size-check: key=${key} -->`
}

/** The body as posted: the marker line first, then the report. */
function stickyBody(key: string, body: string): string {
  const marker = commentMarker(key)
  // A body that already starts with the marker (re-posted as read back) is not marked twice.
  return openingLine(body) === marker ? body : `${marker}\n${body}`
}

export interface IssueRef {
  owner: string
  repo: string
  issueNumber: number
}

export interface StickyComment {
  id: number
  body: string
  url: string
  author: string
  createdAt: string
}

/**
 * Every comment on the issue marked with `key`, oldest first. A marked comment by someone else
 * (a user quoting ours, another workflow with the same key) is left out when `author` is given:
 * the marker alone is text anyone can write.
 */
export async function findStickyComments(
  octokit: Octokit,
  options: IssueRef & { key: string; author?: string }
): Promise<StickyComment[]> {
  const marker = commentMarker(options.key)
  // The default page is 30 comments and busy PRs have hundreds: read every page, or a second
  // comment gets posted once ours scrolls off the first one.
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: options.owner,
    repo: options.repo,
    issue_number: options.issueNumber,
    per_page: 100
  })
  const found: StickyComment[] = []
  for (const comment of comments) {
    const body = comment.body ?? ''
    const login = comment.user?.login ?? ''
    if (!hasMarkerLine(body, marker)) continue
    // Logins are case-insensitive on GitHub, and an override typed by hand may differ in case.
    if (options.author !== undefined && login.toLowerCase() !== options.author.toLowerCase()) continue
    found.push({ id: comment.id, body, url: comment.html_url, author: login, createdAt: comment.created_at })
  }
  // The API lists by ascending id already; sorting keeps "oldest" true whatever the order.
  return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id)
}

export interface UpsertResult {
  /** The comment's web address; '' when skipped. */
  url: string
  /** 0 when skipped. */
  id: number
  action: 'created' | 'updated' | 'skipped'
}

/**
 * Keeps one comment per key on the PR: edits the oldest marked comment in place, or posts a
 * new one when there is none and `createIfMissing` is set. Two runs racing on the same PR can
 * each post a comment; the next run keeps the oldest and deletes the others.
 *
 * API errors are thrown as they come (Octokit's RequestError carries `status`): the caller
 * decides which ones are only warnings, such as a 403 for a fork's read-only token.
 */
export async function upsertStickyComment(
  octokit: Octokit,
  options: IssueRef & {
    key: string
    body: string
    author?: string
    createIfMissing: boolean
    /** Where a duplicate that cannot be deleted is said. */
    log?: Logger
  }
): Promise<UpsertResult> {
  const body = stickyBody(options.key, options.body)
  if (body.length > MAX_COMMENT_BODY_LENGTH) {
    throw new Error(
      `The comment body is ${body.length} characters with its marker line; GitHub accepts at most ` +
        `${MAX_COMMENT_BODY_LENGTH}. Shorten the report before posting it.`
    )
  }
  const { owner, repo, issueNumber } = options
  const existing = await findStickyComments(octokit, {
    owner,
    repo,
    issueNumber,
    key: options.key,
    author: options.author
  })

  // The oldest marked comment is the one to keep. One that is gone by the time it is edited
  // (a person deleted it, or a racing run's clean-up did) answers 404: the next one takes its
  // place, and when none is left a new comment is posted, since there was one to keep current.
  for (const [index, candidate] of existing.entries()) {
    let updated: { html_url: string; id: number }
    try {
      ;({ data: updated } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: candidate.id, body }))
    } catch (error: unknown) {
      if (statusOf(error) === 404) continue
      throw error
    }
    for (const duplicate of existing.slice(index + 1)) {
      await deleteDuplicate(octokit, owner, repo, duplicate, options.log ?? quietLogger)
    }
    return { url: updated.html_url, id: updated.id, action: 'updated' }
  }

  if (existing.length === 0 && !options.createIfMissing) return { url: '', id: 0, action: 'skipped' }
  const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body })
  return { url: data.html_url, id: data.id, action: 'created' }
}

/**
 * A duplicate that cannot be deleted does not make the report wrong (the oldest comment holds
 * it), so that is a warning, not a failure. A 404 means a racing run deleted it first.
 */
async function deleteDuplicate(
  octokit: Octokit,
  owner: string,
  repo: string,
  comment: StickyComment,
  log: Logger
): Promise<void> {
  try {
    await octokit.rest.issues.deleteComment({ owner, repo, comment_id: comment.id })
  } catch (error: unknown) {
    if (statusOf(error) === 404) return
    log.warning(`Could not delete the duplicate size comment ${comment.url}: ${errorMessage(error)}`)
  }
}

/**
 * The login our comments are posted under, to tell them from copies by others. `GET /user`
 * answers for a personal token; an Actions installation token gets 403 there, and its comments
 * are by `github-actions[bot]`. A GitHub App token also gets 403 but posts as `<app>[bot]`:
 * such users pass the login as `override`.
 */
export async function resolveCommentAuthor(octokit: Octokit, override?: string): Promise<string> {
  if (override) return override
  try {
    const { data } = await octokit.rest.users.getAuthenticated()
    return data.login
  } catch {
    return DEFAULT_COMMENT_AUTHOR
  }
}

function hasMarkerLine(body: string, marker: string): boolean {
  // Comments edited in the web UI come back with CRLF line ends.
  return body.split(/\r?\n/).some(line => line.trim() === marker)
}

/** The body's own first line, as the marker must stand: a blank first line is no marker. */
function openingLine(text: string): string {
  const end = text.search(/\r?\n/)
  return (end === -1 ? text : text.slice(0, end)).trim()
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') {
    return error.status
  }
  return undefined
}
