// A local stand-in for the part of GitHub's REST API this action uses, served over real HTTP.
//
// Why a server and not request mocks: @actions/github sends requests through undici's own
// dispatcher, which nock and msw do not see, and end-to-end tests run `node dist/index.js` in
// another process. A server on 127.0.0.1 sees both. Point `baseUrl` / GITHUB_API_URL at `url`.
//
// It copies the behaviours our code depends on and that are easy to get wrong against a fake:
// `per_page`/`page` pagination with absolute `Link` URLs (octokit.paginate follows them), the
// 3,000-file cap of pulls.listFiles, the comment body limit, and GitHub's error JSON shapes.
// No jest in here: plain TypeScript, so any test or script can import it.

import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export const DEFAULT_PER_PAGE = 30
export const MAX_PER_PAGE = 100
export const PULL_FILES_CAP = 3000
export const COMMENT_BODY_MAX = 65536

const DOCS = 'https://docs.github.com/rest'

export type UserType = 'User' | 'Bot'

/** Who the token belongs to. */
export interface TokenIdentity {
  login: string
  type: UserType
  /**
   * Whether `GET /user` answers. An Actions installation token (GITHUB_TOKEN) gets 403
   * "Resource not accessible by integration" there; a personal token gets its user.
   */
  canReadUser: boolean
}

/** The identity of GITHUB_TOKEN in a workflow run. */
export const ACTIONS_TOKEN_IDENTITY: TokenIdentity = { login: 'github-actions[bot]', type: 'Bot', canReadUser: false }

export interface ApiUser {
  login: string
  id: number
  node_id: string
  type: UserType
  site_admin: boolean
}

/** An issue comment as the API returns it (the fields we and our callers read). */
export interface ApiComment {
  id: number
  node_id: string
  url: string
  html_url: string
  issue_url: string
  body: string
  user: ApiUser
  created_at: string
  updated_at: string
  author_association: string
}

/** A changed file as `pulls.listFiles` returns it. */
export interface ApiPullFile {
  sha: string
  filename: string
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged'
  additions: number
  deletions: number
  changes: number
  blob_url: string
  raw_url: string
  contents_url: string
  patch?: string
  previous_filename?: string
}

/**
 * A commit status as `POST /repos/{owner}/{repo}/statuses/{sha}` answers it (GitHub's OpenAPI
 * description, `repos/create-commit-status`: every property it marks required).
 */
export interface ApiStatus {
  url: string
  avatar_url: string | null
  id: number
  node_id: string
  state: 'error' | 'failure' | 'pending' | 'success'
  description: string | null
  target_url: string | null
  context: string
  created_at: string
  updated_at: string
  creator: Record<string, unknown> | null
}

/** GitHub refuses a longer status description with 422 (not in the OpenAPI description; seen on github.com). */
export const STATUS_DESCRIPTION_MAX = 140

export type PullFileInput = Pick<ApiPullFile, 'filename'> & Partial<Omit<ApiPullFile, 'filename'>>

export interface PullInput {
  owner: string
  repo: string
  number: number
  files?: PullFileInput[]
  title?: string
  headSha?: string
  baseSha?: string
  headRef?: string
  baseRef?: string
  /** Owner of the repository the head branch lives in: a fork's owner. Default: `owner`. */
  headOwner?: string
  /** Default 'open'. */
  state?: 'open' | 'closed'
}

export interface CommentInput {
  owner: string
  repo: string
  issueNumber: number
  body: string
  /** Default: the token's identity. */
  user?: { login: string; type?: UserType }
  /** ISO time; default: the stand-in's clock, which moves one second per write. */
  createdAt?: string
  authorAssociation?: string
}

/** An answer to give instead of the real one, for the next matching request(s). */
export interface FaultRule {
  /** Any method when omitted. */
  method?: string
  /**
   * Matched against the path without the query. A string matches the whole path, with `*`
   * standing for one path segment: `/repos/o/r/issues/comments/*`. Any path when omitted.
   */
  pathPattern?: string | RegExp
  status: number
  /** An object is sent as JSON, a string as is. Default: GitHub's body for that status. */
  body?: unknown
  headers?: Record<string, string>
  /** How many matching requests get this answer (default 1; Infinity for all). */
  times?: number
}

