import { InputError } from '../shared/errors.js'
import { labelOf } from '../discover/discover.js'
import { ImageTarget } from '../shared/types.js'

/** One slice of the affected images: `index` of `total`, counted from 1 (`shard: 2/4`). */
export interface Shard {
  index: number
  total: number
}

const MAX_SHARDS = 256

/** Parses the `shard` input; empty means no sharding (null). */
export function parseShard(value: string, label = 'shard'): Shard | null {
  const text = value.trim()
  if (text === '') return null
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(text)
  const index = Number(match?.[1])
  const total = Number(match?.[2])
  if (!match || total < 1 || total > MAX_SHARDS || index < 1 || index > total) {
    throw new InputError(
      `Invalid ${label} '${text}'. Expected INDEX/TOTAL with 1 <= INDEX <= TOTAL <= ${MAX_SHARDS}, such as 2/4; ` +
        'in a matrix: shard: ${{ matrix.shard }}/4.'
    )
  }
  return { index, total }
}

/**
 * The images this shard checks. Every shard discovers the same images from the same two
 * commits, sorts them by name and takes every `total`-th from its own offset, so the shards
 * split the work evenly, never overlap, and together cover every image.
 */
export function selectShard(targets: ImageTarget[], shard: Shard | null | undefined): ImageTarget[] {
  if (!shard || shard.total === 1) return targets
  const sorted = [...targets].sort((a, b) => compareKeys(keyOf(a), keyOf(b)))
  return sorted.filter((_, position) => position % shard.total === shard.index - 1)
}

/** Sorts by name, then by the Dockerfile and context, so two entries never tie. */
function keyOf(target: ImageTarget): string {
  return `${labelOf(target)}\0${target.dockerfile}\0${target.context}`
}

// Plain code-unit order, not localeCompare: every runner must sort the same way, whatever its locale.
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function describeShard(shard: Shard): string {
  return `${shard.index}/${shard.total}`
}
