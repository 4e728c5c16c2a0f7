// A token service for the Bearer challenge, as GHCR and Docker Hub answer: distribution's
// `auth: token` sends clients to this realm, which checks Basic credentials and hands out a
// JWT (RS256) granting the scopes asked for. The registry trusts the tokens by the
// certificate they carry in `x5c`, which its root bundle holds (RegistryOptions.token).
import { execFileSync } from 'node:child_process'
import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TokenRequest {
  /** The user whose credentials came with the request; null when none came (anonymous). */
  user: string | null
  /** The scopes asked for, such as `repository:app:pull`. */
  scopes: string[]
  /** 200 with a token, or 401 for wrong credentials. */
  status: number
}

export interface TokenIssuer {
  /** What the registry's `auth: token` is configured with. */
  realm: string
  service: string
  issuer: string
  certificate: string
  requests: TokenRequest[]
  /** A token for `scopes`, as the issuer gives it to the user. */
  tokenFor(scopes: string[]): string
  stop(): Promise<void>
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString('base64url')

/** Starts the issuer on 127.0.0.1; only `username`/`password` get tokens with access. */
export async function startTokenIssuer(credentials: { username: string; password: string }): Promise<TokenIssuer> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const dir = await mkdtemp(join(tmpdir(), 'dsc-token-issuer-'))
  let certificate: string
  try {
    const keyFile = join(dir, 'key.pem')
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }))
    // node:crypto reads certificates but makes none: openssl signs the issuer's own, for a day.
    certificate = execFileSync(
      'openssl',
      ['req', '-x509', '-new', '-key', keyFile, '-subj', '/CN=dsc-test-token-issuer', '-days', '1'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  const der = new X509Certificate(certificate).raw.toString('base64')
  const service = 'dsc-test-registry'
  const issuer = 'dsc-test-token-issuer'
  const requests: TokenRequest[] = []

  const token = (user: string, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000)
    const access = scopes.flatMap(scope => {
      const [type, name, actions] = scope.split(':')
      return type && name && actions ? [{ type, name, actions: actions.split(',') }] : []
    })
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', x5c: [der] }))
    const claims = base64url(
      JSON.stringify({
        iss: issuer,
        sub: user,
        aud: service,
        iat: now,
        nbf: now - 10,
        exp: now + 300,
        jti: randomBytes(8).toString('hex'),
        access
      })
    )
    const signature = sign('sha256', Buffer.from(`${header}.${claims}`), privateKey)
    return `${header}.${claims}.${base64url(signature)}`
  }

  const userOf = (username: string | null, password: string): string | null | false => {
    if (username === null) return null
    return username === credentials.username && password === credentials.password ? username : false
  }

  // Two ways to ask, as registries' realms answer both: GET with Basic credentials (docker's
  // own client), and the OAuth2 password grant POSTed as a form (containerd's, in BuildKit).
  const askOf = async (
    request: IncomingMessage,
    url: URL
  ): Promise<{ user: string | null | false; scopes: string[] }> => {
    if (request.method === 'POST') {
      let body = ''
      for await (const chunk of request) body += String(chunk)
      const form = new URLSearchParams(body)
      return {
        user: userOf(form.get('username'), form.get('password') ?? ''),
        scopes: (form.get('scope') ?? '').split(' ').filter(Boolean)
      }
    }
    const header = request.headers.authorization ?? ''
    const [username, ...password] = header.startsWith('Basic ')
      ? Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8').split(':')
      : [null]
    return {
      user: userOf(username ?? null, password.join(':')),
      scopes: url.searchParams.getAll('scope').flatMap(scope => scope.split(' ').filter(Boolean))
    }
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    void askOf(request, url).then(({ user, scopes }) => {
      if (url.pathname !== '/token' || user === false) {
        requests.push({ user: null, scopes, status: 401 })
        response.writeHead(401, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}')
        return
      }
      requests.push({ user, scopes, status: 200 })
      // Anonymous: a token that grants nothing, as a registry gives for a private repository.
      const issued = token(user ?? '', user ? scopes : [])
      response
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ token: issued, access_token: issued, expires_in: 300 }))
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certificate,
    requests,
    tokenFor: scopes => token(credentials.username, scopes),
    stop: () => new Promise(resolve => server.close(() => resolve()))
  }
}