export interface RecordedRequest {
  method: string
  /** Path without the query, e.g. `/repos/o/r/issues/1/comments`. */
  path: string
  query: Record<string, string>
  /** Parsed JSON body, the raw text when it was not JSON, or undefined when empty. */
  body: unknown
  authorization: string | undefined
  /** The status the stand-in answered with. */
  status: number
  /** True when a fault rule produced the answer. */
  injected: boolean
}

export interface StandinOptions {
  /** When set, requests must carry this token (`token X` or `Bearer X`), or get 401. */
  token?: string
  identity?: Partial<TokenIdentity>
}

/** Ready-made faults that look like GitHub's real answers. Pass the result to `failNext`. */
export const faults = {
  /** What a read-only GITHUB_TOKEN (a fork's PR) gets when it writes. */
  notAccessible(match: Pick<FaultRule, 'method' | 'pathPattern' | 'times'> = {}): FaultRule {
    return {
      ...match,
      status: 403,
      body: errorBody(403, 'Resource not accessible by integration', `${DOCS}/issues/comments`)
    }
  },
  /** The secondary (abuse) rate limit: 403 with `retry-after`. */
  secondaryRateLimit(
    match: Pick<FaultRule, 'method' | 'pathPattern' | 'times'> = {},
    retryAfterSeconds = 60
  ): FaultRule {
    return {
      ...match,
      status: 403,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: errorBody(
        403,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits'
      )
    }
  },
  /** The primary rate limit spent: 403 (or 429) with `x-ratelimit-remaining: 0`. */
  primaryRateLimit(
    match: Pick<FaultRule, 'method' | 'pathPattern' | 'times'> = {},
    status: 403 | 429 = 403
  ): FaultRule {
    const reset = Math.floor(Date.now() / 1000) + 3600
    return {
      ...match,
      status,
      headers: {
        'x-ratelimit-limit': '1000',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-used': '1000',
        'x-ratelimit-reset': String(reset),
        'x-ratelimit-resource': 'core'
      },
      body: errorBody(
        status,
        'API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID.',
        'https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting'
      )
    }
  },
  serverError(
    match: Pick<FaultRule, 'method' | 'pathPattern' | 'times'> = {},
    status: 500 | 502 | 503 | 504 = 502
  ): FaultRule {
    return { ...match, status }
  }
}

interface StoredComment {
  id: number
  repoKey: string
  owner: string
  repo: string
  issueNumber: number
  body: string
  user: { login: string; type: UserType }
  createdAt: string
  updatedAt: string
  authorAssociation: string
}

interface StoredPull {
  owner: string
  repo: string
  number: number
  title: string
  headSha: string
  baseSha: string
  headRef: string
  baseRef: string
  headOwner: string
  state: 'open' | 'closed'
  files: PullFileInput[]
}

interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

