// End to end: the layer cache across runs (cache-from / cache-to), with type=local and with
// type=registry on a real local registry. buildx's docker driver exports caches only on the
// containerd image store, so what a run must do depends on the engine it meets: on that store
// the cache is written and read back; elsewhere the run says so once and checks as ever.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { useEndToEnd } from '../support/end-to-end.js'
import { openPullRequest, runOnPullRequest } from '../support/pull-request.js'
import { startRegistry, type Registry } from '../support/registry.js'
import { makeTempDir } from '../support/repo.js'

const standin = useEndToEnd()
const exportsCaches = () =>
  execFileSync('docker', ['info', '--format', '{{.DriverStatus}}'], { encoding: 'utf8' }).includes(
    'io.containerd.snapshotter'
  )
const NOT_WRITTEN =
  'cache-to is not written: the docker driver of buildx exports caches only on the containerd image store'

// A RUN step, so there is a layer the cache holds (a FROM scratch COPY alone is cached too, but says less).
const busyboxImage = (bytes: number) => ({
  'app/Dockerfile': `FROM busybox:local\nRUN head -c ${bytes} /dev/zero > /payload\n`
})

describe('cache-to and cache-from of type=local', () => {
  it('writes each image’s cache where the run can export one, and the next run reads it back', async () => {
    standin.reset()
    const caches = await makeTempDir('cache')
    const inputs = {
      'cache-from': `type=local,src=${caches}/{image}`,
      'cache-to': `type=local,dest=${caches}/{image},mode=max`
    }
    const pr = await openPullRequest(standin, { base: busyboxImage(10_000), pr: busyboxImage(20_000) })
    const first = await runOnPullRequest(standin, pr, inputs)
    expect(first.run.exitCode).toBe(0)
    const images = first.run.report!.images as Array<Record<string, unknown>>
    expect(images[0]).toMatchObject({ delta: 10_000 })
    if (exportsCaches()) {
      expect(existsSync(join(caches, 'app-dockerfile', 'index.json'))).toBe(true)
      const second = await runOnPullRequest(standin, pr, inputs)
      expect(second.run.stdout).toMatch(/importing cache manifest from local/)
    } else {
      expect(first.run.stdout).toContain(NOT_WRITTEN)
      expect(existsSync(join(caches, 'app-dockerfile'))).toBe(false)
    }
  })
})

describe('cache-to of type=registry on a real registry', () => {
  let registry: Registry
  beforeAll(async () => {
    registry = await startRegistry()
  })
  afterAll(async () => registry?.stop())

  it('pushes the head’s cache to the registry, one tag an image', async () => {
    standin.reset()
    const ref = `${registry.host}/dsc-cache:{image}`
    const pr = await openPullRequest(standin, { base: busyboxImage(10_000), pr: busyboxImage(30_000) })
    const { run } = await runOnPullRequest(standin, pr, { 'cache-to': `type=registry,ref=${ref},mode=max` })
    expect(run.exitCode).toBe(0)
    const response = await fetch(`http://${registry.host}/v2/dsc-cache/tags/list`)
    if (exportsCaches()) {
      expect(((await response.json()) as { tags: string[] }).tags).toEqual(['app-dockerfile'])
    } else {
      expect(run.stdout).toContain(NOT_WRITTEN)
      expect(response.status).toBe(404)
    }
  })
})
