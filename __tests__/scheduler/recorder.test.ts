import { describe, expect, it } from '@jest/globals'
import { Recorder, recordSide } from '../../src/scheduler/recorder.js'
import { BuildOutcome, ImageMeasurement, ImageTarget, MeasuredImage } from '../../src/shared/types.js'

function target(dockerfile: string): ImageTarget {
  const context = dockerfile.split('/')[0] ?? '.'
  return {
    dockerfile,
    context,
    baseDockerfile: dockerfile,
    baseContext: context,
    change: 'modified',
    reason: 'Dockerfile modified'
  }
}

function measurement(size: number): ImageMeasurement {
  return { size, id: `sha256:${size}`, layers: 1 }
}

const names = (measured: MeasuredImage[]) => measured.map(image => image.target.dockerfile)

describe('Recorder', () => {
  it("lists the images in the targets' order, whichever starts first", () => {
    const measured: MeasuredImage[] = []
    const recorder = new Recorder(measured)
    const targets = ['a/Dockerfile', 'b/Dockerfile', 'c/Dockerfile'].map(target)
    recorder.start(2, targets[2]!)
    recorder.start(0, targets[0]!)
    recorder.start(1, targets[1]!)
    expect(names(measured)).toEqual(['a/Dockerfile', 'b/Dockerfile', 'c/Dockerfile'])
  })

  it('lists only the images started, so a run stopped half-way reports what it worked on', () => {
    const measured: MeasuredImage[] = []
    const recorder = new Recorder(measured)
    const targets = ['a/Dockerfile', 'b/Dockerfile', 'c/Dockerfile'].map(target)
    recorder.start(2, targets[2]!)
    expect(names(measured)).toEqual(['c/Dockerfile'])
    recorder.start(0, targets[0]!)
    expect(names(measured)).toEqual(['a/Dockerfile', 'c/Dockerfile'])
  })

  it('keeps the images an earlier step measured in front', () => {
    const earlier: MeasuredImage = { target: target('old/Dockerfile'), base: null, head: null, failedBuilds: [] }
    const measured: MeasuredImage[] = [earlier]
    const recorder = new Recorder(measured)
    const targets = ['a/Dockerfile', 'b/Dockerfile'].map(target)
    recorder.start(1, targets[1]!)
    recorder.start(0, targets[0]!)
    expect(names(measured)).toEqual(['old/Dockerfile', 'a/Dockerfile', 'b/Dockerfile'])
    expect(measured[0]).toBe(earlier)
  })

  it('hands out the image it lists, empty, so that what is written into it shows in the list', () => {
    const measured: MeasuredImage[] = []
    const app = target('app/Dockerfile')
    const image = new Recorder(measured).start(0, app)
    expect(image).toEqual({ target: app, base: null, head: null, failedBuilds: [] })
    image.head = measurement(7)
    expect(measured[0]?.head?.size).toBe(7)
  })
})

describe('recordSide', () => {
  it("writes a measured side into the image's own side", () => {
    const image: MeasuredImage = { target: target('app/Dockerfile'), base: null, head: null, failedBuilds: [] }
    const base = measurement(1_000)
    const head = measurement(2_000)
    recordSide(image, { side: 'base', outcome: { side: 'base', ok: true, durationMs: 1 }, measurement: base })
    recordSide(image, { side: 'head', outcome: { side: 'head', ok: true, durationMs: 1 }, measurement: head })
    expect(image.base).toBe(base)
    expect(image.head).toBe(head)
    expect(image.failedBuilds).toEqual([])
  })

  it('adds a failed build to the failed builds and leaves its side unmeasured', () => {
    const image: MeasuredImage = { target: target('app/Dockerfile'), base: null, head: null, failedBuilds: [] }
    const failed: BuildOutcome = { side: 'head', ok: false, error: 'no such stage', durationMs: 3 }
    recordSide(image, { side: 'head', outcome: failed, measurement: null })
    expect(image.head).toBeNull()
    expect(image.failedBuilds).toEqual([failed])
  })
})
