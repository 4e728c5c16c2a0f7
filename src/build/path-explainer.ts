import { breakDownPaths } from '../explain/paths.js'
import { MeasuredImage } from '../judge/judge.js'
import { errorMessage } from '../shared/errors.js'
import { countOf, formatSize } from '../shared/sizes.js'
import { Docker } from '../tools/docker.js'
import { limitConcurrency } from './concurrency.js'
import { Progress } from './progress.js'

/**
 * Where the bytes went, image by image, while the next image builds: the breakdown waits on
 * the engine's `docker save` more than on this process, and is not needed until the report.
 * One at a time, so that two archives at most stream at once. Not needed for the verdict
 * either, so a failure is a warning; `finish` never rejects, and the scheduler awaits it
 * before the janitor removes the images it reads.
 */
export class PathExplainer {
  private readonly pending: Promise<void>[] = []
  // Said once every breakdown is done: said as each ends, a line would land in the log group
  // of the build running then.
  private readonly lines: string[] = []
  private readonly one = limitConcurrency(1)

  constructor(
    private readonly docker: Pick<Docker, 'save'>,
    private readonly log: Progress
  ) {}

  /** Asks for the breakdown of an image both of whose sides were built here, under these tags. */
  explain(image: MeasuredImage, tags: { base: string; head: string }): void {
    const { base, head } = image
    if (!base || !head || base.size === head.size) return
    const stages = { base: base.instructions ?? null, head: head.instructions ?? null }
    this.pending.push(
      this.one(async () => {
        try {
          const paths = await breakDownPaths(this.docker, {
            base: { tag: tags.base, stage: stages.base },
            head: { tag: tags.head, stage: stages.head }
          })
          image.paths = paths
          const read = [...paths.layers.base, ...paths.layers.head].filter(layer => layer.state === 'read')
          this.lines.push(
            `paths ${image.target.dockerfile}: ${countOf(read.length, 'layer')} read (${formatSize(paths.bytesRead)}), ` +
              `${formatSize(paths.bytesSkipped)} shared and passed over, in ${(paths.durationMs / 1000).toFixed(2)} s`
          )
        } catch (error) {
          this.log.warning(`Could not tell which paths of ${image.target.dockerfile} changed: ${errorMessage(error)}`)
        }
      })
    )
  }

  async finish(): Promise<void> {
    if (this.pending.length) {
      this.log.info(`Paths: reading the layers the two sides do not share (${countOf(this.pending.length, 'image')}) …`)
    }
    await Promise.all(this.pending)
    for (const line of this.lines) this.log.info(line)
  }
}
