import * as core from '@actions/core'
import { inertText } from '../shared/inert.js'

/**
 * Where the shared modules' own log lines go. The action leaves the default (the job log
 * through @actions/core); the command replaces it, because outside Actions core.debug still
 * prints `::debug::` workflow commands to stdout, which only the runner knows to hide.
 */
export interface Logger {
  /** Detail for whoever debugs a run: each command line. */
  debug(message: string): void
  info(message: string): void
  /** A command's output as it comes (a build's, streamed); the job log by default. */
  output?(text: string): void
}

// In the job log too, outside strings are inert: the runner's log view acts on some escape
// sequences (colours), and no build's output needs them to be read.
let current: Logger = {
  debug: message => core.debug(inertText(message)),
  info: message => core.info(inertText(message)),
  output: text => process.stdout.write(inertText(text))
}

export function setLogger(logger: Logger): void {
  current = logger
}

export const log: Logger = {
  debug: message => current.debug(message),
  info: message => current.info(message),
  output: text => (current.output ?? (chunk => process.stdout.write(inertText(chunk))))(text)
}
