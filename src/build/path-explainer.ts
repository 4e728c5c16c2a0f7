import { RecordedLayer } from '../explain/layer-summary.js'
import { breakDownPaths, recordLayers } from '../explain/paths.js'
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

  /**
   * Asks for the breakdown of an image whose head was built here under its tag, and whose base
   * was built under its tag too, or comes from a record with its layers.
   */
  explain(image: MeasuredImage, sides: { base: string | RecordedLayer[]; head: string }): void {
    const { base, head } = image
    if (!base || !head || base.size === head.size) return
    const stages = { base: base.instructions ?? null, head: head.instructions ?? null }
    const baseSide = typeof sides.base === 'string' ? { tag: sides.base, stage: stages.base } : { recorded: sides.base }
    this.pending.push(
      this.one(async () => {
        try {
          const paths = await breakDownPaths(this.docker, {
            base: baseSide,
            head: { tag: sides.head, stage: stages.head }
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

  /** Asks for the image's layers summed by folder, for the record a record run writes (image.recordedLayers). */
  record(image: MeasuredImage, tag: string): void {
    const { head } = image
    if (!head) return
    const stage = head.instructions ?? null
    this.pending.push(
      this.one(async () => {
        try {
          const started = Date.now()
          image.recordedLayers = await recordLayers(this.docker, { tag, stage })
          const entries = image.recordedLayers.reduce(
            (sum, layer) => sum + (layer.summary ? layer.summary.files.length + layer.summary.folders.length : 0),
            0
          )
          this.lines.push(
            `paths ${image.target.dockerfile}: ${countOf(image.recordedLayers.length, 'layer')} summed into ` +
              `${countOf(entries, 'path')} for the record, in ${((Date.now() - started) / 1000).toFixed(2)} s`
          )
        } catch (error) {
          this.log.warning(
            `Could not read the layers of ${image.target.dockerfile} for its record (PR runs based on it will show no paths): ${errorMessage(error)}`
          )
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
