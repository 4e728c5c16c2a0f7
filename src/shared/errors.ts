/** A bad input value: its message names the input, the value and the fix. */
export class InputError extends Error {}

/** A growth threshold or size budget that does not parse. */
export class ThresholdError extends InputError {}

/** An images config (the `images` input or the config file) that does not parse. */
export class ImageConfigError extends InputError {}

/** A run file was refused: its message says which field and why, never quoting more than a little of it. */
export class RunFileError extends Error {}

/** An artifact was refused. */
export class ArtifactError extends RunFileError {}

/** A path that leaves the repository through a symlink (tools/inside-repository.ts). */
export class OutsideRepositoryError extends Error {}

/** The Docker engine does not answer. */
export class EngineUnavailableError extends Error {}

/** The signals that stop a run (see scheduler/interrupt.ts). */
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

/** The message of anything thrown: an Error's message, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The first line of a tool's output, for a message that quotes it. */
export function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? ''
}
