import { Logger } from '../shared/logger.js'
import { MeasuredImage } from '../shared/types.js'

/**
 * The run's Logger as the scheduler sees it: the same log (the action's job log, the
 * command's terminal), and what the scheduler asks of it besides.
 */
export interface Progress extends Logger {
  /** Whether builds stream their output into the log. */
  streamBuilds: boolean
  /** Told when both sides of an image are built and measured (or failed). */
  imageDone?(image: MeasuredImage): void
}

/** A Logger as the scheduler's Progress. */
export function progressOf(log: Logger, extra: Pick<Progress, 'streamBuilds' | 'imageDone'>): Progress {
  // Each method by name, not a spread: a Logger may be a class, whose methods a spread loses.
  return {
    debug: message => log.debug(message),
    info: message => log.info(message),
    warning: (message, where) => log.warning(message, where),
    error: (message, where) => log.error(message, where),
    group: (title, work) => log.group(title, work),
    commandOutput: () => log.commandOutput(),
    ...extra
  }
}

/**
 * The log for builds that run side by side: they cannot share the log, for their groups
 * and streamed output would interleave. They run quietly and each says in one line how it
 * went; a failed build's last lines still reach the report.
 */
export function progressFor(progress: Progress, parallel: number): Progress {
  if (parallel <= 1) return progress
  return {
    ...progressOf(progress, { streamBuilds: false, imageDone: image => progress.imageDone?.(image) }),
    group: (title, work) => {
      progress.info(`${title} …`)
      return work()
    }
  }
}
