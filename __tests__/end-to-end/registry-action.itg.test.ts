// The action on a pull request whose images config names `image` and `base-image`: two
// two-platform references in Debian's docker-registry behind htpasswd authentication, the
// credentials where `docker login` writes them ($DOCKER_CONFIG/config.json). The comment
// names both platforms, the check fails on arm64, and the password is nowhere the action
// writes: the comment, the summary, the outputs, the JSON report, the log.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { useEndToEnd } from '../support/end-to-end.js'
import {
  dockerOnContainerd,
  privateDockerConfig,
  PushedPair,
  pushTwoPlatformPair,
  uniqueName
} from '../support/multi-platform.js'
import { openPullRequest, runOnPullRequest } from '../support/pull-request.js'
import { Registry, startRegistry } from '../support/registry.js'
import { requestsIn } from '../support/registry-reads.js'
import { nth } from '../support/lists.js'

const standin = useEndToEnd()
const USER = 'dsc-issue-23'
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`
let registry: Registry
let dockerConfig: string
let pair: PushedPair
let name: string

beforeAll(async () => {
  registry = await startRegistry({ htpasswd: { username: USER, password: PASSWORD }, accessLog: true })
  dockerConfig = await privateDockerConfig()
  await dockerOnContainerd(['login', '-u', USER, '--password-stdin', registry.host], {
    dockerConfig,
    input: PASSWORD
  })
  name = uniqueName('issue-23-app')
  pair = await pushTwoPlatformPair(registry.host, name, { dockerConfig })
})

afterAll(async () => {
  await pair?.cleanup()
  await registry?.stop()
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true })
})

interface ReportRow {
  name: string
  platform: string | null
  verdict: string
  delta: number | null
  reference: { head: string; base: string } | null
}

describe('image entries behind htpasswd authentication', () => {
  it('reads both platforms with the credentials docker login wrote, fails on arm64, and writes the password nowhere', async () => {
    // docker login wrote the credentials: the password is in the config, base64, as docker keeps it.
    const config = await readFile(join(dockerConfig, 'config.json'), 'utf8')
    expect(config).toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'))

    const pr = await openPullRequest(standin, {
      base: { 'README.md': 'app\n' },
      pr: {
        '.github/docker-size-check.yml': [
          'images:',
          '  - name: app',
          `    image: ${pair.pr}`,
          `    base-image: ${pair.main}`,
          ''
        ].join('\n')
      }
    })
    const logFrom = registry.output().length
    const { run, comments } = await runOnPullRequest(standin, pr, {}, { DOCKER_CONFIG: dockerConfig })

    expect(run.exitCode).toBe(1)
    const rows = (run.report?.images ?? []) as ReportRow[]
    expect(rows.map(row => [row.name, row.platform, row.verdict])).toEqual(
      expect.arrayContaining([
        ['app', 'linux/arm64', 'fail'],
        ['app', 'linux/amd64', 'pass']
      ])
    )
    expect(rows).toHaveLength(2)
    const body = nth(comments, 0).body
    expect(body).toContain('app (linux/arm64)')
    expect(body).toContain('app (linux/amd64)')
    expect(body).toContain(pair.pr)
    expect(run.stdout).toMatch(/::error::app \(linux\/arm64\): Grew \+3/)

    // The registry asked, the credentials answered: every read after the challenge was authorized.
    const requests = requestsIn(registry.output().slice(logFrom))
    expect(requests.some(request => request.status === 401)).toBe(true)
    expect(
      requests.filter(request => request.path.includes('/manifests/') && request.status === 200).length
    ).toBeGreaterThanOrEqual(6)

    const written = [
      body,
      ...comments.map(comment => comment.body),
      run.summary,
      JSON.stringify(run.outputs),
      JSON.stringify(run.report),
      // The runner takes `::add-mask::` lines as its own commands and shows none: every other line is the log.
      run.stdout
        .split('\n')
        .filter(line => !line.startsWith('::add-mask::'))
        .join('\n')
    ].join('\n')
    // The password was masked before any use: the log would show *** in its place.
    expect(run.stdout).toContain(`::add-mask::${PASSWORD}`)
    expect(written).not.toContain(PASSWORD)
    expect(written).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'))
  })
})
