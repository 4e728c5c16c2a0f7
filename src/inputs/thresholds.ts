import { InputError } from '../shared/errors.js'
import { formatSize, parseSize } from '../shared/sizes.js'

/** One limit on growth: a number of bytes, or a share of the base image's size. */
export type GrowthLimit = { kind: 'bytes'; bytes: number } | { kind: 'percent'; percent: number }

/**
 * A growth threshold such as `10%`, `25MB` or `10%, 5MB`. With several limits the
 * threshold is passed only when the growth passes every one of them: `10%, 5MB` lets a
 * tiny image grow by 50% as long as that is under 5 MB, and a huge one by 4 MB.
 */
export interface GrowthThreshold {
  limits: GrowthLimit[]
  /** The text the user wrote, for messages. */
  text: string
}

/** A bad limit: an InputError, so that whoever reads the value says it is the user's to fix. */
export class ThresholdError extends InputError {}

/** Parses the value of `max-increase` / `warn-increase`. An empty value means no threshold (null). */
export function parseGrowthThreshold(input: string, value: string): GrowthThreshold | null {
  const text = value.trim()
  if (text === '') return null
  const parts = text.split(',').map(part => part.trim())
  const limits = parts.map(part => parseGrowthLimit(input, text, part))
  // Two limits of one kind say nothing that one would not ("passes both" is the larger), so
  // they are a mistake: most often a thousands separator, `1,000,000` read as 1 B, 0 B, 0 B.
  const kinds = limits.map(limit => limit.kind)
  if (limits.length > 2 || new Set(kinds).size !== kinds.length) {
    const read = limits.map(limit => (limit.kind === 'bytes' ? formatSize(limit.bytes) : `${limit.percent}%`))
    throw new ThresholdError(
      `Invalid ${input} '${text}': the commas split it into ${limits.length} limits (${read.join(', ')}). ` +
        'Write a size without thousands separators (1000000 or 1MB), or at most one share and one size ' +
        'separated by a comma (10%, 5MB).'
    )
  }
  return { limits, text }
}

function parseGrowthLimit(input: string, whole: string, part: string): GrowthLimit {
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(part)
  if (percent) return { kind: 'percent', percent: Number(percent[1]) }
  const bytes = parseSize(part)
  if (bytes !== null) return { kind: 'bytes', bytes }
  throw new ThresholdError(
    `Invalid ${input} '${whole}'. Expected a size such as 25MB, 1.5GiB, 512kB or plain bytes, ` +
      `a share of the base size such as 10%, or both separated by a comma (10%, 5MB).`
  )
}

/** Parses the value of `max-size`. An empty value means no budget (null). */
export function parseSizeBudget(input: string, value: string): number | null {
  const text = value.trim()
  if (text === '') return null
  const bytes = parseSize(text)
  if (bytes === null) {
    throw new ThresholdError(`Invalid ${input} '${text}'. Expected a size such as 500MB, 1.5GiB or plain bytes.`)
  }
  return bytes
}

/** True when a growth of `delta` bytes from a base of `baseSize` bytes passes every limit. */
export function exceedsThreshold(threshold: GrowthThreshold, baseSize: number, delta: number): boolean {
  if (delta <= 0) return false
  return threshold.limits.every(limit =>
    limit.kind === 'bytes' ? delta > limit.bytes : baseSize === 0 || (100 * delta) / baseSize > limit.percent
  )
}

export function describeThreshold(threshold: GrowthThreshold): string {
  return threshold.limits
    .map(limit => (limit.kind === 'bytes' ? formatSize(limit.bytes) : `${limit.percent}%`))
    .join(' and ')
}
