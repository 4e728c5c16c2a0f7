import * as core from '@actions/core'

/**
 * Clean-up to run when the run is cancelled. A `finally` block does not run when the process
 * is stopped by a signal: the runner sends SIGINT on cancel (then SIGTERM, then kills), and a
 * terminal sends SIGINT on Ctrl-C. Without this, a cancelled run would leave its worktrees in
 * RUNNER_TEMP and its images in the engine.
 */
type Cleanup = () => Promise<void>

const cleanups = new Set<Cleanup>()
let installed = false
let stopping = false

/** Registers `cleanup` for an interrupt; call the returned function once it is done normally. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup)
  return () => {
    cleanups.delete(cleanup)
  }
}

/** True once a signal has come: no new worktree or build may start after it. */
export function interrupted(): boolean {
  return stopping
}

/** How long clean-up may take before the process exits anyway (the runner kills at 7.5 s + 2.5 s). */
const CLEANUP_TIMEOUT_MS = 7000

/**
 * Installs the SIGINT and SIGTERM handlers once. The action calls it; the command has its own
 * gentler handler (src/cli/index.ts) that lets the build under way stop and then cleans up.
 */
export function installInterruptHandlers(): void {
  if (installed) return
  installed = true
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal (the runner follows SIGINT with SIGTERM) must not cut the clean-up short.
      if (stopping) return
      stopping = true
      void stop(signal)
    })
  }
}

async function stop(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  core.warning(`Stopped by ${signal}: removing the worktrees and images this run made.`)
  const all = Promise.allSettled([...cleanups].map(cleanup => cleanup()))
  await Promise.race([all, new Promise(resolve => setTimeout(resolve, CLEANUP_TIMEOUT_MS).unref())])
  process.exit(signal === 'SIGINT' ? 130 : 143)
}
