import { describe, expect, it } from '@jest/globals'
import { limitChangeNotes } from '../../src/discover/limit-changes.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'

const share = (text: string) => parseGrowthThreshold('max-increase', text)
const global = { maxIncrease: share('10%'), warnIncrease: null, maxSize: null }

describe('limitChangeNotes', () => {
  it('says a raised limit, and from when it applies', () => {
    expect(
      limitChangeNotes('app', { maxIncrease: share('10%') }, { maxIncrease: share('1000%') }, global, 'base')
    ).toEqual(["This PR raises app's max-increase from 10% to 1000%, from the merge on."])
  })

  it('says a limit the PR sets where the inputs have none, and one it lifts', () => {
    expect(limitChangeNotes('worker', {}, { maxSize: 10_000_000_000 }, global, 'base')).toEqual([
      "This PR sets worker's max-size to 10 GB, from the merge on."
    ])
    expect(limitChangeNotes('app', {}, { maxIncrease: null }, global, 'head')).toEqual([
      "This PR removes app's max-increase of 10%, for this PR already, as limits-from is head."
    ])
  })

  it('says nothing when the limits stay as they are, written the same or inherited', () => {
    expect(limitChangeNotes('app', { maxIncrease: share('10%') }, {}, global, 'base')).toEqual([])
  })
})
