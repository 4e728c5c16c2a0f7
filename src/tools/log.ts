import * as core from '@actions/core'

/**
 * Where the shared modules' own log lines go. The action leaves the default (the job log
 * through @actions/core); the command replaces it, because outside Actions core.debug still
 * prints `::debug::` workflow commands to stdout, which only the runner knows to hide.
 */
export interface Logger {
  /** Detail for whoever debugs a run: each command line. */
  debug(message: string): void
  info(message: string): void
}

let current: Logger = { debug: message => core.debug(message), info: message => core.info(message) }

export function setLogger(logger: Logger): void {
  current = logger
}

export const log: Logger = {
  debug: message => current.debug(message),
  info: message => current.info(message)
}
