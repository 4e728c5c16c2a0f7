// End to end: image entries and baseline records. A `record` run on main (a push to main)
// whose images config names an `image` entry records each platform of the referenced image,
// read in the registry: nothing built, nothing pulled. A PR run whose config names only the
// head's `image` then takes the base from that signed record. The bundled action, real git
// with a bare origin, Debian's docker-registry with its access log, the API stand-in.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { runAction, type ActionRun } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import {
  dockerOnContainerd,
  privateDockerConfig,
  PushedPair,
  pushTwoPlatformPair,
  uniqueName
} from '../support/multi-platform.js'
import { checkOutPullRequest, OWNER, REPO, runOnPullRequest, TEST_TOKEN } from '../support/pull-request.js'
import { Registry, startRegistry } from '../support/registry.js'
import { PlatformSize, pullSizes, requestsIn } from '../support/registry-reads.js'
import { commitFiles, git, makeBareRemote, makePushCheckoutWorkspace, makeRepo } from '../support/repo.js'
import { RECORDS_KEY, recordsKeyFile, recordsVerifier } from '../support/records-key.js'
import { RecordStore } from '../../src/records/store.js'
import { nth } from '../support/lists.js'

const standin = useEndToEnd()
const RECORDS_REF = 'refs/docker-size-check/records'
let registry: Registry
let dockerConfig: string
let pair: PushedPair
let name: string
let sizes: { main: Record<string, PlatformSize>; pr: Record<string, PlatformSize> }

beforeAll(async () => {
  registry = await startRegistry({ accessLog: true })
  // No credentials: the registry lets anyone pull, as a public image.
  dockerConfig = await privateDockerConfig()
  name = uniqueName('issue-23-records')
  pair = await pushTwoPlatformPair(registry.host, name)
  // The containerd engine keeps what it built and pushed under the registry's names; untagged
  // here, so that an image of that name in the engine afterwards can only be a pull.
  await dockerOnContainerd(['image', 'rm', '--force', pair.main, pair.pr])
  sizes = {
    main: await pullSizes(registry.host, name, 'main'),
    pr: await pullSizes(registry.host, name, 'pr')
  }
})

afterAll(async () => {
  await pair?.cleanup()
  await registry?.stop()
  if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true })
})

function config(image: string): Record<string, string> {
  return { '.github/docker-size-check.yml': ['images:', '  - name: app', `    image: ${image}`, ''].join('\n') }
}

/** A record run for the push of `sha` to main, with a checkout as actions/checkout makes it. */
async function recordRun(remote: string, sha: string): Promise<ActionRun> {
  const { workspace } = await makePushCheckoutWorkspace(remote, 'main', sha)
  return runAction({
    workspace,
    apiUrl: standin.url,
    repository: `${OWNER}/${REPO}`,
    event: {
      name: 'push',
      payload: {
        ref: 'refs/heads/main',
        after: sha,
        repository: { name: REPO, owner: { login: OWNER }, full_name: `${OWNER}/${REPO}`, default_branch: 'main' }
      }
    },
    inputs: { mode: 'record', 'records-key': RECORDS_KEY.privatePem },
    token: TEST_TOKEN,
    env: { GITHUB_REF: 'refs/heads/main', GITHUB_SHA: sha, DOCKER_CONFIG: dockerConfig }
  })
}

/** The images the engine the action talks to holds from the test registry. */
function pulledFromRegistry(): string[] {
  const listing = execFileSync('docker', ['image', 'ls', '--all', '--format', '{{.Repository}}:{{.Tag}}'], {
    encoding: 'utf8'
  })
  return listing.split('\n').filter(line => line.startsWith(registry.host))
}

interface ReportRow {
  name: string
  platform: string | null
  verdict: string
  base: { size: number } | null
  head: { size: number } | null
  baselineSource: { source: string; commit?: string; behind?: number }
  reference: { head: string | null; base: string | null; headDigest: string | null; baseDigest: string | null }
}

describe('a record run of image entries on main, then a PR that names only the head', () => {
  it('records each platform read in the registry, and the PR takes its base from the record, nothing built or pulled', async () => {
    standin.reset()
    const repo = await makeRepo()
    const mainSha = await commitFiles(repo, { ...recordsKeyFile(), ...config(pair.main) }, 'base')
    await git(repo, ['checkout', '--quiet', '-b', 'feature'])
    await commitFiles(repo, config(pair.pr), 'the pull request')
    await git(repo, ['checkout', '--quiet', 'main'])
    const remote = await makeBareRemote(repo)
    const logFrom = registry.output().length

    const record = await recordRun(remote, mainSha)
    expect(record.exitCode).toBe(0)
    expect(record.stdout).toContain(`Recorded 2 images at ${mainSha.slice(0, 12)}`)
    const store = new RecordStore(remote, RECORDS_REF, recordsVerifier())
    const index = await store.readIndex()
    expect(index.records.map(entry => entry.commit)).toEqual([mainSha])
    // The pull size of each platform, as the registry's manifests list it.
    expect(nth(index.records, 0).sizes).toEqual({
      'app (linux/amd64)': sizes.main['linux/amd64']?.size,
      'app (linux/arm64)': sizes.main['linux/arm64']?.size
    })
    const recorded = (await store.readRecord(mainSha))?.images ?? []
    expect(recorded.map(image => [image.key, image.fingerprint.from[pair.main], image.measurement.sizeSource])).toEqual(
      [
        ['app (linux/amd64)', sizes.main['linux/amd64']?.digest, 'registry'],
        ['app (linux/arm64)', sizes.main['linux/arm64']?.digest, 'registry']
      ]
    )

    const pr = await checkOutPullRequest(standin, repo, remote)
    const { run, comments } = await runOnPullRequest(standin, pr, {}, { DOCKER_CONFIG: dockerConfig })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      `app: base from the record of ${mainSha.slice(0, 7)} (the merge-base), linux/amd64, linux/arm64.`
    )
    const rows = (run.report?.images ?? []) as ReportRow[]
    const row = (platform: string) => rows.find(candidate => candidate.platform === platform)
    expect(rows).toHaveLength(2)
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      expect(row(platform)).toMatchObject({
        name: 'app',
        base: { size: sizes.main[platform]?.size },
        head: { size: sizes.pr[platform]?.size },
        baselineSource: { source: 'record', commit: mainSha, behind: 0 },
        reference: {
          head: pair.pr,
          base: null,
          headDigest: sizes.pr[platform]?.digest,
          baseDigest: sizes.main[platform]?.digest
        }
      })
    }
    expect(row('linux/arm64')?.verdict).toBe('fail')
    expect(row('linux/amd64')?.verdict).toBe('pass')
    expect(comments).toHaveLength(1)
    const body = nth(comments, 0).body
    expect(body).toContain('app (linux/arm64)')
    expect(body).toContain(`base from the record of \`${mainSha.slice(0, 7)}\` (the merge-base)`)

    // Neither run built anything, and no layer left the registry: only manifests and configs were read.
    for (const output of [record.stdout, run.stdout]) expect(output).not.toMatch(/Build (head|base):/)
    const requests = requestsIn(registry.output().slice(logFrom))
    expect(requests.filter(request => request.path.includes('/manifests/')).length).toBeGreaterThanOrEqual(6)
    const layers = new Set(
      [...Object.values(sizes.main), ...Object.values(sizes.pr)].flatMap(platform => platform.layers)
    )
    const layerReads = requests.filter(
      request => request.method === 'GET' && [...layers].some(digest => request.path.endsWith(`/blobs/${digest}`))
    )
    expect(layerReads).toEqual([])
    expect(pulledFromRegistry()).toEqual([])
  })
})
