// The registry's HTTP API (the OCI distribution spec, as Docker Hub, GHCR and distribution
// answer it): manifests and blobs of one repository, behind the Basic or the Bearer-token
// challenge. Each request is tried anonymously or with the authorization already won for its
// repository; a 401 answers which scheme to use. Credentials are sent to the registry's host
// or its token realm only, and no message, log line or error ever holds one.
import { createHash } from 'node:crypto'
import type { Logger } from '../shared/logger.js'
import { Credential, CredentialSource } from './credentials.js'
import { ImageReference, manifestReference } from './reference.js'

export const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json'
] as const
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
] as const
const ACCEPT = [...INDEX_TYPES, ...MANIFEST_TYPES].join(', ')

/** A registry's refusal or failure, named with the reference and what to do about it. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number | null
  ) {
    super(message)
  }
}

export interface RegistryClientOptions {
  credentials: CredentialSource
  /** Tries of one request that failed in a way a retry can help (429, 5xx, the network). Default 4. */
  attempts?: number
  /** The first wait between tries; doubled each time. Default 500 ms. */
  backoffMs?: number
  /** Each request's method, path and answer at debug level, for whoever debugs a run (never a header). */
  log?: Logger
  signal?: AbortSignal
}

/** What a manifest read gives: the body, its media type and its digest (checked when asked by digest). */
export interface ManifestResponse {
  mediaType: string
  digest: string
  body: Buffer
}

/** The longest manifest or config read into memory; a larger one is not an image's. */
const MAX_DOCUMENT = 8 * 1024 * 1024
/** The longest wait a Retry-After may ask for. */
const MAX_RETRY_AFTER_MS = 30_000

interface Challenge {
  scheme: string
  params: Record<string, string>
}

export class RegistryClient {
  private readonly authorizations = new Map<string, Promise<string | null>>()
  /** How many requests went to each kind of path: the benchmark and the tests read it. */
  readonly requests = { manifests: 0, blobs: 0, tokens: 0 }

  constructor(private readonly options: RegistryClientOptions) {}

  /** The manifest or index `reference` names (its tag, or its digest, which is checked). */
  async manifest(reference: ImageReference, digest?: string): Promise<ManifestResponse> {
    const wanted = digest ?? manifestReference(reference)
    this.requests.manifests++
    const response = await this.request(reference, `manifests/${wanted}`, { Accept: ACCEPT }, 'manifest')
    const body = await readLimited(response, MAX_DOCUMENT, reference)
    const computed = `sha256:${createHash('sha256').update(body).digest('hex')}`
    const expected = digest ?? reference.digest
    if (expected && expected.startsWith('sha256:') && expected !== computed) {
      throw new RegistryError(
        `${reference.text}: the registry answered a manifest whose digest is ${computed}, not ${expected}. ` +
          'It is not the image asked for: check the registry (or a proxy in front of it).',
        null
      )
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? ''
    return { mediaType, digest: expected ?? response.headers.get('docker-content-digest') ?? computed, body }
  }

  /** A small blob read whole (an image config), its digest checked. */
  async blobJson(reference: ImageReference, digest: string): Promise<Buffer> {
    const response = await this.blob(reference, digest)
    const body = await readLimited(response, MAX_DOCUMENT, reference)
    const computed = `sha256:${createHash('sha256').update(body).digest('hex')}`
    if (digest.startsWith('sha256:') && digest !== computed) {
      throw new RegistryError(
        `${reference.text}: the blob ${digest} the registry sent has the digest ${computed}.`,
        null
      )
    }
    return body
  }

  /** A blob as a stream (a layer, read as it arrives). */
  async blob(reference: ImageReference, digest: string): Promise<Response> {
    this.requests.blobs++
    return this.request(reference, `blobs/${digest}`, {}, 'blob')
  }

  private async request(
    reference: ImageReference,
    path: string,
    headers: Record<string, string>,
    what: 'manifest' | 'blob'
  ): Promise<Response> {
    const url = `${reference.scheme}://${reference.apiHost}/v2/${reference.repository}/${path}`
    const scopeKey = `${reference.apiHost}/${reference.repository}`
    let authorization = await (this.authorizations.get(scopeKey) ?? Promise.resolve(null))
    for (let round = 0; ; round++) {
      const response = await this.send(reference, url, {
        ...headers,
        ...(authorization ? { Authorization: authorization } : {})
      })
      if (response.status !== 401 || round > 0) return this.checked(response, reference, what, authorization !== null)
      await response.body?.cancel()
      const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '')
      const won = this.authorize(reference, challenge)
      this.authorizations.set(scopeKey, won)
      authorization = await won
      if (authorization === null) return this.checked(response, reference, what, false)
    }
  }

