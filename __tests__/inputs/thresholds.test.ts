import { describe, expect, it } from '@jest/globals'
import { countOf, formatDelta, formatPercent, formatSize, parseSize } from '../../src/shared/sizes.js'
import { exceedsThreshold, parseGrowthThreshold, parseSizeBudget } from '../../src/inputs/thresholds.js'

describe('parseSize', () => {
  it.each([
    ['25MB', 25_000_000],
    ['1.5GiB', 1_610_612_736],
    ['512kB', 512_000],
    ['512KiB', 524_288],
    ['1 GB', 1_000_000_000],
    ['1048576', 1_048_576],
    ['10b', 10]
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes)
  })

  it.each(['', 'ten MB', '-5MB', '10 percent', '5 XB', '1e6'])('refuses %p', text => {
    expect(parseSize(text)).toBeNull()
  })
})

describe('parseGrowthThreshold', () => {
  it('reads a share, a size and both', () => {
    expect(parseGrowthThreshold('max-increase', '10%')?.limits).toEqual([{ kind: 'percent', percent: 10 }])
    expect(parseGrowthThreshold('max-increase', '25MB')?.limits).toEqual([{ kind: 'bytes', bytes: 25_000_000 }])
    expect(parseGrowthThreshold('max-increase', '10%, 5MB')?.limits).toEqual([
      { kind: 'percent', percent: 10 },
      { kind: 'bytes', bytes: 5_000_000 }
    ])
  })

  it('treats an empty value as no threshold', () => {
    expect(parseGrowthThreshold('max-increase', '  ')).toBeNull()
  })

  it('names the input, the value and the expected forms', () => {
    expect(() => parseGrowthThreshold('max-increase', '10 percent')).toThrow(
      /Invalid max-increase '10 percent'\. Expected a size such as 25MB.*10%/
    )
    expect(() => parseSizeBudget('max-size', 'big')).toThrow("Invalid max-size 'big'")
  })
})

describe('exceedsThreshold', () => {
  const both = parseGrowthThreshold('max-increase', '10%, 5MB')!
  const share = parseGrowthThreshold('max-increase', '10%')!

  it('fails only when the growth passes every limit', () => {
    // 50% of a 2 MB image is 1 MB: past 10% but under 5 MB.
    expect(exceedsThreshold(both, 2_000_000, 1_000_000)).toBe(false)
    // 6 MB on a 1 GB image: past 5 MB but under 10%.
    expect(exceedsThreshold(both, 1_000_000_000, 6_000_000)).toBe(false)
    expect(exceedsThreshold(both, 20_000_000, 6_000_000)).toBe(true)
  })

  it('never fails a decrease or a growth at the limit', () => {
    expect(exceedsThreshold(share, 100, -90)).toBe(false)
    expect(exceedsThreshold(share, 100, 10)).toBe(false)
    expect(exceedsThreshold(share, 100, 11)).toBe(true)
  })
})

describe('formatting', () => {
  it('reads like docker, in decimal units', () => {
    expect(formatSize(841_284_004)).toBe('841 MB')
    expect(formatSize(1_269_760)).toBe('1.27 MB')
    expect(formatDelta(1_256_389_653 - 1_870_097)).toBe('+1.25 GB')
    expect(formatDelta(-600_000_000)).toBe('-600 MB')
    expect(formatDelta(0)).toBe('0 B')
  })

  it('keeps the sign and drops noise in shares', () => {
    expect(formatPercent(-99.7)).toBe('-99.7%')
    expect(formatPercent(12.345)).toBe('+12.3%')
    expect(formatPercent(0.5)).toBe('+0.5%')
    expect(formatPercent(67132.4)).toBe('+67,132%')
    expect(formatPercent(0)).toBe('0%')
    expect(formatPercent(-0.000009)).toBe('-<0.01%')
    expect(formatPercent(7)).toBe('+7%')
    expect(formatPercent(1234567.8)).toBe('+1,234,568%')
    expect(formatPercent(999.996)).toBe('+1,000%')
  })

  it('counts with thousands separators and the plural', () => {
    expect(countOf(1, 'image')).toBe('1 image')
    expect(countOf(0, 'image')).toBe('0 images')
    expect(countOf(1234567, 'changed file')).toBe('1,234,567 changed files')
  })
})
