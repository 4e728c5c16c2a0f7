import { EngineInfo, ImageResult } from '../shared/types.js'
import { prose } from './escape.js'

/**
 * What the compared figure is, for the comment's footer: which store and which method
 * produced it. Every engine gives the same figure, the bytes of the files in the image's
 * layers as overlay2 reports them (see measure-image.ts), so figures of two runs compare
 * whichever runner each had.
 */
export function sizeMeaning(engine: EngineInfo | null | undefined, images: ImageResult[]): string {
  const sides = images.flatMap(image => [image.base, image.head]).filter(side => side !== null)
  const method = sides.find(side => side.sizeSource)?.sizeSource
  const compressed = sides.some(side => side.compressedSize !== undefined)
  const facts = engine
    ? ` (Docker ${prose(engine.serverVersion)}, API ${prose(engine.apiVersion)}, ${storeName(engine)}, ${engine.builder === 'buildx' ? 'BuildKit' : 'legacy builder'})`
    : ''
  const what =
    method === 'layer-files'
      ? `Sizes are the bytes of the files in each image's layers, summed from its saved layers${facts}, the figure overlay2 reports: under the containerd image store \`docker image inspect\` counts compressed content and \`docker history\` disk blocks`
      : method === 'layers'
        ? `Sizes are the sum of the unpacked layers that \`docker history\` lists${facts}`
        : engine?.imageStore === 'containerd'
          ? `Sizes are \`docker image inspect\`'s Size under the containerd image store${facts}, which counts compressed content as well as (in later versions) the unpacked layers`
          : `Sizes are the uncompressed image size that \`docker image inspect\` reports${facts}`
  const pull = !compressed
    ? ''
    : method === 'layer-files'
      ? ' Pull sizes are the compressed layers as the content store holds them, the sizes their manifest lists.'
      : ' Pull sizes are the layers gzip-compressed here, an estimate of what a registry stores.'
  return `${what}, in decimal units (1 MB = 1,000,000 bytes).${pull}`
}

/** The engine's own words, which a measure run's artifact may have changed to anything. */
function storeName(engine: EngineInfo): string {
  return engine.imageStore === 'containerd'
    ? `containerd image store, ${prose(engine.storageDriver)}`
    : `${prose(engine.storageDriver)} storage driver`
}
