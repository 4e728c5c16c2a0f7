import { describe, expect, it } from '@jest/globals'
import { measuredImage, REVISIONS } from '../../__fixtures__/images.js'
import { compareImages, Limits, limitsFor } from '../../src/judge/judge.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'

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

  it('leaves an image without a baseline when the base build failed, and says why', () => {
    const noBase = measuredImage('svc/Dockerfile', null, 5_000)
    noBase.failedBuilds.push({ side: 'base', ok: false, durationMs: 5, error: 'COPY failed' })
    const [result] = compareImages(REVISIONS, [noBase], limits).images
    expect(result?.verdict).toBe('pass')
    expect(result?.notes.join()).toContain('base build failed')
    expect(result?.notes.join()).toContain('COPY failed')
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
