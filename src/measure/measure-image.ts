import { readFile } from 'node:fs/promises'
import { Docker, EngineInfo } from '../tools/docker.js'
import { ImageMeasurement } from '../shared/types.js'
import { attributeLayers, InstructionSize } from '../explain/attribute.js'
import { measureCompressed } from './compressed.js'
import { stageInstructions } from '../explain/dockerfile.js'
import { parseHistory, withoutRunLabel } from './history.js'
import { errorMessage } from '../shared/errors.js'

export interface LayerDetails {
  instructions?: InstructionSize[]
  /** Sum of the unpacked layers the history lists. */
  layerBytes?: number
  compressedSize?: number
}

/**
 * What an image's layers say beyond its size: the bytes each instruction of the built
 * stage added, and on request the compressed size. Neither is needed for the verdict, so
 * a failure here is a warning and leaves the field out.
 */
export async function describeLayers(
  docker: Pick<Docker, 'history' | 'save'>,
  image: { tag: string; dockerfile: string; target?: string },
  options: { compressed: boolean; warn: (message: string) => void }
): Promise<LayerDetails> {
  const details: LayerDetails = {}
  try {
    const rows = parseHistory(await docker.history(image.tag))
    details.layerBytes = rows.reduce((sum, row) => sum + row.size, 0)
    const stage = stageInstructions(await readFile(image.dockerfile, 'utf8'), image.target)
    const instructions = attributeLayers(stage, withoutRunLabel(rows))
    if (instructions) details.instructions = instructions
    else options.warn(`The history of ${image.tag} does not fit ${image.dockerfile}: no per-instruction sizes.`)
  } catch (error) {
    options.warn(`Could not read the layers of ${image.tag}: ${errorMessage(error)}`)
  }
  if (options.compressed) {
    try {
      details.compressedSize = (await docker.save(image.tag, measureCompressed)).bytes
    } catch (error) {
      options.warn(`Could not measure the compressed size of ${image.tag}: ${errorMessage(error)}`)
    }
  }
  return details
}

/**
 * How this engine's compared figure is computed, in one word pair: two figures compare only
 * when this is the same for both (a baseline record and a run, two shards).
 */
export function sizeMethodOf(engine: Pick<EngineInfo, 'imageStore'>): string {
  return engine.imageStore === 'containerd' ? 'layers/containerd' : 'inspect/graphdriver'
}

/**
 * Makes both sides of an image carry the same kind of figure in `size`. Under a graph
 * driver (overlay2) `docker image inspect`'s Size is the sum of the unpacked layers. Under
 * the containerd image store it has counted only the packed content in some releases and
 * packed content plus unpacked snapshots in later ones (see README, "What size means"),
 * so there the compared figure is the sum of the unpacked layers from `docker history`,
 * which means the same as overlay2's, on both sides or on neither.
 */
export function alignSizeBasis(
  sides: Array<(ImageMeasurement & LayerDetails) | null>,
  engine: Pick<EngineInfo, 'imageStore'>
): void {
  const present = sides.filter((side): side is ImageMeasurement & LayerDetails => side !== null)
  const fromLayers = engine.imageStore === 'containerd' && present.every(side => side.layerBytes !== undefined)
  for (const side of present) {
    if (fromLayers) {
      side.inspectSize = side.size
      side.size = side.layerBytes as number
    }
    side.sizeSource = fromLayers ? 'layers' : 'inspect'
  }
}
