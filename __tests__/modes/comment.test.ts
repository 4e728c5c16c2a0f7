import { describe, expect, it } from '@jest/globals'
import { holdToTrustedLimits } from '../../src/modes/comment.js'
import { parseImagesInput } from '../../src/inputs/images-config.js'
import { compareImages } from '../../src/judge/judge.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { measuredImage } from '../../__fixtures__/images.js'
import { nth } from '../support/lists.js'
import { Limits } from '../../src/shared/types.js'

// The comment run takes each image's own limits from the trusted images config (the base
// branch's), never from the artifact: these are the rules by which it finds the entry.

const limits: Limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }
const revisions = { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) }
const trusted = parseImagesInput(
  [
    '- name: api',
    '  dockerfile: api/Dockerfile',
    '  max-increase: 1%',
    '- name: api-debug',
    '  dockerfile: api/Dockerfile',
    "  max-increase: ''",
    '- dockerfile: web/Dockerfile',
    '  max-size: 1kB'
  ].join('\n')
)

describe('holdToTrustedLimits', () => {
  it("gives each image its trusted entry's limits and name, and replaces whatever it had", () => {
    const api = measuredImage('api/Dockerfile', 1000, 1050)
    api.target.limits = { maxIncrease: null }
    const debug = {
      ...measuredImage('api/Dockerfile', 1000, 5000),
      target: { ...measuredImage('api/Dockerfile', 1, 1).target, name: 'api-debug' }
    }
    const web = measuredImage('web/Dockerfile', 1000, 1500)
    const other = measuredImage('other/Dockerfile', 1000, 1050)
    other.target.limits = { maxIncrease: null }
    holdToTrustedLimits([api, debug, web, other], trusted)
    expect(api.target.name).toBe('api')
    const verdicts = compareImages(revisions, [api, debug, web, other], limits).images.map(image => image.verdict)
    // api: 5% past its own 1%; api-debug: no growth limit; web: over its 1 kB budget; other: the global 10%.
    expect(verdicts).toEqual(['fail', 'pass', 'fail', 'pass'])
    expect(other.target.limits).toBeUndefined()
  })

  it('without a trusted config, holds every image to the global limits', () => {
    const api = measuredImage('api/Dockerfile', 1000, 1050)
    api.target.limits = { maxIncrease: null, maxSize: null }
    holdToTrustedLimits([api], null)
    expect(nth(compareImages(revisions, [api], limits).images, 0).limits).toEqual(limits)
  })
})
