// A Progress for the scheduler's unit tests that keeps what it is told as lines. Written as a
// class, as the command's is: its methods live on the prototype, which progressFor must keep.
import type { OutputSink } from '../../src/shared/logger.js'
import type { Progress } from '../../src/scheduler/progress.js'
import type { MeasuredImage } from '../../src/shared/types.js'

export interface RecordingOptions {
  streamBuilds?: boolean
  /** What a group leaves in `lines`: nothing, its title, or its title and an `end group` line. */
  groups?: 'silent' | 'title' | 'title-and-end'
}

export class RecordingProgress implements Progress {
  readonly lines: string[] = []
  /** The Dockerfile of each image reported done, in order. */
  readonly done: string[] = []
  readonly streamBuilds: boolean
  private readonly groups: NonNullable<RecordingOptions['groups']>

  constructor(options: RecordingOptions = {}) {
    this.streamBuilds = options.streamBuilds ?? false
    this.groups = options.groups ?? 'title-and-end'
  }

  async group<T>(title: string, work: () => Promise<T>): Promise<T> {
    if (this.groups !== 'silent') this.lines.push(`group ${title}`)
    const result = await work()
    if (this.groups === 'title-and-end') this.lines.push('end group')
    return result
  }
  info(message: string): void {
    this.lines.push(message)
  }
  warning(message: string): void {
    this.lines.push(`warning ${message}`)
  }
  error(message: string): void {
    this.lines.push(`error ${message}`)
  }
  debug(): void {}
  commandOutput(): OutputSink {
    return { write: () => undefined, end: () => undefined }
  }
  imageDone(image: MeasuredImage): void {
    this.done.push(image.target.dockerfile)
  }
}
