import { EngineInfo } from '../tools/docker.js'
import { ImageResult } from '../shared/types.js'
import { prose } from './escape.js'

/**
 * What the compared figure is, for the comment's footer. Engines disagree on what
 * "size" means: under a graph driver (overlay2) `docker image inspect`'s Size is the
 * unpacked layers; under the containerd image store it has been the packed content in
 * some releases and packed plus unpacked in others, so there the layers are summed
 * instead (see alignSizeBasis).
 */
export function sizeMeaning(engine: EngineInfo | null | undefined, images: ImageResult[]): string {
  const sides = images.flatMap(image => [image.base, image.head]).filter(side => side !== null)
  const fromLayers = sides.some(side => side.sizeSource === 'layers')
  const compressed = sides.some(side => side.compressedSize !== undefined)
  const facts = engine
    ? ` (Docker ${prose(engine.serverVersion)}, API ${prose(engine.apiVersion)}, ${storeName(engine)}, ${engine.builder === 'buildx' ? 'BuildKit' : 'legacy builder'})`
    : ''
  const what = fromLayers
    ? `Sizes are the sum of the unpacked layers that \`docker history\` lists${facts}: under the containerd image store, \`docker image inspect\`'s Size also counts compressed content, differently across Docker versions`
    : engine?.imageStore === 'containerd'
      ? `Sizes are \`docker image inspect\`'s Size under the containerd image store${facts}, which counts compressed content as well as (in later versions) the unpacked layers`
      : `Sizes are the uncompressed image size that \`docker image inspect\` reports${facts}`
  const pull = compressed ? ' Pull sizes are the layers gzip-compressed, as a registry stores them.' : ''
  return `${what}, in decimal units (1 MB = 1,000,000 bytes).${pull}`
}

/** The engine's own words, which a measure run's artifact may have changed to anything. */
function storeName(engine: EngineInfo): string {
  return engine.imageStore === 'containerd'
    ? `containerd image store, ${prose(engine.storageDriver)}`
    : `${prose(engine.storageDriver)} storage driver`
}
