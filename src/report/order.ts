import { GrowthThreshold, ImageResult } from '../shared/types.js'

const RANK: Record<ImageResult['verdict'], number> = { error: 0, fail: 1, warn: 2, pass: 3 }

/** The growth a threshold allows, in bytes: it is passed only past every one of its limits. */
function allowedGrowth(threshold: GrowthThreshold, baseSize: number): number {
  return Math.max(
    ...threshold.limits.map(limit => (limit.kind === 'bytes' ? limit.bytes : (limit.percent * baseSize) / 100))
  )
}

/**
 * How close an image is to its limit, as a share of it: 1 is at the limit, 2 twice past it.
 * The largest share across the limits that apply: max-size against the head's size, and
 * against growth the threshold of its verdict (warn-increase for a warning, else max-increase).
 * 0 where no limit applies or nothing grew.
 */
function shareOfLimit(image: ImageResult): number {
  const shares: number[] = []
  const { limits } = image
  if (image.head && limits.maxSize !== null && limits.maxSize > 0) shares.push(image.head.size / limits.maxSize)
  const threshold = image.verdict === 'warn' ? limits.warnIncrease : limits.maxIncrease
  if (threshold && image.base && image.delta !== null && image.delta > 0) {
    const allowed = allowedGrowth(threshold, image.base.size)
    shares.push(allowed > 0 ? image.delta / allowed : Number.MAX_VALUE)
  }
  return Math.max(0, ...shares)
}

/**
 * The order a reader wants: builds that failed, then images over a limit, furthest past it
 * first, then warnings the same way, then the rest, nearest their limit first, and among
 * equals the largest change first.
 */
export function byDistanceFromLimit(a: ImageResult, b: ImageResult): number {
  return (
    RANK[a.verdict] - RANK[b.verdict] ||
    shareOfLimit(b) - shareOfLimit(a) ||
    Math.abs(b.delta ?? 0) - Math.abs(a.delta ?? 0)
  )
}
