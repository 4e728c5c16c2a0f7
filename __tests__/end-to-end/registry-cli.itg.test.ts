// The command comparing two registry references: REGISTRY/app:pr against REGISTRY/app:main,
// both pushed for linux/amd64 and linux/arm64 by the Docker 28.5 engine with the containerd
// store (buildx --push), in Debian's docker-registry with its access log on. Run from a folder
// that is not a git repository: one JSON entry per platform, the pull sizes' deltas as the
// manifests give them, and not one layer fetched.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JsonReport } from '../../src/serialized/run-file.js'
import { runCliBundle } from '../support/cli-runner.js'
import { PushedPair, pushTwoPlatformPair, uniqueName } from '../support/multi-platform.js'
import { Registry, startRegistry } from '../support/registry.js'
import { pullSizes, requestsIn } from '../support/registry-reads.js'

let registry: Registry
let pair: PushedPair
let name: string
let folder: string

beforeAll(async () => {
  registry = await startRegistry({ accessLog: true })
  name = uniqueName('issue-23-app')
  pair = await pushTwoPlatformPair(registry.host, name)
  folder = await mkdtemp(join(tmpdir(), 'dsc-registry-cli-'))
})

afterAll(async () => {
  await pair?.cleanup()
  await registry?.stop()
  await rm(folder, { recursive: true, force: true })
})

describe('the command with --image and --base-image', () => {
  it('compares each platform of two references in the registry, from a folder that is no git repository, without fetching a layer', async () => {
    expect(() => execFileSync('git', ['rev-parse', '--git-dir'], { cwd: folder, stdio: 'pipe' })).toThrow()
    const [main, pr] = await Promise.all([pullSizes(registry.host, name, 'main'), pullSizes(registry.host, name, 'pr')])
    const logFrom = registry.output().length

    const run = await runCliBundle(folder, ['--image', pair.pr, '--base-image', pair.main, '--json', 'report.json'])

    expect(run.exitCode).toBe(1)
    const report = JSON.parse(await readFile(join(folder, 'report.json'), 'utf8')) as JsonReport
    expect(report.verdict).toBe('fail')
    const rows = Object.fromEntries(report.images.map(image => [image.platform ?? '', image]))
    expect(Object.keys(rows).sort()).toEqual(['linux/amd64', 'linux/arm64'])
    for (const platform of ['linux/amd64', 'linux/arm64'] as const) {
      const row = rows[platform]!
      // The compressed size a pull transfers: the platform's config and layers, as its manifest lists them.
      expect(row.base?.size).toBe(main[platform]!.size)
      expect(row.head?.size).toBe(pr[platform]!.size)
      expect(row.delta).toBe(pr[platform]!.size - main[platform]!.size)
      expect(row.base?.sizeSource).toBe('registry')
      expect(row.reference).toEqual({
        head: pair.pr,
        base: pair.main,
        headDigest: pr[platform]!.digest,
        baseDigest: main[platform]!.digest
      })
      // The config's history paired with the layers: the COPY of the platform's own file made
      // the change; the rest is the config itself, a few bytes longer or shorter.
      const copy = row.instructionChanges?.find((change: { instruction: string }) =>
        change.instruction.includes('/data/arch.bin')
      )
      expect(copy?.delta).toBe(row.delta! - (pr[platform]!.configSize - main[platform]!.configSize))
    }
    const arm64 = rows['linux/arm64']!
    const amd64 = rows['linux/amd64']!
    expect(arm64.verdict).toBe('fail')
    expect(arm64.delta).toBeGreaterThan(3_000_000)
    expect(arm64.delta).toBeLessThan(3_010_000)
    expect(amd64.verdict).toBe('pass')
    expect(amd64.delta).toBeGreaterThan(0)
    expect(amd64.delta).toBeLessThan(1_000)
    console.log(
      `arm64 ${main['linux/arm64']!.size} → ${pr['linux/arm64']!.size} B (${arm64.delta}), amd64 ${main['linux/amd64']!.size} → ${pr['linux/amd64']!.size} B (${amd64.delta})`
    )
    // What the terminal says: both platforms by name, the failing one with its reason.
    expect(run.stdout).toMatch(/linux\/arm64\)/)
    expect(run.stdout).toMatch(/linux\/amd64\)/)
    expect(run.stdout).toMatch(/past the max-increase of 10%/)

    // The registry's access log: manifests and configs read, no layer fetched.
    const requests = requestsIn(registry.output().slice(logFrom))
    const layers = new Set([main, pr].flatMap(sizes => Object.values(sizes).flatMap(platform => platform.layers)))
    const blobGets = requests.filter(request => request.method === 'GET' && request.path.includes('/blobs/'))
    expect(requests.filter(request => request.path.includes('/manifests/')).length).toBeGreaterThanOrEqual(6)
    expect(blobGets.length).toBeGreaterThan(0)
    for (const request of blobGets) expect(layers.has(request.path.split('/blobs/')[1] ?? '')).toBe(false)
  })

  it('names the reference and the fix when the tag does not exist', async () => {
    const missing = `${registry.host}/${name}:nowhere`
    const run = await runCliBundle(folder, ['--image', missing, '--base-image', pair.main, '--json', 'missing.json'])
    expect(run.exitCode).toBe(1)
    const report = JSON.parse(await readFile(join(folder, 'missing.json'), 'utf8')) as JsonReport
    expect(report.images).toHaveLength(1)
    expect(report.images[0]?.verdict).toBe('error')
    expect(report.images[0]?.reason).toContain(`${missing}: no such image in ${registry.host} (404, MANIFEST_UNKNOWN)`)
    expect(report.images[0]?.reason).toContain('must be pushed before this step')
  })
})
