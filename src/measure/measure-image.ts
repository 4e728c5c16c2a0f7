import { readFile } from 'node:fs/promises'
import type { Logger } from '../shared/logger.js'
import { Docker } from '../tools/docker.js'
import { EngineInfo, ImageMeasurement } from '../shared/types.js'
import { attributeLayers } from './attribute.js'
import { measureCompressed } from './compressed.js'
import { stageInstructions, stageSummaries } from '../tools/dockerfile.js'
import { HistoryRow, parseHistory, withoutRunLabel } from './history.js'
import { parseInspect } from './inspect.js'
import { measureSavedImage, SavedImage } from './unpacked.js'
import { errorMessage } from '../shared/errors.js'
import type { SavedArchive } from '../tools/save-pair.js'

// Which figure an image is compared by. One figure on every engine: the bytes of the files
// in the image's layers, as overlay2 reports it.
//   overlay2 (a graph driver): `docker image inspect`'s Size is that figure.
//   the containerd image store: inspect's Size counts the compressed content (and, from
//     moby #53426 on, the unpacked snapshots too), and `docker history` counts the
//     snapshots' disk blocks (4 KiB for a 1-byte file: the seed's single-stage image reads
//     5.8% larger). There the layers are read from `docker save`, which streams the
//     content store's blobs as they are, and their files summed as overlay2 sums them
//     (unpacked.ts). The same pass gives the compressed sizes the manifest lists.
// inspect's own Size is kept beside the figure (`inspectSize`) for what it is.

/** How `size` was computed; the same on every side of a run, or the run is refused. */
export type SizeSource = NonNullable<ImageMeasurement['sizeSource']>

export function sizeSourceFor(engine: Pick<EngineInfo, 'imageStore'>): SizeSource {
  return engine.imageStore === 'containerd' ? 'layer-files' : 'inspect'
}

/**
 * How this engine's compared figure is computed and where the image is stored, as two
 * figures compare for a baseline record and a run: the same on both, or the base is built.
 */
export function sizeMethodOf(engine: Pick<EngineInfo, 'imageStore'>): string {
  return `${sizeSourceFor(engine)}/${engine.imageStore}`
}

/**
 * Measures one built image: the compared figure, inspect's Size, the bytes each
 * instruction of the built stage added and, on request, the compressed size. The figure's
 * failure fails the measurement; the per-instruction sizes and the compressed size are not
 * needed for the verdict, so their failure is a warning and leaves the field out.
 */
export async function measureBuiltImage(
  docker: Pick<Docker, 'inspectImage' | 'history' | 'save'>,
  image: { tag: string; dockerfile: string; target?: string },
  engine: Pick<EngineInfo, 'imageStore'>,
  options: {
    compressed: boolean
    /** Where what could not be read is said (the measurement goes on without it). */
    log: Logger
    /** Given the layers' entries where the measurement reads the archive anyway (the containerd store). */
    keepLayers?: (archive: SavedArchive) => void
  }
): Promise<ImageMeasurement> {
  const source = sizeSourceFor(engine)
  // Side by side: the reads of one finished image cost the time of the longest.
  const [inspected, history, saved] = await Promise.all([
    docker.inspectImage(image.tag).then(parseInspect),
    docker.history(image.tag).then(parseHistory, (error: unknown) => error as Error),
    source === 'layer-files'
      ? docker.save(image.tag, archive => measureSavedImage(archive, { keepEntries: options.keepLayers !== undefined }))
      : null
  ])
  if (saved?.archive) options.keepLayers?.(saved.archive)
  const measurement: ImageMeasurement = {
    ...inspected,
    size: saved ? saved.fileBytes : inspected.size,
    sizeSource: source,
    inspectSize: inspected.size
  }
  if (history instanceof Error) {
    options.log.warning(`Could not read the layers of ${image.tag}: ${errorMessage(history)}`)
  } else {
    try {
      const rows = saved ? withFileSizes(history, saved) : history
      if (!rows) {
        options.log.warning(`The history of ${image.tag} does not match its saved layers: no per-instruction sizes.`)
      } else {
        measurement.layerBytes = rows.reduce((sum, row) => sum + row.size, 0)
        const dockerfile = await readFile(image.dockerfile, 'utf8')
        const stage = stageInstructions(dockerfile, image.target)
        measurement.stages = stageSummaries(dockerfile)
        const instructions = attributeLayers(stage, withoutRunLabel(rows))
        if (instructions) measurement.instructions = instructions
        else
          options.log.warning(`The history of ${image.tag} does not fit ${image.dockerfile}: no per-instruction sizes.`)
      }
    } catch (error) {
      options.log.warning(`Could not read the layers of ${image.tag}: ${errorMessage(error)}`)
    }
  }
  if (options.compressed) {
    if (saved) {
      measurement.compressedSize = saved.storedBytes
    } else {
      try {
        measurement.compressedSize = (await docker.save(image.tag, archive => measureCompressed(archive))).bytes
      } catch (error) {
        options.log.warning(`Could not measure the compressed size of ${image.tag}: ${errorMessage(error)}`)
      }
    }
  }
  return measurement
}

/**
 * `docker history`'s rows (newest first) with each layer's size replaced by the bytes of
 * its files: the config's history, oldest first, says which rows made a layer, and those
 * take the saved layers in order. Null when the two do not line up.
 */
export function withFileSizes(rows: HistoryRow[], saved: Pick<SavedImage, 'history' | 'layers'>): HistoryRow[] | null {
  if (rows.length !== saved.history.length) return null
  const layered = saved.history.filter(entry => !entry.emptyLayer).length
  if (layered !== saved.layers.length) return null
  let layer = 0
  const oldestFirst = [...rows].reverse().map((row, index) => {
    if (saved.history[index]!.emptyLayer) return { ...row, size: 0 }
    return { ...row, size: saved.layers[layer++]!.fileBytes }
  })
  return oldestFirst.reverse()
}
