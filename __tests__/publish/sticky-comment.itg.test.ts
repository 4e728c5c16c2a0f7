// The GitHub API layer driven through the real Octokit from @actions/github, over HTTP, against
// the local stand-in. What is asserted is what a user of the PR would see (the comments left on
// it) and what was asked of the API (the requests made).

import { describe, it, expect, beforeAll, afterAll, beforeEach } from '@jest/globals'
import { createOctokit, DEFAULT_API_TIMING, type Octokit } from '../../src/tools/octokit.js'
import { listChangedFiles } from '../../src/discover/pull-files.js'
import {
  commentMarker,
  findStickyComments,
  resolveCommentAuthor,
  upsertStickyComment,
  MAX_COMMENT_BODY_LENGTH
} from '../../src/publish/sticky-comment.js'
import { GitHubStandin, faults, type PullFileInput } from '../support/github-standin.js'
import { nth } from '../support/lists.js'

const owner = 'octo-org'
const repo = 'shop'
const pullNumber = 7
const issue = { owner, repo, issueNumber: pullNumber }
const BOT = 'github-actions[bot]'
const TOKEN = 'ghs_test_token'

const standin = new GitHubStandin({ token: TOKEN })
let octokit: Octokit

beforeAll(async () => {
  const { url } = await standin.start()
  // Every wait of the retry and pacing plugins in milliseconds instead of seconds.
  octokit = createOctokit(TOKEN, url, { ...DEFAULT_API_TIMING, unitMs: 1 })
})

afterAll(async () => {
  await standin.stop()
})

beforeEach(() => {
  standin.reset()
  standin.addPull({ owner, repo, number: pullNumber })
})

function manyFiles(count: number): PullFileInput[] {
  return Array.from({ length: count }, (_, i) => ({
    filename: `src/file-${String(i).padStart(4, '0')}.go`,
    status: 'modified' as const
  }))
}

function statusOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'status' in error ? error.status : undefined
}

async function caught(
  promise: Promise<unknown>
): Promise<Error & { status?: number; response?: { data: unknown; headers: Record<string, unknown> } }> {
  try {
    await promise
  } catch (error: unknown) {
    if (error instanceof Error) return error
    throw new Error(`rejected with a non-Error: ${String(error)}`, { cause: error })
  }
  throw new Error('expected the call to fail, and it succeeded')
}

const commentsPath = `/repos/${owner}/${repo}/issues/${pullNumber}/comments`
const commentPath = `/repos/${owner}/${repo}/issues/comments/*`

describe('listChangedFiles', () => {
  it('follows the Link header across pages and maps the file fields', async () => {
    const files: PullFileInput[] = [
      ...manyFiles(247),
      { filename: 'api/Dockerfile', status: 'added' },
      { filename: 'web/Dockerfile', status: 'renamed', previous_filename: 'frontend/Dockerfile' },
      { filename: 'old/Dockerfile', status: 'removed' }
    ]
    standin.setPullFiles({ owner, repo, number: pullNumber }, files)

    const result = await listChangedFiles(octokit, { owner, repo, pullNumber })

    expect(result.complete).toBe(true)
    expect(result.files).toHaveLength(250)
    expect(result.files[0]).toEqual({ path: 'src/file-0000.go', status: 'modified' })
    expect(result.files.slice(-3)).toEqual([
      { path: 'api/Dockerfile', status: 'added' },
      { path: 'web/Dockerfile', status: 'renamed', previousPath: 'frontend/Dockerfile' },
      { path: 'old/Dockerfile', status: 'removed' }
    ])
    const calls = standin.requestsTo('GET', `/repos/${owner}/${repo}/pulls/${pullNumber}/files`)
    expect(calls.map(c => c.query)).toEqual([
      { per_page: '100' },
      { per_page: '100', page: '2' },
      { per_page: '100', page: '3' }
    ])
    expect(calls.every(c => c.authorization === `token ${TOKEN}`)).toBe(true)
  })

  it('reports an incomplete list when GitHub stops at 3,000 files', async () => {
    standin.setPullFiles({ owner, repo, number: pullNumber }, manyFiles(3500))

    const result = await listChangedFiles(octokit, { owner, repo, pullNumber })

    expect(result.files).toHaveLength(3000)
    expect(result.complete).toBe(false)
    expect(standin.requestsTo('GET', /\/files$/)).toHaveLength(30)
  })

  it('calls a list of 2,999 files complete', async () => {
    standin.setPullFiles({ owner, repo, number: pullNumber }, manyFiles(2999))
    const result = await listChangedFiles(octokit, { owner, repo, pullNumber })
    expect(result).toMatchObject({ complete: true })
    expect(result.files).toHaveLength(2999)
  })

  it('surfaces a 404 for an unknown pull, and a 5xx that outlasts the retries, as errors with their status', async () => {
    expect(statusOf(await caught(listChangedFiles(octokit, { owner, repo, pullNumber: 999 })))).toBe(404)

    standin.setPullFiles({ owner, repo, number: pullNumber }, manyFiles(150))
    standin.clearRequests()
    // One first try and three retries, all answered 502.
    standin.failNext({ ...faults.serverError({ method: 'GET', pathPattern: /\/files$/ }, 502), times: 4 })
    expect(statusOf(await caught(listChangedFiles(octokit, { owner, repo, pullNumber })))).toBe(502)
    expect(standin.requestsTo('GET', /\/files$/).map(r => r.status)).toEqual([502, 502, 502, 502])
  })
})

