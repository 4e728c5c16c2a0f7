// The command comparing two references behind the Bearer-token challenge, as GHCR and Docker
// Hub answer: Debian's docker-registry with `auth: token`, trusting a token issuer written for
// the test (support/token-issuer.ts), which gives tokens to the credentials `docker login`
// wrote. The command follows the challenge to the realm with those credentials, reads both
// platforms with the pull token it gets, and writes the password nowhere.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JsonReport } from '../../src/serialized/run-file.js'
import { runCliBundle } from '../support/cli-runner.js'
import {
  dockerOnContainerd,
  privateDockerConfig,
  PushedPair,
  pushTwoPlatformPair,
  uniqueName
} from '../support/multi-platform.js'
import { Registry, startRegistry } from '../support/registry.js'
import { PlatformSize, pullSizes, requestsIn } from '../support/registry-reads.js'
import { startTokenIssuer, TokenIssuer } from '../support/token-issuer.js'

const USER = 'dsc-issue-23-token'
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`
let issuer: TokenIssuer
let registry: Registry
let dockerConfig: string
let folder: string
let pair: PushedPair
let name: string
let sizes: { main: Record<string, PlatformSize>; pr: Record<string, PlatformSize> }

beforeAll(async () => {
  issuer = await startTokenIssuer({ username: USER, password: PASSWORD })
  registry = await startRegistry({ token: issuer, accessLog: true })
  dockerConfig = await privateDockerConfig()
  folder = await mkdtemp(join(tmpdir(), 'dsc-registry-token-'))
  await dockerOnContainerd(['login', '-u', USER, '--password-stdin', registry.host], { dockerConfig, input: PASSWORD })
  name = uniqueName('issue-23-token')
  pair = await pushTwoPlatformPair(registry.host, name, { dockerConfig })
  const bearer = `Bearer ${issuer.tokenFor([`repository:${name}:pull`])}`
  sizes = {
    main: await pullSizes(registry.host, name, 'main', bearer),
    pr: await pullSizes(registry.host, name, 'pr', bearer)
  }
})

afterAll(async () => {
  await pair?.cleanup()
  await registry?.stop()
  await issuer?.stop()
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true })
  if (folder) await rm(folder, { recursive: true, force: true })
})

describe('the command behind a Bearer-token registry', () => {
  it('gets a pull token from the realm with the credentials docker login wrote, and compares both platforms', async () => {
    const logFrom = registry.output().length
    const asked = issuer.requests.length
    // Without credentials the realm's token grants nothing, and the registry refuses the read.
    const anonymous = await runCliBundle(folder, ['--image', pair.pr, '--base-image', pair.main], {
      DOCKER_CONFIG: await mkdtemp(join(folder, 'empty-docker-config-'))
    })
    expect(anonymous.exitCode).toBe(1)
    expect(anonymous.stdout + anonymous.stderr).toMatch(/401|credentials/)

    const run = await runCliBundle(folder, ['--image', pair.pr, '--base-image', pair.main, '--json', 'report.json'], {
      DOCKER_CONFIG: dockerConfig
    })
    expect(run.exitCode).toBe(1)
    const report = JSON.parse(await readFile(join(folder, 'report.json'), 'utf8')) as JsonReport
    const rows = Object.fromEntries(report.images.map(image => [image.platform ?? '', image]))
    expect(Object.keys(rows).sort()).toEqual(['linux/amd64', 'linux/arm64'])
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      expect(rows[platform]).toMatchObject({
        base: { size: sizes.main[platform]?.size, sizeSource: 'registry' },
        head: { size: sizes.pr[platform]?.size }
      })
    }
    expect(rows['linux/arm64']?.verdict).toBe('fail')
    expect(rows['linux/amd64']?.verdict).toBe('pass')

    // The realm was asked for a pull token of the repository, with the user's credentials.
    const tokens = issuer.requests.slice(asked)
    expect(tokens).toContainEqual({ user: USER, scopes: [`repository:${name}:pull`], status: 200 })
    expect(
      tokens.filter(request => request.user === USER).every(request => request.scopes.every(s => s.endsWith(':pull')))
    ).toBe(true)
    // The registry challenged, then served the manifests and the configs to the token; no layer.
    const requests = requestsIn(registry.output().slice(logFrom))
    expect(requests.some(request => request.status === 401)).toBe(true)
    expect(
      requests.filter(request => request.path.includes('/manifests/') && request.status === 200).length
    ).toBeGreaterThanOrEqual(6)
    const layers = new Set(
      [...Object.values(sizes.main), ...Object.values(sizes.pr)].flatMap(platform => platform.layers)
    )
    expect(requests.filter(request => [...layers].some(digest => request.path.endsWith(digest)))).toEqual([])
    const written = [run.stdout, run.stderr, await readFile(join(folder, 'report.json'), 'utf8')].join('\n')
    expect(written).not.toContain(PASSWORD)
    expect(written).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'))
  })
})