class HttpError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`)
  }
}

export class GitHubStandin {
  private server: http.Server | undefined
  private baseUrl = ''
  private readonly requiredToken: string | undefined
  private readonly initialIdentity: TokenIdentity
  private identity: TokenIdentity
  private readonly log: RecordedRequest[] = []
  private faultRules: Array<FaultRule & { left: number }> = []
  private hooks: Array<{ method?: string; pathPattern?: string | RegExp; action: () => void }> = []
  private readonly pulls = new Map<string, StoredPull>()
  private readonly issues = new Set<string>()
  private readonly commentsById = new Map<number, StoredComment>()
  private readonly statusesByCommit = new Map<string, ApiStatus[]>()
  private nextStatusId = 7_000_001
  private readonly userIds = new Map<string, number>([['github-actions[bot]', 41898282]])
  private nextCommentId = 1_000_001
  private nextUserId = 9_000_001
  // A logical clock: GitHub's timestamps have whole seconds, so two writes in one second would
  // tie; moving one second per write keeps "oldest" well defined and the tests deterministic.
  private clock = Math.floor(Date.UTC(2026, 0, 1) / 1000)
  private rateRemaining = 5000

  constructor(options: StandinOptions = {}) {
    this.requiredToken = options.token
    this.initialIdentity = completeIdentity(options.identity)
    this.identity = this.initialIdentity
  }

  /** Starts listening on 127.0.0.1 on a free port. `url` is the API base URL to use. */
  async start(): Promise<{ url: string }> {
    if (this.server) return { url: this.baseUrl }
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in the stand-in should show as a 500 in the test, not hang the client.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify({ message: `stand-in error: ${error instanceof Error ? error.stack : String(error)}` }))
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const { port } = server.address() as AddressInfo
    this.server = server
    this.baseUrl = `http://127.0.0.1:${port}`
    return { url: this.baseUrl }
  }

  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    // undici keeps connections alive; without this, close() waits for them to time out.
    server.closeAllConnections()
    await new Promise<void>((resolve, reject) => server.close(error => (error ? reject(error) : resolve())))
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('The GitHub stand-in is not started: call start() first.')
    return this.baseUrl
  }

  /** Forgets all state, requests and faults, and goes back to the constructor's identity. */
  reset(): void {
    this.pulls.clear()
    this.issues.clear()
    this.commentsById.clear()
    this.statusesByCommit.clear()
    this.log.length = 0
    this.faultRules = []
    this.hooks = []
    this.identity = this.initialIdentity
  }

  // ---- identity -------------------------------------------------------------------------

  /**
   * Sets who the token is. `{login: 'octocat'}` is a personal token (`GET /user` answers);
   * the default is the Actions token (`github-actions[bot]`, a Bot, `GET /user` gives 403).
   */
  setIdentity(identity: Partial<TokenIdentity>): void {
    this.identity = completeIdentity(identity)
  }

  // ---- state ----------------------------------------------------------------------------

  /** Adds (or replaces) a pull request; its number is also an issue that takes comments. */
  addPull(input: PullInput): void {
    const key = issueKey(input.owner, input.repo, input.number)
    const pull: StoredPull = {
      owner: input.owner,
      repo: input.repo,
      number: input.number,
      title: input.title ?? `Pull request #${input.number}`,
      headSha: input.headSha ?? fakeSha(`head-${key}`),
      baseSha: input.baseSha ?? fakeSha(`base-${key}`),
      headRef: input.headRef ?? 'feature',
      baseRef: input.baseRef ?? 'main',
      headOwner: input.headOwner ?? input.owner,
      state: input.state ?? 'open',
      files: []
    }
    this.pulls.set(key, pull)
    this.issues.add(key)
    this.setPullFiles(input, input.files ?? [])
  }

  setPullFiles(ref: { owner: string; repo: string; number: number }, files: PullFileInput[]): void {
    const pull = this.pulls.get(issueKey(ref.owner, ref.repo, ref.number))
    if (!pull) throw new Error(`No pull ${ref.owner}/${ref.repo}#${ref.number} in the stand-in: addPull() first.`)
    pull.files = files.map(file => ({ ...file }))
  }

  /** Adds a plain issue (not a pull) that takes comments. */
  addIssue(ref: { owner: string; repo: string; number: number }): void {
    this.issues.add(issueKey(ref.owner, ref.repo, ref.number))
  }

  /** Puts a comment in place without a request (not recorded), e.g. someone else's. */
  addComment(input: CommentInput): ApiComment {
    const key = issueKey(input.owner, input.repo, input.issueNumber)
    if (!this.issues.has(key)) {
      throw new Error(
        `No issue ${input.owner}/${input.repo}#${input.issueNumber} in the stand-in: addPull() or addIssue() first.`
      )
    }
    const user = input.user
      ? { login: input.user.login, type: input.user.type ?? ('User' as const) }
      : { login: this.identity.login, type: this.identity.type }
    const time = input.createdAt ?? this.tick()
    const stored: StoredComment = {
      id: this.nextCommentId++,
      repoKey: repoKey(input.owner, input.repo),
      owner: input.owner,
      repo: input.repo,
      issueNumber: input.issueNumber,
      body: input.body,
      user,
      createdAt: time,
      updatedAt: time,
      authorAssociation: input.authorAssociation ?? (user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR')
    }
    this.commentsById.set(stored.id, stored)
    return this.toApiComment(stored)
  }

  /** The issue's comments as `GET …/comments` would list them (ascending id). */
  comments(ref: { owner: string; repo: string; issueNumber: number }): ApiComment[] {
    return this.commentsOf(issueKey(ref.owner, ref.repo, ref.issueNumber)).map(c => this.toApiComment(c))
  }

  /** The statuses set on a commit, oldest first. */
  statuses(ref: { owner: string; repo: string; sha: string }): ApiStatus[] {
    return [...(this.statusesByCommit.get(`${repoKey(ref.owner, ref.repo)}@${ref.sha}`) ?? [])]
  }

  comment(id: number): ApiComment | undefined {
    const stored = this.commentsById.get(id)
    return stored ? this.toApiComment(stored) : undefined
  }

  // ---- faults and the request log -------------------------------------------------------

  /** Answers the next matching request(s) with `rule` instead of the real answer. */
  failNext(rule: FaultRule): void {
    this.faultRules.push({ ...rule, left: rule.times ?? 1 })
  }

  clearFaults(): void {
    this.faultRules = []
    this.hooks = []
  }

  /**
   * Runs `action` just before the next matching request is handled as usual: a change made
   * "meanwhile" by someone else, such as a comment deleted between a run's list and its edit.
   */
  beforeNext(match: Pick<FaultRule, 'method' | 'pathPattern'>, action: () => void): void {
    this.hooks.push({ ...match, action })
  }

  /** Removes a comment without a request (not recorded), as a person in the web UI would. */
  deleteComment(id: number): void {
    this.commentsById.delete(id)
  }

  /** Every request answered so far, in order. */
  get requests(): readonly RecordedRequest[] {
    return this.log
  }

  /** The recorded requests with this method (any when omitted) and path pattern (see FaultRule). */
  requestsTo(method?: string, pathPattern?: string | RegExp): RecordedRequest[] {
    return this.log.filter(r => matches({ method, pathPattern }, r.method, r.path))
  }

  clearRequests(): void {
    this.log.length = 0
  }

  // ---- HTTP -----------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase()
    const url = new URL(req.url ?? '/', this.baseUrl)
    // Octokit may send `/repos/...` or, behind a GHES-style prefix, `/api/v3/repos/...`.
    const path = decodeURIComponent(url.pathname.replace(/\/+$/, '') || '/')
    const text = await readBody(req)
    const authorization = req.headers.authorization
    const record: RecordedRequest = {
      method,
      path,
      query: Object.fromEntries(url.searchParams),
      body: parseMaybeJson(text),
      authorization,
      status: 0,
      injected: false
    }

    const hook = this.hooks.find(h => matches(h, method, path))
    if (hook) {
      this.hooks = this.hooks.filter(h => h !== hook)
      hook.action()
    }
    let reply: Reply
    const fault = this.takeFault(method, path)
    if (fault) {
      record.injected = true
      reply = {
        status: fault.status,
        body: fault.body === undefined ? defaultErrorBody(fault.status) : fault.body,
        headers: fault.headers
      }
    } else {
      try {
        this.checkAuth(authorization)
        reply = this.route(method, path, url, text)
      } catch (error: unknown) {
        if (!(error instanceof HttpError)) throw error
        reply = error.reply
      }
    }
    record.status = reply.status
    this.log.push(record)
    this.send(res, reply)
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    this.rateRemaining = Math.max(0, this.rateRemaining - 1)
    const headers: Record<string, string> = {
      'x-github-api-version-selected': '2022-11-28',
      'x-github-request-id': `STANDIN:${Date.now().toString(16)}:${this.log.length}`,
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(this.rateRemaining),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(5000 - this.rateRemaining),
      'x-ratelimit-resource': 'core'
    }
    let payload = ''
    if (reply.body !== undefined && reply.status !== 204) {
      if (typeof reply.body === 'string') {
        headers['content-type'] = 'text/plain; charset=utf-8'
        payload = reply.body
      } else {
        headers['content-type'] = 'application/json; charset=utf-8'
        payload = JSON.stringify(reply.body)
      }
    }
    Object.assign(headers, lowerKeys(reply.headers ?? {}))
    headers['content-length'] = String(Buffer.byteLength(payload))
    res.writeHead(reply.status, headers)
    res.end(payload)
  }

  private takeFault(method: string, path: string): FaultRule | undefined {
    const rule = this.faultRules.find(r => r.left > 0 && matches(r, method, path))
    if (!rule) return undefined
    rule.left -= 1
    this.faultRules = this.faultRules.filter(r => r.left > 0)
    return rule
  }

  private checkAuth(authorization: string | undefined): void {
    if (this.requiredToken === undefined) return
    const given = authorization?.replace(/^(token|bearer)\s+/i, '')
    if (!authorization) throw new HttpError({ status: 401, body: errorBody(401, 'Requires authentication', DOCS) })
    if (given !== this.requiredToken)
      throw new HttpError({ status: 401, body: errorBody(401, 'Bad credentials', DOCS) })
  }

  private route(method: string, rawPath: string, url: URL, text: string): Reply {
    const path = rawPath.replace(/^\/api\/v3(?=\/)/, '')
    // The owner, the repository and the third part (a number or a SHA) of a path that matches.
    const parts = (pattern: RegExp): { owner: string; repo: string; id: string } | null => {
      const [, owner, repo, id = ''] = pattern.exec(path) ?? []
      return owner === undefined || repo === undefined ? null : { owner, repo, id }
    }
    let m: { owner: string; repo: string; id: string } | null

    if (path === '/user' && method === 'GET') return this.getUser()

    if ((m = parts(/^\/repos\/([^/]+)\/([^/]+)\/pulls$/)) && method === 'GET') {
      // `state` (default open) and `head` (`owner:branch`) filter, as on GitHub.
      const state = url.searchParams.get('state') ?? 'open'
      const head = url.searchParams.get('head')
      const pulls = this.pullsOf(m.owner, m.repo).filter(
        p => (state === 'all' || p.state === state) && (!head || `${p.headOwner}:${p.headRef}` === head)
      )
      return this.paginate(url, rawPath, pulls, p => this.toApiPull(p))
    }
    if ((m = parts(/^\/repos\/([^/]+)\/([^/]+)\/commits\/([0-9a-f]{40})\/pulls$/)) && method === 'GET') {
      const pulls = this.pullsOf(m.owner, m.repo).filter(p => p.headSha === m?.id)
      return this.paginate(url, rawPath, pulls, p => this.toApiPull(p))
    }
    if ((m = parts(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/)) && method === 'GET') {
      return { status: 200, body: this.toApiPull(this.findPull(m.owner, m.repo, Number(m.id))) }
    }
    if ((m = parts(/^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files$/)) && method === 'GET') {
      const pull = this.findPull(m.owner, m.repo, Number(m.id))
      // GitHub lists at most 3,000 files and gives no sign that it stopped there.
      return this.paginate(url, rawPath, pull.files.slice(0, PULL_FILES_CAP), f => this.toApiFile(pull, f))
    }
    if ((m = parts(/^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/))) {
      const key = this.findIssue(m.owner, m.repo, Number(m.id))
      if (method === 'GET') return this.paginate(url, rawPath, this.commentsOf(key), c => this.toApiComment(c))
      if (method === 'POST') return this.createComment(m.owner, m.repo, Number(m.id), text)
    }
    if ((m = parts(/^\/repos\/([^/]+)\/([^/]+)\/statuses\/([^/]+)$/)) && method === 'POST') {
      return this.createStatus(m.owner, m.repo, m.id, text)
    }
    if ((m = parts(/^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/))) {
      const stored = this.findComment(m.owner, m.repo, Number(m.id))
      if (method === 'GET') return { status: 200, body: this.toApiComment(stored) }
      if (method === 'PATCH') return this.updateComment(stored, text)
      if (method === 'DELETE') {
        this.commentsById.delete(stored.id)
        return { status: 204 }
      }
    }
    throw notFound()
  }

  private createStatus(owner: string, repo: string, sha: string, text: string): Reply {
    const docs = `${DOCS}/commits/statuses#create-a-commit-status`
    const input = parseJson(text)
    const body = isRecord(input) ? input : {}
    const invalid = (message: string) => new HttpError({ status: 422, body: errorBody(422, message, docs) })
    if (!/^[0-9a-f]{40}$/.test(sha)) throw invalid(`No commit found for SHA: ${sha}`)
    const state = body['state']
    if (state !== 'error' && state !== 'failure' && state !== 'pending' && state !== 'success') {
      throw invalid(
        `Invalid request.\n\nFor 'properties/state', ${JSON.stringify(state ?? null)} is not a member of the enum.`
      )
    }
    for (const field of ['target_url', 'description', 'context'] as const) {
      const value = body[field]
      const nullable = field !== 'context'
      if (value !== undefined && typeof value !== 'string' && !(nullable && value === null)) {
        throw invalid(`Invalid request.\n\nFor 'properties/${field}', ${JSON.stringify(value)} is not a string.`)
      }
    }
    const description = typeof body['description'] === 'string' ? body['description'] : null
    if (description !== null && [...description].length > STATUS_DESCRIPTION_MAX) {
      throw new HttpError({
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'Status',
              code: 'custom',
              field: 'description',
              message: `description is too long (maximum is ${STATUS_DESCRIPTION_MAX} characters)`
            }
          ],
          documentation_url: docs,
          status: '422'
        }
      })
    }
    const id = this.nextStatusId++
    const time = this.tick()
    const login = this.identity.login
    const userId = this.userId(login)
    const api = this.baseUrl || 'http://127.0.0.1'
    const status: ApiStatus = {
      url: `${api}/repos/${owner}/${repo}/statuses/${sha}`,
      avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
      id,
      node_id: `SC_${id}`,
      state,
      description,
      target_url: typeof body['target_url'] === 'string' ? body['target_url'] : null,
      context: typeof body['context'] === 'string' ? body['context'] : 'default',
      created_at: time,
      updated_at: time,
      creator: {
        ...this.toApiUser(login, this.identity.type),
        avatar_url: `https://avatars.githubusercontent.com/u/${userId}?v=4`,
        gravatar_id: '',
        url: `${api}/users/${login}`,
        html_url: `https://github.com/${login}`,
        events_url: `${api}/users/${login}/events{/privacy}`,
        followers_url: `${api}/users/${login}/followers`,
        following_url: `${api}/users/${login}/following{/other_user}`,
        gists_url: `${api}/users/${login}/gists{/gist_id}`,
        organizations_url: `${api}/users/${login}/orgs`,
        received_events_url: `${api}/users/${login}/received_events`,
        repos_url: `${api}/users/${login}/repos`,
        starred_url: `${api}/users/${login}/starred{/owner}{/repo}`,
        subscriptions_url: `${api}/users/${login}/subscriptions`
      }
    }
    const key = `${repoKey(owner, repo)}@${sha}`
    this.statusesByCommit.set(key, [...(this.statusesByCommit.get(key) ?? []), status])
    return { status: 201, body: status, headers: { location: status.url } }
  }

  private getUser(): Reply {
    if (!this.identity.canReadUser) {
      return {
        status: 403,
        body: errorBody(403, 'Resource not accessible by integration', `${DOCS}/users/users#get-the-authenticated-user`)
      }
    }
    return { status: 200, body: this.toApiUser(this.identity.login, this.identity.type) }
  }

  private createComment(owner: string, repo: string, issueNumber: number, text: string): Reply {
    const body = this.commentBodyFrom(text)
    const created = this.addComment({ owner, repo, issueNumber, body })
    return { status: 201, body: created, headers: { location: created.url } }
  }

  private updateComment(stored: StoredComment, text: string): Reply {
    stored.body = this.commentBodyFrom(text)
    stored.updatedAt = this.tick()
    return { status: 200, body: this.toApiComment(stored) }
  }

  private commentBodyFrom(text: string): string {
    const input = parseJson(text)
    const body = isRecord(input) ? input['body'] : undefined
    if (typeof body !== 'string') {
      throw new HttpError({
        status: 422,
        body: errorBody(
          422,
          "Invalid request.\n\nFor 'properties/body', nil is not a string.",
          `${DOCS}/issues/comments`
        )
      })
    }
    // GitHub counts characters (code points here), not UTF-16 units or bytes.
    if ([...body].length > COMMENT_BODY_MAX) {
      throw new HttpError({
        status: 422,
        body: {
          message: 'Validation Failed',
          errors: [
            {
              resource: 'IssueComment',
              code: 'custom',
              field: 'body',
              message: `body is too long (maximum is ${COMMENT_BODY_MAX} characters)`
            }
          ],
          documentation_url: `${DOCS}/issues/comments#create-an-issue-comment`,
          status: '422'
        }
      })
    }
    return body
  }

  /**
   * One page of `items`, with GitHub's Link header: absolute URLs back to this server, the
   * request's other query parameters kept, `page` last; `prev`, `next`, `last`, `first` as
   * they apply, and no header at all when everything fits on one page.
   */
  private paginate<T>(url: URL, path: string, items: T[], render: (item: T) => unknown): Reply {
    const perPage = clampInt(url.searchParams.get('per_page'), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    const page = clampInt(url.searchParams.get('page'), 1, 1, Number.MAX_SAFE_INTEGER)
    const lastPage = Math.max(1, Math.ceil(items.length / perPage))
    const pageUrl = (n: number): string => {
      const params = new URLSearchParams(url.searchParams)
      params.delete('page')
      params.append('page', String(n))
      return `${this.baseUrl}${path}?${params.toString()}`
    }
    const links: string[] = []
    if (page > 1) links.push(`<${pageUrl(Math.min(page - 1, lastPage))}>; rel="prev"`)
    if (page < lastPage) {
      links.push(`<${pageUrl(page + 1)}>; rel="next"`)
      links.push(`<${pageUrl(lastPage)}>; rel="last"`)
    }
    if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`)
    const headers: Record<string, string> = links.length > 0 ? { link: links.join(', ') } : {}
    return { status: 200, body: items.slice((page - 1) * perPage, page * perPage).map(render), headers }
  }

  private findPull(owner: string, repo: string, number: number): StoredPull {
    const pull = this.pulls.get(issueKey(owner, repo, number))
    if (!pull) throw notFound(`${DOCS}/pulls/pulls`)
    return pull
  }

  private pullsOf(owner: string, repo: string): StoredPull[] {
    return [...this.pulls.values()]
      .filter(p => repoKey(p.owner, p.repo) === repoKey(owner, repo))
      .sort((a, b) => a.number - b.number)
  }

  private findIssue(owner: string, repo: string, number: number): string {
    const key = issueKey(owner, repo, number)
    if (!this.issues.has(key)) throw notFound(`${DOCS}/issues/comments`)
    return key
  }

  private findComment(owner: string, repo: string, id: number): StoredComment {
    const stored = this.commentsById.get(id)
    if (!stored || stored.repoKey !== repoKey(owner, repo)) throw notFound(`${DOCS}/issues/comments`)
    return stored
  }

  private commentsOf(key: string): StoredComment[] {
    return [...this.commentsById.values()]
      .filter(c => issueKey(c.owner, c.repo, c.issueNumber) === key)
      .sort((a, b) => a.id - b.id)
  }

  private tick(): string {
    this.clock += 1
    return new Date(this.clock * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
  }

  private userId(login: string): number {
    let id = this.userIds.get(login)
    if (id === undefined) {
      id = this.nextUserId++
      this.userIds.set(login, id)
    }
    return id
  }

  private toApiUser(login: string, type: UserType): ApiUser {
    const id = this.userId(login)
    return { login, id, node_id: `U_${id}`, type, site_admin: false }
  }

  private toApiComment(c: StoredComment): ApiComment {
    const web = this.pulls.has(issueKey(c.owner, c.repo, c.issueNumber)) ? 'pull' : 'issues'
    const api = this.baseUrl || 'http://127.0.0.1'
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${api}/repos/${c.owner}/${c.repo}/issues/comments/${c.id}`,
      html_url: `${api}/${c.owner}/${c.repo}/${web}/${c.issueNumber}#issuecomment-${c.id}`,
      issue_url: `${api}/repos/${c.owner}/${c.repo}/issues/${c.issueNumber}`,
      body: c.body,
      user: this.toApiUser(c.user.login, c.user.type),
      created_at: c.createdAt,
      updated_at: c.updatedAt,
      author_association: c.authorAssociation
    }
  }

  private toApiPull(p: StoredPull): Record<string, unknown> {
    const api = this.baseUrl
    const repo = { full_name: `${p.owner}/${p.repo}`, name: p.repo, owner: { login: p.owner } }
    const headRepo = { full_name: `${p.headOwner}/${p.repo}`, name: p.repo, owner: { login: p.headOwner } }
    return {
      url: `${api}/repos/${p.owner}/${p.repo}/pulls/${p.number}`,
      html_url: `${api}/${p.owner}/${p.repo}/pull/${p.number}`,
      number: p.number,
      state: p.state,
      title: p.title,
      head: { ref: p.headRef, sha: p.headSha, repo: headRepo },
      base: { ref: p.baseRef, sha: p.baseSha, repo },
      changed_files: p.files.length,
      additions: p.files.reduce((sum, f) => sum + (f.additions ?? 1), 0),
      deletions: p.files.reduce((sum, f) => sum + (f.deletions ?? 0), 0)
    }
  }

  private toApiFile(pull: StoredPull, file: PullFileInput): ApiPullFile {
    const additions = file.additions ?? 1
    const deletions = file.deletions ?? 0
    const web = `${this.baseUrl}/${pull.owner}/${pull.repo}`
    const completed: ApiPullFile = {
      sha: file.sha ?? fakeSha(file.filename),
      filename: file.filename,
      status: file.status ?? 'modified',
      additions,
      deletions,
      changes: file.changes ?? additions + deletions,
      blob_url: file.blob_url ?? `${web}/blob/${pull.headSha}/${file.filename}`,
      raw_url: file.raw_url ?? `${web}/raw/${pull.headSha}/${file.filename}`,
      contents_url:
        file.contents_url ??
        `${this.baseUrl}/repos/${pull.owner}/${pull.repo}/contents/${file.filename}?ref=${pull.headSha}`
    }
    if (file.patch !== undefined) completed.patch = file.patch
    if (file.previous_filename !== undefined) completed.previous_filename = file.previous_filename
    return completed
  }
}

