/**
 * Cancellation by signal. The runner sends SIGINT on cancel (then SIGTERM, then kills), a
 * terminal sends SIGINT on Ctrl-C, and a supervisor SIGTERM, sometimes to this process
 * alone. Each becomes the abort of one AbortSignal that the run passes down: the builds it
 * started are stopped (they run in process groups of their own), no other step starts, the
 * clean-up runs in the `finally` blocks it always runs in, and the report is still written.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM'

/** The reason of the run's abort: which signal stopped it. */
export class InterruptedError extends Error {
  constructor(readonly signal: StopSignal) {
    super(
      `Interrupted by ${signal}: the builds under way were stopped, and the images and worktrees this run made removed.`
    )
    this.name = 'InterruptedError'
  }

  /** The shell's status for a process ended by the signal: 130 for SIGINT, 143 for SIGTERM. */
  get exitCode(): number {
    return this.signal === 'SIGINT' ? 130 : 143
  }
}

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
