import { describe, expect, it } from '@jest/globals'
import { BuildOneSide, oneAfterAnother, sideBySide, strategyFor } from '../../src/scheduler/strategies.js'
import { SideResult } from '../../src/scheduler/build-side.js'
import { Side } from '../../src/shared/types.js'

interface Seen {
  side: Side
  started: number
  ended?: number
  deferLog?: Promise<unknown>
}

/** A builder whose sides take the time given, and fail where asked. */
function builder(ms: Record<Side, number>, fails: Side[] = []) {
  const seen: Seen[] = []
  const t0 = Date.now()
  const build: BuildOneSide = async (side, deferLog) => {
    const entry: Seen = { side, started: Date.now() - t0, ...(deferLog ? { deferLog } : {}) }
    seen.push(entry)
    await new Promise(resolve => setTimeout(resolve, ms[side]))
    entry.ended = Date.now() - t0
    if (fails.includes(side)) throw new Error(`${side} stopped`)
    const result: SideResult = { side, outcome: { side, ok: true, durationMs: ms[side] }, measurement: null }
    return result
  }
  return { seen, build, at: (side: Side) => seen.find(entry => entry.side === side) }
}

describe('sideBySide', () => {
  it('starts the base while the head builds, and has the base defer its log to the head', async () => {
    const run = builder({ head: 40, base: 40 })
    await sideBySide(['head', 'base'], run.build)
    const head = run.at('head')!
    const base = run.at('base')!
    expect(base.started).toBeLessThan(head.ended!)
    expect(head.deferLog).toBeUndefined()
    expect(base.deferLog).toBeInstanceOf(Promise)
  })

  it("lets the other side finish before it passes a side's failure on", async () => {
    const run = builder({ head: 5, base: 60 }, ['head'])
    await expect(sideBySide(['head', 'base'], run.build)).rejects.toThrow('head stopped')
    expect(run.at('base')!.ended).toBeGreaterThanOrEqual(run.at('head')!.ended!)
  })

  it('builds only the sides asked for', async () => {
    const run = builder({ head: 1, base: 1 })
    await sideBySide(['base'], run.build)
    expect(run.seen.map(entry => entry.side)).toEqual(['base'])
    expect(run.at('base')!.deferLog).toBeUndefined()
  })
})

describe('oneAfterAnother', () => {
  it('starts the base once the head has finished', async () => {
    const run = builder({ head: 30, base: 1 })
    await oneAfterAnother(['head', 'base'], run.build)
    expect(run.seen.map(entry => entry.side)).toEqual(['head', 'base'])
    expect(run.at('base')!.started).toBeGreaterThanOrEqual(run.at('head')!.ended!)
    expect(run.at('base')!.deferLog).toBeUndefined()
  })

  it('starts no other side after a side throws (a stopped run)', async () => {
    const run = builder({ head: 1, base: 1 }, ['head'])
    await expect(oneAfterAnother(['head', 'base'], run.build)).rejects.toThrow('head stopped')
    expect(run.seen.map(entry => entry.side)).toEqual(['head'])
  })
})

describe('strategyFor', () => {
  it('builds side by side under BuildKit and one after another with the legacy builder', () => {
    expect(strategyFor('buildx')).toBe(sideBySide)
    expect(strategyFor('legacy')).toBe(oneAfterAnother)
  })
})