describe('upsertStickyComment', () => {
  const key = 'docker-size'
  const marker = commentMarker(key)

  it('creates the comment once, then edits the same comment in place', async () => {
    const first = await upsertStickyComment(octokit, {
      ...issue,
      key,
      body: '| image | delta |\n| a | +1 MB |',
      author: BOT,
      createIfMissing: true
    })

    expect(first.action).toBe('created')
    expect(standin.comments(issue)).toHaveLength(1)
    const created = nth(standin.comments(issue), 0)
    expect(created.body).toBe(`${marker}\n| image | delta |\n| a | +1 MB |`)
    expect(created.user).toMatchObject({ login: BOT, type: 'Bot' })
    expect(first).toEqual({ action: 'created', id: created.id, url: created.html_url })

    const second = await upsertStickyComment(octokit, {
      ...issue,
      key,
      body: '| image | delta |\n| a | -2 MB |',
      author: BOT,
      createIfMissing: true
    })

    expect(second).toEqual({ action: 'updated', id: created.id, url: created.html_url })
    const after = standin.comments(issue)
    expect(after).toHaveLength(1)
    expect(nth(after, 0).body).toBe(`${marker}\n| image | delta |\n| a | -2 MB |`)
    expect(nth(after, 0).updated_at > nth(after, 0).created_at).toBe(true)
    expect(standin.requestsTo('POST')).toHaveLength(1)
    expect(standin.requestsTo('PATCH', commentPath).map(r => r.path)).toEqual([
      `/repos/${owner}/${repo}/issues/comments/${created.id}`
    ])
  })

  it('finds its comment on page 3 of a long discussion', async () => {
    for (let i = 0; i < 250; i++) {
      standin.addComment({
        ...issue,
        body: `comment ${i}`,
        user: i % 5 === 0 ? { login: 'ci-bot[bot]', type: 'Bot' } : { login: `dev${i % 7}` }
      })
    }
    const ours = standin.addComment({ ...issue, body: `${marker}\nold report`, user: { login: BOT, type: 'Bot' } })
    standin.addComment({ ...issue, body: 'LGTM', user: { login: 'dev1' } })

    const result = await upsertStickyComment(octokit, {
      ...issue,
      key,
      body: 'new report',
      author: BOT,
      createIfMissing: true
    })

    expect(result).toMatchObject({ action: 'updated', id: ours.id })
    expect(standin.comment(ours.id)!.body).toBe(`${marker}\nnew report`)
    expect(standin.comments(issue)).toHaveLength(252)
    expect(standin.requestsTo('GET', commentsPath).map(r => r.query['page'] ?? '1')).toEqual(['1', '2', '3'])
    expect(standin.requestsTo('POST')).toHaveLength(0)
  })

  it('leaves alone a comment by someone else that carries the marker', async () => {
    const quoted = standin.addComment({
      ...issue,
      body: `Why did this grow?\n${marker}\n(copied the bot's comment)`,
      user: { login: 'alice' }
    })

    const result = await upsertStickyComment(octokit, {
      ...issue,
      key,
      body: 'report',
      author: BOT,
      createIfMissing: true
    })

    expect(result.action).toBe('created')
    expect(standin.comment(quoted.id)!.body).toBe(`Why did this grow?\n${marker}\n(copied the bot's comment)`)
    expect(standin.comments(issue).map(c => c.user.login)).toEqual(['alice', BOT])
    expect(standin.requestsTo('PATCH')).toHaveLength(0)
  })

  it('matches the marker as a whole line only, and keeps one comment per key', async () => {
    // A quote of the marker inside a line is not the marker line.
    standin.addComment({ ...issue, body: `> ${marker}\n> old report`, user: { login: BOT, type: 'Bot' } })

    await upsertStickyComment(octokit, { ...issue, key: 'a', body: 'report A1', author: BOT, createIfMissing: true })
    await upsertStickyComment(octokit, { ...issue, key: 'ab', body: 'report AB1', author: BOT, createIfMissing: true })
    await upsertStickyComment(octokit, { ...issue, key: 'a', body: 'report A2', author: BOT, createIfMissing: true })
    await upsertStickyComment(octokit, { ...issue, key, body: 'report sized', author: BOT, createIfMissing: true })

    expect(standin.comments(issue).map(c => c.body)).toEqual([
      `> ${marker}\n> old report`,
      `${commentMarker('a')}\nreport A2`,
      `${commentMarker('ab')}\nreport AB1`,
      `${marker}\nreport sized`
    ])
  })

  it('after a race, updates the oldest duplicate and deletes the others', async () => {
    const oldest = standin.addComment({ ...issue, body: `${marker}\nrun 1`, user: { login: BOT, type: 'Bot' } })
    standin.addComment({ ...issue, body: 'a human comment in between', user: { login: 'bob' } })
    const dup1 = standin.addComment({ ...issue, body: `${marker}\nrun 2`, user: { login: BOT, type: 'Bot' } })
    const dup2 = standin.addComment({ ...issue, body: `${marker}\nrun 3`, user: { login: BOT, type: 'Bot' } })

    const result = await upsertStickyComment(octokit, {
      ...issue,
      key,
      body: 'run 4',
      author: BOT,
      createIfMissing: true
    })

    expect(result).toMatchObject({ action: 'updated', id: oldest.id })
    expect(standin.comments(issue).map(c => [c.id, c.body])).toEqual([
      [oldest.id, `${marker}\nrun 4`],
      [oldest.id + 1, 'a human comment in between']
    ])
    expect(standin.requestsTo('DELETE').map(r => r.path)).toEqual([
      `/repos/${owner}/${repo}/issues/comments/${dup1.id}`,
      `/repos/${owner}/${repo}/issues/comments/${dup2.id}`
    ])
  })

  it('does not fail when a racing run already deleted a duplicate', async () => {
    const oldest = standin.addComment({ ...issue, body: `${marker}\nrun 1`, user: { login: BOT, type: 'Bot' } })
    standin.addComment({ ...issue, body: `${marker}\nrun 2`, user: { login: BOT, type: 'Bot' } })
    standin.failNext({ method: 'DELETE', pathPattern: commentPath, status: 404 })

    const result = await upsertStickyComment(octokit, {
      ...issue,
      key,
      body: 'run 3',
      author: BOT,
      createIfMissing: true
    })

    expect(result).toMatchObject({ action: 'updated', id: oldest.id })
    expect(standin.comment(oldest.id)!.body).toBe(`${marker}\nrun 3`)
  })

  it('skips without posting when createIfMissing is false and there is no comment', async () => {
    const result = await upsertStickyComment(octokit, {
      ...issue,
      key,
      body: 'report',
      author: BOT,
      createIfMissing: false
    })

    expect(result).toEqual({ action: 'skipped', id: 0, url: '' })
    expect(standin.comments(issue)).toHaveLength(0)
    expect(standin.requestsTo('POST')).toHaveLength(0)
    expect(standin.requestsTo('GET', commentsPath)).toHaveLength(1)
  })

  it('still updates an existing comment when createIfMissing is false', async () => {
    const ours = standin.addComment({ ...issue, body: `${marker}\nold`, user: { login: BOT, type: 'Bot' } })
    const result = await upsertStickyComment(octokit, {
      ...issue,
      key,
      body: 'new',
      author: BOT,
      createIfMissing: false
    })
    expect(result).toMatchObject({ action: 'updated', id: ours.id })
  })

  it('refuses a body over the limit before any request', async () => {
    const error = await caught(
      upsertStickyComment(octokit, {
        ...issue,
        key,
        body: 'x'.repeat(MAX_COMMENT_BODY_LENGTH),
        author: BOT,
        createIfMissing: true
      })
    )
    expect(error.message).toMatch(/comment body is 655\d\d characters .*at most 65536/)
    expect(standin.requests).toHaveLength(0)
  })

  it("surfaces GitHub's 422 for a too-long body, and the comment stays as it was", async () => {
    const tooLong = 'x'.repeat(65537)
    const created = await caught(
      octokit.rest.issues.createComment({ owner, repo, issue_number: pullNumber, body: tooLong })
    )
    expect(created.status).toBe(422)
    expect(created.response?.data).toMatchObject({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'IssueComment',
          code: 'custom',
          field: 'body',
          message: 'body is too long (maximum is 65536 characters)'
        }
      ]
    })
    expect(standin.comments(issue)).toHaveLength(0)

    const ours = standin.addComment({ ...issue, body: `${marker}\nold`, user: { login: BOT, type: 'Bot' } })
    const updated = await caught(octokit.rest.issues.updateComment({ owner, repo, comment_id: ours.id, body: tooLong }))
    expect(updated.status).toBe(422)
    expect(standin.comment(ours.id)!.body).toBe(`${marker}\nold`)

    // And through upsert, a 422 is passed on, not swallowed.
    standin.failNext({ method: 'PATCH', pathPattern: commentPath, status: 422 })
    expect(
      statusOf(
        await caught(upsertStickyComment(octokit, { ...issue, key, body: 'new', author: BOT, createIfMissing: true }))
      )
    ).toBe(422)
  })

  it('passes on a 403 when creating, with its status, and posts nothing', async () => {
    standin.failNext(faults.notAccessible({ method: 'POST', pathPattern: commentsPath }))

    const error = await caught(
      upsertStickyComment(octokit, { ...issue, key, body: 'report', author: BOT, createIfMissing: true })
    )

    expect(error.status).toBe(403)
    expect(error.message).toContain('Resource not accessible by integration')
    expect(standin.comments(issue)).toHaveLength(0)
    expect(standin.requestsTo('POST').map(r => [r.status, r.injected])).toEqual([[403, true]])
  })

  it('passes on a secondary rate limit that asks for too long a wait, with its retry-after header', async () => {
    standin.failNext(faults.secondaryRateLimit({ method: 'GET', pathPattern: commentsPath }, 420))

    const error = await caught(
      upsertStickyComment(octokit, { ...issue, key, body: 'report', author: BOT, createIfMissing: true })
    )

    expect(error.status).toBe(403)
    expect(error.response?.headers['retry-after']).toBe('420')
    expect(standin.requests).toHaveLength(1)
  })

  it('rejects a key that could break out of the HTML comment, naming the input', () => {
    expect(() => commentMarker('a --> <img src=x>')).toThrow(/comment-key "a --> <img src=x>".*letters, digits/)
    expect(() => commentMarker('')).toThrow(/comment-key/)
    expect(commentMarker('api.images_v2-x')).toBe('<!-- docker-size-check: key=api.images_v2-x -->')
  })
})

