import { entryCount, RecordedLayer } from '../explain/layer-summary.js'
import { breakDownPaths, recordLayers } from '../explain/path-breakdown.js'
import { MeasuredImage } from '../judge/judge.js'
import { errorMessage } from '../shared/errors.js'
import { countOf, formatSize } from '../shared/sizes.js'
import { Docker, EngineInfo } from '../tools/docker.js'
import type { SavedArchive } from '../explain/save-pair.js'
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
  private breakdowns = 0
  private records = 0

  constructor(
    private readonly docker: Pick<Docker, 'save' | 'inspectImage'>,
    private readonly log: Progress,
    private readonly engine?: Pick<EngineInfo, 'imageStore' | 'apiVersion'>
  ) {}

  /**
   * Both sides in one `docker save`: a graph driver's engine writes each layer of the archive
   * to a temporary folder before it streams any, a shared one once for both images; from
   * Docker 25 (API 1.44) it names them by diff id, so the shared ones are passed over unparsed.
   */
  private together(): boolean {
    const [major, minor] = (this.engine?.apiVersion ?? '').split('.').map(Number)
    const api = major !== undefined && minor !== undefined && !isNaN(major) && !isNaN(minor) ? major * 1000 + minor : 0
    return this.engine?.imageStore === 'graphdriver' && api >= 1044
  }

  /**
   * Asks for the breakdown of an image whose head was built here under its tag, and whose base
   * was built under its tag too, or comes from a record with its layers.
   */
  explain(
    image: MeasuredImage,
    sides: { base: string | RecordedLayer[]; head: string },
    saved: { base?: SavedArchive; head?: SavedArchive } = {}
  ): void {
    const { base, head } = image
    if (!base || !head || base.size === head.size) return
    const stages = { base: base.instructions ?? null, head: head.instructions ?? null }
    const baseSide = typeof sides.base === 'string' ? { tag: sides.base, stage: stages.base } : { recorded: sides.base }
    this.breakdowns++
    this.queue(`Could not tell which paths of ${image.target.dockerfile} changed`, async () => {
      const paths = await breakDownPaths(
        this.docker,
        { base: baseSide, head: { tag: sides.head, stage: stages.head } },
        { together: this.together(), saved }
      )
      image.paths = paths
      const read = [...paths.layers.base, ...paths.layers.head].filter(layer => layer.state === 'read')
      return (
        `paths ${image.target.dockerfile}: ${countOf(read.length, 'layer')} read (${formatSize(paths.bytesRead)}), ` +
        `${formatSize(paths.bytesSkipped)} shared and passed over, in ${(paths.durationMs / 1000).toFixed(2)} s`
      )
    })
  }

  /** Asks for the image's layers summed by folder, for the record a record run writes (image.recordedLayers). */
  record(image: MeasuredImage, tag: string, saved?: SavedArchive): void {
    const { head } = image
    if (!head) return
    const stage = head.instructions ?? null
    this.records++
    const failure = `Could not read the layers of ${image.target.dockerfile} for its record (PR runs based on it will show no paths)`
    this.queue(failure, async () => {
      const started = Date.now()
      const layers = await recordLayers(this.docker, { tag, stage }, saved)
      image.recordedLayers = layers
      return (
        `paths ${image.target.dockerfile}: ${countOf(layers.length, 'layer')} summed into ` +
        `${countOf(entryCount(layers), 'path')} for the record, in ${((Date.now() - started) / 1000).toFixed(2)} s`
      )
    })
  }

  /** One read at a time; its line is said at the end, and a failure is a warning that starts with `failure`. */
  private queue(failure: string, work: () => Promise<string>): void {
    this.pending.push(
      this.one(async () => {
        try {
          this.lines.push(await work())
        } catch (error) {
          this.log.warning(`${failure}: ${errorMessage(error)}`)
        }
      })
    )
  }

  async finish(): Promise<void> {
    if (this.breakdowns) {
      this.log.info(`Paths: reading the layers the two sides do not share (${countOf(this.breakdowns, 'image')}) …`)
    }
    if (this.records) this.log.info(`Paths: reading the layers of ${countOf(this.records, 'image')} for the record …`)
    await Promise.all(this.pending)
    for (const line of this.lines) this.log.info(line)
  }
}