  /** The Authorization header a challenge asks for, from the host's credentials; null when there are none. */
  private async authorize(reference: ImageReference, challenge: Challenge | null): Promise<string | null> {
    const credential = await this.options.credentials(reference.registry)
    if (challenge?.scheme === 'bearer') {
      const token = await this.bearerToken(reference, challenge, credential)
      return token === null ? null : `Bearer ${token}`
    }
    if (!credential || credential.identityToken) return null
    return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`
  }

  /** The token service's answer for pulling the repository (docker's token spec). */
  private async bearerToken(
    reference: ImageReference,
    challenge: Challenge,
    credential: Credential | null
  ): Promise<string | null> {
    const realm = challenge.params.realm
    if (!realm || !/^https?:\/\//i.test(realm)) {
      throw new RegistryError(
        `${reference.text}: ${reference.registry} asks for a Bearer token without a realm URL to get it from.`,
        401
      )
    }
    const url = new URL(realm)
    if (url.protocol === 'http:' && !isLoopbackUrl(url) && credential) {
      // A credential never travels in clear text to another machine.
      throw new RegistryError(
        `${reference.text}: ${reference.registry} sends its token requests to ${url.host} over plain HTTP; ` +
          'credentials are only sent there over HTTPS.',
        401
      )
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service)
    url.searchParams.set('scope', challenge.params.scope ?? `repository:${reference.repository}:pull`)
    this.requests.tokens++
    let response: Response
    if (credential?.identityToken) {
      const form = new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: credential.identityToken,
        service: challenge.params.service ?? '',
        scope: url.searchParams.get('scope') ?? '',
        client_id: 'docker-size-check'
      })
      response = await this.send(reference, `${url.origin}${url.pathname}`, {}, { method: 'POST', body: form })
    } else {
      const headers: Record<string, string> = credential
        ? { Authorization: `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}` }
        : {}
      response = await this.send(reference, url.toString(), headers)
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel()
      throw new RegistryError(
        credential
          ? `${reference.text}: the token service of ${reference.registry} (${url.host}) refused the credentials docker's config holds for it (${response.status}). ` +
              `Run docker login ${reference.registry} again with a token that may pull ${reference.repository}.`
          : `${reference.text}: ${reference.registry} needs credentials to pull ${reference.repository} (its token service answered ${response.status}). ` +
              `Run docker login ${reference.registry} (docker/login-action in a workflow) before this step.`,
        response.status
      )
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw new RegistryError(
        `${reference.text}: the token service of ${reference.registry} (${url.host}) answered ${response.status}. Re-run the job; if it stays, the registry is failing.`,
        response.status
      )
    }
    const answer = JSON.parse((await readLimited(response, 1024 * 1024, reference)).toString('utf8')) as {
      token?: unknown
      access_token?: unknown
    }
    const token = typeof answer.token === 'string' ? answer.token : answer.access_token
    if (typeof token !== 'string' || token === '') {
      throw new RegistryError(
        `${reference.text}: the token service of ${reference.registry} answered without a token.`,
        null
      )
    }
    return token
  }

  /** One request, tried again with a growing wait while the answer is one a retry can help. */
  private async send(
    reference: ImageReference,
    url: string,
    headers: Record<string, string>,
    init: { method?: string; body?: URLSearchParams } = {}
  ): Promise<Response> {
    const attempts = this.options.attempts ?? 4
    const backoff = this.options.backoffMs ?? 500
    const method = init.method ?? 'GET'
    const path = new URL(url).pathname
    for (let attempt = 1; ; attempt++) {
      this.options.signal?.throwIfAborted()
      let response: Response
      try {
        response = await fetch(url, {
          method,
          headers,
          ...(init.body ? { body: init.body } : {}),
          redirect: 'manual',
          ...(this.options.signal ? { signal: this.options.signal } : {})
        })
      } catch (error) {
        if (this.options.signal?.aborted) throw error
        const cause = (error as { cause?: { code?: string; message?: string } }).cause
        const why = cause?.code ?? cause?.message ?? (error as Error).message
        this.options.log?.debug(`${method} ${path}: ${why} (try ${attempt} of ${attempts})`)
        if (attempt >= attempts) {
          throw new RegistryError(
            `${reference.text}: could not reach ${new URL(url).host} (${why}) after ${attempts} tries. Check the registry's name and that this machine reaches it.`,
            null
          )
        }
        await this.wait(backoff * 2 ** (attempt - 1))
        continue
      }
      this.options.log?.debug(`${method} ${path}: ${response.status}`)
      // Blobs are often served from elsewhere (a CDN): followed by hand, without the registry's
      // Authorization, which must not reach another host.
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        const next = new URL(response.headers.get('location') as string, url)
        await response.body?.cancel()
        const sameHost = next.host === new URL(url).host
        return this.send(reference, next.toString(), sameHost ? headers : {}, init)
      }
      const retryable = response.status === 429 || response.status >= 500
      if (!retryable || attempt >= attempts) return response
      await response.body?.cancel()
      await this.wait(retryAfterMs(response.headers.get('retry-after')) ?? backoff * 2 ** (attempt - 1))
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms)
      this.options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          const reason: unknown = this.options.signal?.reason
          reject(reason instanceof Error ? reason : new Error('Stopped.'))
        },
        { once: true }
      )
    })
  }

  /** The answer when it is a success; otherwise the error a user can act on. */
  private async checked(
    response: Response,
    reference: ImageReference,
    what: 'manifest' | 'blob',
    authorized: boolean
  ): Promise<Response> {
    if (response.ok) return response
    const code = await errorCode(response)
    const host = reference.registry
    const status = response.status
    const named = `${reference.text}${what === 'blob' ? ' (a layer or config)' : ''}`
    if (status === 401) {
      throw new RegistryError(
        authorized
          ? `${named}: ${host} refused the credentials docker's config holds for it (401${code}). Run docker login ${host} again.`
          : `${named}: ${host} needs credentials (401${code}). Run docker login ${host} (docker/login-action in a workflow) before this step, or set DOCKER_CONFIG to the folder of the config that holds them.`,
        status
      )
    }
    if (status === 403) {
      throw new RegistryError(
        `${named}: ${host} denied access to ${reference.repository} (403${code}). The credentials work but may not pull it: grant them read access (for ghcr.io, the package's access settings or packages: read).`,
        status
      )
    }
    if (status === 404) {
      throw new RegistryError(
        what === 'manifest'
          ? `${named}: no such image in ${host} (404${code}). Check the repository and the tag; an image the workflow builds must be pushed before this step.`
          : `${named}: ${host} has no blob its manifest lists (404${code}). The image is incomplete in the registry: push it again.`,
        status
      )
    }
    if (status === 429) {
      throw new RegistryError(
        `${named}: ${host} limits the rate of requests (429) and still did after ${this.options.attempts ?? 4} tries. Log in (anonymous pulls have the lowest limits) or re-run later.`,
        status
      )
    }
    if (status >= 500) {
      throw new RegistryError(
        `${named}: ${host} failed (${status}) ${this.options.attempts ?? 4} times in a row. Re-run the job; if it stays, the registry is down.`,
        status
      )
    }
    throw new RegistryError(`${named}: ${host} answered ${status}${code}.`, status)
  }
}