describe('findStickyComments', () => {
  it('returns marked comments by the author, oldest first; without an author, any author', async () => {
    const marker = commentMarker('k')
    const a = standin.addComment({ ...issue, body: `${marker}\none`, user: { login: BOT, type: 'Bot' } })
    const b = standin.addComment({ ...issue, body: `${marker}\ntwo`, user: { login: 'alice' } })
    // Edited in the web UI: CRLF line ends.
    const c = standin.addComment({ ...issue, body: `${marker}\r\nthree`, user: { login: BOT, type: 'Bot' } })

    const byBot = await findStickyComments(octokit, { ...issue, key: 'k', author: BOT })
    expect(byBot.map(x => x.id)).toEqual([a.id, c.id])

    const byAnyone = await findStickyComments(octokit, { ...issue, key: 'k' })
    expect(byAnyone.map(x => [x.id, x.author])).toEqual([
      [a.id, BOT],
      [b.id, 'alice'],
      [c.id, BOT]
    ])
  })
})

describe('resolveCommentAuthor', () => {
  it('falls back to github-actions[bot] when GET /user is refused (an installation token)', async () => {
    expect(await resolveCommentAuthor(octokit)).toBe(BOT)
    expect(standin.requestsTo('GET', '/user').map(r => r.status)).toEqual([403])
  })

  it("returns a personal token's login", async () => {
    standin.setIdentity({ login: 'octocat' })
    expect(await resolveCommentAuthor(octokit)).toBe('octocat')
  })

  it('returns the override without asking', async () => {
    expect(await resolveCommentAuthor(octokit, 'my-app[bot]')).toBe('my-app[bot]')
    expect(standin.requests).toHaveLength(0)
  })

  it('lets a personal token find and update its own comment', async () => {
    standin.setIdentity({ login: 'octocat' })
    const author = await resolveCommentAuthor(octokit)
    const first = await upsertStickyComment(octokit, { ...issue, key: 'k', body: 'one', author, createIfMissing: true })
    const second = await upsertStickyComment(octokit, {
      ...issue,
      key: 'k',
      body: 'two',
      author,
      createIfMissing: true
    })
    expect([first.action, second.action]).toEqual(['created', 'updated'])
    expect(standin.comments(issue).map(c => c.user.login)).toEqual(['octocat'])
  })
})

