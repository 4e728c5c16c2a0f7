import { MeasuredImage } from '../judge/judge.js'

/** Where the log of a run goes: the action groups it in the job log, the command prints progress. */
export interface Progress {
  group<T>(title: string, work: () => Promise<T>): Promise<T>
  info(message: string): void
  warning(message: string): void
  /** Whether builds stream their output into the log. */
  streamBuilds: boolean
  /** Told when both sides of an image are built and measured (or failed). */
  imageDone?(image: MeasuredImage): void
}

/**
 * The log for builds that run side by side: they cannot share the log, for their groups
 * and streamed output would interleave. They run quietly and each says in one line how it
 * went; a failed build's last lines still reach the report.
 */
export function progressFor(progress: Progress, parallel: number): Progress {
  if (parallel <= 1) return progress
  // Each method by name, not a spread: the command's Progress is a class, whose methods a spread loses.
  return {
    streamBuilds: false,
    group: (title, work) => {
      progress.info(`${title} …`)
      return work()
    },
    info: message => progress.info(message),
    warning: message => progress.warning(message),
    imageDone: image => progress.imageDone?.(image)
  }
}