/** `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"` as a scheme and its parameters. */
export function parseChallenge(header: string): Challenge | null {
  const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header)
  if (!match) return null
  const params: Record<string, string> = {}
  const pairs = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g
  for (const pair of (match[2] ?? '').matchAll(pairs)) {
    const name = (pair[1] ?? '').toLowerCase()
    params[name] = (pair[2] ?? pair[3] ?? '').replace(/\\(.)/g, '$1')
  }
  return { scheme: (match[1] ?? '').toLowerCase(), params }
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS)
  const at = Date.parse(header)
  return Number.isNaN(at) ? null : Math.min(Math.max(0, at - Date.now()), MAX_RETRY_AFTER_MS)
}

function isLoopbackUrl(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname)
}

/** The registry's own error code (`MANIFEST_UNKNOWN`), which says more than the status. */
async function errorCode(response: Response): Promise<string> {
  try {
    const text = (await response.text()).slice(0, 4096)
    const code = (JSON.parse(text) as { errors?: Array<{ code?: unknown }> }).errors?.[0]?.code
    return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? `, ${code}` : ''
  } catch {
    return ''
  }
}

async function readLimited(response: Response, limit: number, reference: ImageReference): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > limit) {
    await response.body?.cancel()
    throw new RegistryError(
      `${reference.text}: the registry sent a document of ${declared} bytes, over ${limit}.`,
      null
    )
  }
  const chunks: Buffer[] = []
  let length = 0
  const reader = response.body?.getReader()
  for (;;) {
    if (!reader) break
    const { done, value } = await reader.read()
    if (done) break
    length += value.length
    if (length > limit) {
      await reader.cancel()
      throw new RegistryError(`${reference.text}: the registry sent a document over ${limit} bytes.`, null)
    }
    chunks.push(Buffer.from(value))
  }
  return Buffer.concat(chunks)
}
