/**
 * The one way the code logs: a Logger is made once at the edge (the action backs it with the
 * job log through @actions/core, the command with its terminal) and passed down in the
 * options each step already takes. Nothing logs through a module-level logger, so a test sees
 * exactly what one run said, and two runs in one process never log into each other.
 */
export interface Logger {
  /** Detail for whoever debugs a run: each command line. */
  debug(message: string): void
  info(message: string): void
  warning(message: string, where?: AnnotationPlace): void
  /** A line the job log shows as an error (an annotation in the action); the run goes on. */
  error(message: string, where?: AnnotationPlace): void
  /** Work whose lines belong together: a group in the job log, a step line on the terminal. */
  group<T>(title: string, work: () => Promise<T>): Promise<T>
  /** Where a command's own output goes as it comes (a build's, streamed): written chunk by chunk, ended once. */
  commandOutput(): OutputSink
}

export interface OutputSink {
  write(text: string): void
  /** The command is done: whatever the log opened for its output is closed. */
  end(): void
}

/** Where an annotation points (the fields of @actions/core's AnnotationProperties). */
export interface AnnotationPlace {
  title?: string
  file?: string
  startLine?: number
  endLine?: number
  startColumn?: number
  endColumn?: number
}

/** A Logger that says nothing: for tools used without a log (a test's git repository, a one-off command). */
export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  group: (_title, work) => work(),
  commandOutput: () => ({ write: () => undefined, end: () => undefined })
}
