import { describe, expect, it } from '@jest/globals'
import { limitConcurrency } from '../../src/scheduler/concurrency.js'

describe('limitConcurrency', () => {
  it('never runs more than the limit at once, and starts tasks in order', async () => {
    const limit = limitConcurrency(2)
    let running = 0
    let peak = 0
    const started: number[] = []
    const tasks = [0, 1, 2, 3, 4, 5].map(n =>
      limit(async () => {
        started.push(n)
        running++
        peak = Math.max(peak, running)
        await new Promise(resolve => setTimeout(resolve, 5 + (n % 3) * 3))
        running--
        return n * 10
      })
    )
    expect(await Promise.all(tasks)).toEqual([0, 10, 20, 30, 40, 50])
    expect(peak).toBe(2)
    expect(started).toEqual([0, 1, 2, 3, 4, 5])
  })

  it('keeps going after a task fails', async () => {
    const limit = limitConcurrency(1)
    const failed = limit(() => Promise.reject(new Error('boom')))
    const after = limit(() => Promise.resolve('still runs'))
    await expect(failed).rejects.toThrow('boom')
    await expect(after).resolves.toBe('still runs')
  })

  it('rejects a limit below one', () => {
    expect(() => limitConcurrency(0)).toThrow('Invalid concurrency 0')
  })
})
