import { describe, expect, it } from '@jest/globals'
import { measuredImage, REVISIONS } from '../../__fixtures__/images.js'
import { compareImages, limitsFor } from '../../src/judge/judge.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { Limits } from '../../src/shared/types.js'

const limits: Limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }

describe('compareImages', () => {
  it('fails the single-stage regression and passes the multi-stage win', () => {
    const comparison = compareImages(
      REVISIONS,
      [
        measuredImage('grew/Dockerfile', 1_870_097, 1_256_389_653),
        measuredImage('shrank/Dockerfile', 1_256_389_653, 1_870_097)
      ],
      limits
    )
    const [grew, shrank] = comparison.images
    expect(grew).toMatchObject({ verdict: 'fail', delta: 1_254_519_556 })
    expect(grew?.reason).toContain('past the max-increase of 10%')
    expect(shrank).toMatchObject({ verdict: 'pass', delta: -1_254_519_556 })
    expect(shrank?.deltaPercent).toBeCloseTo(-99.85, 2)
    expect(comparison.verdict).toBe('fail')
    expect(comparison.totalDelta).toBe(0)
  })

  it('holds a new image only to max-size', () => {
    const budget: Limits = { ...limits, maxSize: 100_000_000 }
    const small = compareImages(REVISIONS, [measuredImage('new/Dockerfile', null, 2_000_000, 'added')], budget)
    expect(small.images[0]).toMatchObject({ verdict: 'pass', delta: null, deltaPercent: null })
    const big = compareImages(REVISIONS, [measuredImage('new/Dockerfile', null, 200_000_000, 'added')], budget)
    expect(big.images[0]?.verdict).toBe('fail')
    expect(big.images[0]?.reason).toContain('max-size budget of 100 MB')
  })

  it('makes a failed head build an error with its output', () => {
    const broken = measuredImage('broken/Dockerfile', 1000, null)
    broken.failedBuilds.push({
      side: 'head',
      ok: false,
      durationMs: 5,
      error: 'exit code: 1',
      logTail: 'RUN false\nexit code: 1'
    })
    const comparison = compareImages(REVISIONS, [broken], limits)
    expect(comparison.verdict).toBe('error')
    expect(comparison.images[0]).toMatchObject({ verdict: 'error', logTail: 'RUN false\nexit code: 1' })
  })

  it('makes an image whose base build failed an error, and says why and how to re-run', () => {
    const noBase = measuredImage('svc/Dockerfile', null, 5_000, 'modified')
    noBase.failedBuilds.push({ side: 'base', ok: false, durationMs: 5, error: 'COPY failed' })
    const [result] = compareImages(REVISIONS, [noBase], limits).images
    expect(result).toMatchObject({ verdict: 'error', baselineMissing: true })
    expect(result?.reason).toContain('No baseline: the base build failed (COPY failed)')
    expect(result?.reason).toContain('Re-run the job')
    expect(result?.notes.join()).toContain('COPY failed')
  })

  it('makes it a warning with missing-baseline: warn, still held to max-size', () => {
    const noBase = () => {
      const image = measuredImage('svc/Dockerfile', null, 5_000, 'modified')
      image.failedBuilds.push({ side: 'base', ok: false, durationMs: 5, error: 'COPY failed' })
      return image
    }
    const warn: Limits = { ...limits, missingBaseline: 'warn' }
    expect(compareImages(REVISIONS, [noBase()], warn).images[0]).toMatchObject({
      verdict: 'warn',
      baselineMissing: true
    })
    const [over] = compareImages(REVISIONS, [noBase()], { ...warn, maxSize: 1_000 }).images
    expect(over).toMatchObject({ verdict: 'fail', limit: 'max-size' })
  })

  it('holds a Dockerfile the PR adds to max-size alone: no base by nature is no fault', () => {
    const [added] = compareImages(REVISIONS, [measuredImage('new/Dockerfile', null, 5_000, 'added')], limits).images
    expect(added).toMatchObject({ verdict: 'pass' })
    expect(added?.baselineMissing).toBeUndefined()
  })

  it('adds what the PR changes in the limits to the notes', () => {
    const image = measuredImage('app/Dockerfile', 100, 104)
    image.target.limitNotes = ["This PR raises app's max-increase from 10% to 1000%, from the merge on."]
    expect(compareImages(REVISIONS, [image], limits).images[0]?.notes).toContain(
      "This PR raises app's max-increase from 10% to 1000%, from the merge on."
    )
  })

  it('warns past warn-increase without failing', () => {
    const warnOnly: Limits = { ...limits, warnIncrease: parseGrowthThreshold('warn-increase', '1%') }
    const comparison = compareImages(REVISIONS, [measuredImage('Dockerfile', 1000, 1050)], warnOnly)
    expect(comparison.verdict).toBe('warn')
  })

  it('never fails a removed image', () => {
    const comparison = compareImages(REVISIONS, [measuredImage('gone/Dockerfile', 5000, null, 'removed')], limits)
    expect(comparison.images[0]).toMatchObject({ verdict: 'pass', delta: null })
  })
})

describe('per-image limits', () => {
  it("replace the global ones for that image alone, and '' (null) lifts a limit", () => {
    const strict = measuredImage('api/Dockerfile', 100, 104)
    strict.target.limits = { maxIncrease: parseGrowthThreshold('max-increase', '3%') }
    const lifted = measuredImage('tools/Dockerfile', 100, 500)
    lifted.target.limits = { maxIncrease: null }
    const plain = measuredImage('web/Dockerfile', 100, 104)
    const verdicts = compareImages(REVISIONS, [strict, lifted, plain], limits).images.map(r => r.verdict)
    expect(verdicts).toEqual(['fail', 'pass', 'pass'])
    expect(limitsFor(plain.target, limits)).toEqual(limits)
  })
})