// ---- helpers ------------------------------------------------------------------------------

function completeIdentity(identity: Partial<TokenIdentity> = {}): TokenIdentity {
  if (identity.login === undefined) return { ...ACTIONS_TOKEN_IDENTITY, ...identity }
  const type = identity.type ?? (identity.login.endsWith('[bot]') ? 'Bot' : 'User')
  return { login: identity.login, type, canReadUser: identity.canReadUser ?? type === 'User' }
}

// GitHub treats owner and repository names without regard to case.
function repoKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase()
}

function issueKey(owner: string, repo: string, number: number): string {
  return `${repoKey(owner, repo)}#${number}`
}

function errorBody(status: number, message: string, documentationUrl: string): Record<string, string> {
  return { message, documentation_url: documentationUrl, status: String(status) }
}

function notFound(documentationUrl = DOCS): HttpError {
  return new HttpError({ status: 404, body: errorBody(404, 'Not Found', documentationUrl) })
}

function defaultErrorBody(status: number): unknown {
  switch (status) {
    case 401:
      return errorBody(401, 'Bad credentials', DOCS)
    case 403:
      return errorBody(403, 'Resource not accessible by integration', DOCS)
    case 404:
      return errorBody(404, 'Not Found', DOCS)
    case 422:
      return { message: 'Validation Failed', errors: [], documentation_url: DOCS, status: '422' }
    case 429:
      return errorBody(429, 'API rate limit exceeded.', DOCS)
    default:
      return status >= 500 ? { message: 'Server Error' } : errorBody(status, `HTTP ${status}`, DOCS)
  }
}

function matches(rule: Pick<FaultRule, 'method' | 'pathPattern'>, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false
  if (rule.pathPattern === undefined) return true
  if (rule.pathPattern instanceof RegExp) return rule.pathPattern.test(path)
  const source = rule.pathPattern
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+')
  return new RegExp(`^${source}$`).test(path)
}

function clampInt(value: string | null, fallback: number, min: number, max: number): number {
  const n = value === null ? NaN : Number.parseInt(value, 10)
  if (!Number.isFinite(n) || n < min) return fallback
  return Math.min(n, max)
}

function fakeSha(seed: string): string {
  // Deterministic and 40 hex digits; not a real hash of anything.
  let h = 0x811c9dc5
  let out = ''
  while (out.length < 40) {
    for (const ch of seed + out.length) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0
    out += h.toString(16).padStart(8, '0')
  }
  return out.slice(0, 40)
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseMaybeJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new HttpError({ status: 400, body: errorBody(400, 'Problems parsing JSON', DOCS) })
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