describe('the stand-in', () => {
  it("sends GitHub's Link header with absolute URLs back to itself", async () => {
    for (let i = 0; i < 95; i++) standin.addComment({ ...issue, body: `c${i}` })

    const response = await fetch(`${standin.url}${commentsPath}?per_page=20&page=2`, {
      headers: { authorization: `token ${TOKEN}` }
    })
    const page = (await response.json()) as Array<{ body: string }>

    expect(page.map(c => c.body)).toEqual(Array.from({ length: 20 }, (_, i) => `c${20 + i}`))
    const base = `${standin.url}${commentsPath}?per_page=20`
    expect(response.headers.get('link')).toBe(
      `<${base}&page=1>; rel="prev", <${base}&page=3>; rel="next", <${base}&page=5>; rel="last", <${base}&page=1>; rel="first"`
    )

    const single = await fetch(`${standin.url}${commentsPath}`, { headers: { authorization: `token ${TOKEN}` } })
    expect(((await single.json()) as unknown[]).length).toBe(30)
  })

  it('answers 401 to a wrong token and 404 to unknown comments', async () => {
    const wrong = await fetch(`${standin.url}${commentsPath}`, { headers: { authorization: 'token nope' } })
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toMatchObject({ message: 'Bad credentials' })

    const missing = await caught(octokit.rest.issues.updateComment({ owner, repo, comment_id: 123, body: 'x' }))
    expect(missing.status).toBe(404)
    expect(missing.response?.data).toMatchObject({ message: 'Not Found' })
  })
})
