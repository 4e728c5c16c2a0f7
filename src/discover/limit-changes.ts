import { describeThreshold, GrowthThreshold } from '../inputs/thresholds.js'
import { formatSize } from '../shared/sizes.js'
import { ImageTarget } from '../shared/types.js'

type OwnLimits = NonNullable<ImageTarget['limits']>

export interface GlobalLimits {
  maxIncrease: GrowthThreshold | null
  warnIncrease: GrowthThreshold | null
  maxSize: number | null
}

const FIELDS = [
  ['maxIncrease', 'max-increase'],
  ['warnIncrease', 'warn-increase'],
  ['maxSize', 'max-size']
] as const

/**
 * What a PR changes in the limits one image is held to, a sentence for each limit that
 * differs between the base's config and the head's: "raises app's max-increase from 10% to
 * 1000%, from the merge on". With limits-from: base the change applies once the PR is merged;
 * with limits-from: head it already judges this PR, and the sentence says so. Pure.
 */
export function limitChangeNotes(
  label: string,
  base: OwnLimits,
  head: OwnLimits,
  global: GlobalLimits,
  limitsFrom: 'base' | 'head'
): string[] {
  const when = limitsFrom === 'base' ? 'from the merge on' : 'for this PR already, as limits-from is head'
  const notes: string[] = []
  for (const [field, input] of FIELDS) {
    const before = base[field] !== undefined ? base[field] : global[field]
    const after = head[field] !== undefined ? head[field] : global[field]
    if (sameLimit(before, after)) continue
    const what = `${label}'s ${input}`
    const verb = direction(before, after)
    if (after === null) notes.push(`This PR removes ${what} of ${text(before)}, ${when}.`)
    else if (before === null) notes.push(`This PR sets ${what} to ${text(after)}, ${when}.`)
    else notes.push(`This PR ${verb} ${what} from ${text(before)} to ${text(after)}, ${when}.`)
  }
  return notes
}

function text(limit: GrowthThreshold | number | null): string {
  if (limit === null) return 'none'
  return typeof limit === 'number' ? formatSize(limit) : describeThreshold(limit)
}

function sameLimit(a: GrowthThreshold | number | null, b: GrowthThreshold | number | null): boolean {
  if (a === null || b === null || typeof a === 'number' || typeof b === 'number') return a === b
  return JSON.stringify(a.limits) === JSON.stringify(b.limits)
}

/** "raises" or "lowers" where the two can be ordered (one limit of one kind each), else "changes". */
function direction(a: GrowthThreshold | number | null, b: GrowthThreshold | number | null): string {
  const value = (limit: GrowthThreshold | number | null): { kind: string; n: number } | null => {
    if (limit === null) return null
    if (typeof limit === 'number') return { kind: 'bytes', n: limit }
    if (limit.limits.length !== 1) return null
    const only = limit.limits[0] as GrowthThreshold['limits'][number]
    return only.kind === 'bytes' ? { kind: 'bytes', n: only.bytes } : { kind: 'percent', n: only.percent }
  }
  const x = value(a)
  const y = value(b)
  if (!x || !y || x.kind !== y.kind) return 'changes'
  return y.n > x.n ? 'raises' : 'lowers'
}
