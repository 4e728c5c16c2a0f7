import { describe, expect, it } from '@jest/globals'
import { formatDuration, parseDuration } from '../../src/inputs/duration.js'

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['90s', 90_000],
    ['1h', 3_600_000],
    ['1h30m5s', 5_405_000],
    ['', 1_800_000]
  ])('reads %p', (value, ms) => {
    expect(parseDuration('build-timeout', value)).toBe(ms)
  })

  it.each(['30', '1.5h', '-5m', '0s', '25h', '5 m', '30m1h', 'm'])(
    'refuses %p, naming the input, the value and the fix',
    value => {
      expect(() => parseDuration('build-timeout', value)).toThrow(
        `Invalid build-timeout '${value}'. Expected a duration of whole hours, minutes or seconds above zero and up to 24h, such as 30m, 90s, 1h or 1h30m (default 30m).`
      )
    }
  )

  it('writes a duration back as it is read', () => {
    expect([5_000, 1_800_000, 5_400_000, 50].map(formatDuration)).toEqual(['5s', '30m', '1h30m', '50ms'])
  })
})
