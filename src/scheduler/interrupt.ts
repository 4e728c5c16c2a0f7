import { InterruptedError, StopSignal } from '../shared/errors.js'
/**
 * Cancellation by signal. The runner sends SIGINT on cancel (then SIGTERM, then kills), a
 * terminal sends SIGINT on Ctrl-C, and a supervisor SIGTERM, sometimes to this process
 * alone. Each becomes the abort of one AbortSignal that the run passes down: the builds it
 * started are stopped (they run in process groups of their own), no other step starts, the
 * clean-up runs in the `finally` blocks it always runs in, and the report is still written.
 */
export interface SignalStop {
  signal: AbortSignal
  /** Removes the handlers (for tests, and a run that finished). */
  dispose(): void
}

/**
 * Installs SIGINT and SIGTERM handlers that abort the returned signal with an
 * InterruptedError. `onSignal` hears each signal, `first` true for the one that aborted.
 */
export function abortOnSignals(onSignal: (signal: StopSignal, first: boolean) => void = () => undefined): SignalStop {
  const controller = new AbortController()
  const handlers = (['SIGINT', 'SIGTERM'] as const).map(name => {
    const handler = () => {
      const first = !controller.signal.aborted
      if (first) controller.abort(new InterruptedError(name))
      onSignal(name, first)
    }
    process.on(name, handler)
    return () => process.off(name, handler)
  })
  return { signal: controller.signal, dispose: () => handlers.forEach(remove => remove()) }
}

/** The run's InterruptedError, if a signal stopped it. */
export function interruptionOf(signal: AbortSignal | undefined): InterruptedError | null {
  return signal?.aborted && signal.reason instanceof InterruptedError ? signal.reason : null
}
