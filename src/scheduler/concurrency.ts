/**
 * Runs at most `concurrency` tasks at once, in the order they were asked for. A task's
 * failure is its own promise's: it never stops the others.
 */
export function limitConcurrency(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`Invalid concurrency ${concurrency}`)
  let running = 0
  const waiting: Array<() => void> = []
  const next = () => {
    running--
    waiting.shift()?.()
  }
  return async task => {
    if (running >= concurrency) await new Promise<void>(resolve => waiting.push(resolve))
    running++
    try {
      return await task()
    } finally {
      next()
    }
  }
}
