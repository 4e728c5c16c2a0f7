// The explainer's scheduling through its Docker seam: a `docker save` stand-in that notes what
// it was asked for, how many ran at once, and fails as an engine that lost the image does.
// What a breakdown finds in real archives is explain/path-breakdown's to test.
import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { PathExplainer } from '../../src/scheduler/path-explainer.js'
import { EngineInfo, ImageMeasurement, ImageTarget, MeasuredImage } from '../../src/shared/types.js'
import { RecordingProgress } from '../support/recording-progress.js'

class Log extends RecordingProgress {
  constructor() {
    super({ groups: 'silent' })
  }
}

/** A docker whose saves take `ms` and then fail; it notes each save's references, the most at once, and the images inspected. */
function failingDocker(ms = 10) {
  const saves: Array<string | string[]> = []
  const inspected: string[] = []
  let running = 0
  let most = 0
  const docker = {
    async save<T>(reference: string | string[], consume: (archive: Readable) => Promise<T>): Promise<T> {
      saves.push(reference)
      running++
      most = Math.max(most, running)
      try {
        await new Promise(resolve => setTimeout(resolve, ms))
        if (typeof reference === 'string' && reference.endsWith('-base') && saves.length === 1) {
          // Two archives read in step: the head's save runs inside the base's.
          return await consume(Readable.from([]))
        }
        throw new Error(`Error response from daemon: reference does not exist: ${String(reference)}`)
      } finally {
        running--
      }
    },
    inspectImage: (reference: string) => {
      inspected.push(reference)
      return Promise.resolve(JSON.stringify([{ RootFS: { Layers: [`sha256:${'1'.repeat(64)}`] } }]))
    }
  }
  return { docker, saves, inspected, most: () => most }
}

function image(dockerfile: string, base: number | null, head: number | null): MeasuredImage {
  const side = (size: number | null): ImageMeasurement | null => (size === null ? null : { size, id: 'x', layers: 1 })
  const target: ImageTarget = {
    dockerfile,
    context: '.',
    baseDockerfile: dockerfile,
    baseContext: '.',
    change: 'modified',
    reason: 'Dockerfile modified'
  }
  return { target, base: side(base), head: side(head), failedBuilds: [] }
}

const GRAPH_DRIVER_25: Pick<EngineInfo, 'imageStore' | 'apiVersion'> = { imageStore: 'graphdriver', apiVersion: '1.44' }
const tags = { base: 'app-base', head: 'app-head' }

describe('PathExplainer', () => {
  it('reads nothing for an image whose size did not change or that lacks a side', async () => {
    const fake = failingDocker()
    const log = new Log()
    const explainer = new PathExplainer(fake.docker, log, GRAPH_DRIVER_25)
    explainer.explain(image('same/Dockerfile', 100, 100), tags)
    explainer.explain(image('added/Dockerfile', null, 100), tags)
    explainer.record(image('failed/Dockerfile', 100, null), 'failed-head')
    await explainer.finish()
    expect(fake.saves).toEqual([])
    expect(log.lines).toEqual([])
  })

  it('makes a failed breakdown a warning that names the image, and finishes all the same', async () => {
    const fake = failingDocker()
    const log = new Log()
    const explainer = new PathExplainer(fake.docker, log, GRAPH_DRIVER_25)
    const grown = image('app/Dockerfile', 100, 200)
    explainer.explain(grown, tags)
    await expect(explainer.finish()).resolves.toBeUndefined()
    expect(log.lines[0]).toBe('Paths: reading the layers the two sides do not share (1 image) …')
    expect(log.lines[1]).toMatch(
      /^warning Could not tell which paths of app\/Dockerfile changed: .*reference does not exist/
    )
    expect(grown.paths).toBeUndefined()
  })

  it("warns that a record run's image will have no paths when its layers cannot be read", async () => {
    const fake = failingDocker()
    const log = new Log()
    const explainer = new PathExplainer(fake.docker, log, GRAPH_DRIVER_25)
    const built = image('app/Dockerfile', null, 200)
    explainer.record(built, 'app-head')
    await explainer.finish()
    expect(fake.saves).toEqual(['app-head'])
    expect(log.lines[0]).toBe('Paths: reading the layers of 1 image for the record …')
    expect(log.lines[1]).toMatch(
      /^warning Could not read the layers of app\/Dockerfile for its record \(PR runs based on it will show no paths\): /
    )
    expect(built.recordedLayers).toBeUndefined()
  })

  it('reads one image at a time, so that two archives at most stream at once', async () => {
    const fake = failingDocker(15)
    const explainer = new PathExplainer(fake.docker, new Log(), GRAPH_DRIVER_25)
    for (const name of ['a', 'b', 'c']) explainer.explain(image(`${name}/Dockerfile`, 1, 2), tags)
    await explainer.finish()
    expect(fake.saves).toHaveLength(3)
    expect(fake.most()).toBe(1)
  })

  it('saves both sides in one archive on a graph driver from API 1.44, and each on its own elsewhere', async () => {
    const together = failingDocker()
    const one = new PathExplainer(together.docker, new Log(), GRAPH_DRIVER_25)
    one.explain(image('app/Dockerfile', 1, 2), tags)
    await one.finish()
    expect(together.saves).toEqual([['app-base', 'app-head']])
    // The layers both list are known before the archive streams, from each image's diff ids.
    expect(together.inspected).toEqual(['app-base', 'app-head'])

    for (const engine of [
      { imageStore: 'graphdriver', apiVersion: '1.43' },
      { imageStore: 'containerd', apiVersion: '1.48' },
      undefined
    ] as const) {
      const apart = failingDocker()
      const explainer = new PathExplainer(apart.docker, new Log(), engine)
      explainer.explain(image('app/Dockerfile', 1, 2), tags)
      await explainer.finish()
      expect(apart.saves).toEqual(['app-base', 'app-head'])
      expect(apart.inspected).toEqual([])
    }
  })
})
