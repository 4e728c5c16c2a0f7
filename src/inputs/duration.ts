import { InputError } from '../shared/errors.js'

/** The default of `build-timeout` (also in action.yml): past a typical job's patience, short of GitHub's 6 h. */
export const DEFAULT_BUILD_TIMEOUT = '30m'

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const

/** Past about 24 days a timer fires at once (Node's timers hold 31 bits of milliseconds). */
const MAX_MS = 24 * UNIT_MS.h

/**
 * Reads a duration written as whole hours, minutes and seconds, largest first: `30m`,
 * `90s`, `1h`, `1h30m`. Plain numbers are refused: `30` could mean seconds or minutes.
 * An empty value is the default. Throws an InputError naming `input`, the value and the fix.
 */
export function parseDuration(input: string, value: string, fallback: string = DEFAULT_BUILD_TIMEOUT): number {
  const text = value.trim() === '' ? fallback : value.trim()
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text)
  const ms = match
    ? Number(match[1] ?? 0) * UNIT_MS.h + Number(match[2] ?? 0) * UNIT_MS.m + Number(match[3] ?? 0) * UNIT_MS.s
    : NaN
  if (!match || text === '' || !(ms > 0) || ms > MAX_MS) {
    throw new InputError(
      `Invalid ${input} '${value.trim()}'. Expected a duration of whole hours, minutes or seconds above zero ` +
        `and up to 24h, such as 30m, 90s, 1h or 1h30m (default ${DEFAULT_BUILD_TIMEOUT}).`
    )
  }
  return ms
}

/** 5000 → "5s", 5400000 → "1h30m": a duration as parseDuration reads it. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / 1000)
  let text = ''
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1]
  ] as const) {
    const count = Math.floor(rest / size)
    rest -= count * size
    if (count) text += `${count}${unit}`
  }
  return text || `${ms}ms`
}
