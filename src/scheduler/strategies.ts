import { Side } from '../shared/types.js'
import { SideResult } from './build-side.js'

/** Builds one side; `deferLog` as in SideJob. */
export type BuildOneSide = (side: Side, deferLog?: Promise<unknown>) => Promise<SideResult>

/** How the sides of one image are scheduled. Each side's result is the builder's to record as it comes. */
export type Strategy = (sides: Side[], build: BuildOneSide) => Promise<void>

/**
 * BuildKit runs a step that two running builds share only once, and both get its layer:
 * built side by side, the base still reuses all the head has in common with it, and the run
 * waits for one build instead of two. Both are let finish before a failure is passed on, so
 * that a side that was measured is kept.
 */
export const sideBySide: Strategy = async (sides, build) => {
  const head = sides.includes('head') ? build('head') : undefined
  const base = sides.includes('base') ? build('base', head) : undefined
  const settled = await Promise.allSettled([head, base].filter(side => side !== undefined))
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failed) throw failed.reason
}

/**
 * The legacy builder shares nothing between running builds: the base waits for the head,
 * and then finds the steps they have in common in the cache.
 */
export const oneAfterAnother: Strategy = async (sides, build) => {
  for (const side of sides) await build(side)
}

export function strategyFor(builder: 'buildx' | 'legacy'): Strategy {
  return builder === 'buildx' ? sideBySide : oneAfterAnother
}
