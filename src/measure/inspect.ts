import { ImageMeasurement } from '../shared/types.js'

interface InspectJson {
  Id?: string
  Size?: number
  RootFS?: { Layers?: string[] }
}

/** Reads `docker image inspect` output (a JSON array of one image) into plain data. */
export function parseInspect(stdout: string): ImageMeasurement {
  let parsed: unknown
  try {
    parsed = JSON.parse(stdout)
  } catch {
    throw new Error(`docker image inspect printed something that is not JSON: ${stdout.slice(0, 200)}`)
  }
  const image = (Array.isArray(parsed) ? parsed[0] : parsed) as InspectJson | undefined
  if (!image || typeof image.Size !== 'number' || typeof image.Id !== 'string') {
    throw new Error('docker image inspect printed no image with an Id and a Size')
  }
  return { size: image.Size, id: image.Id, layers: image.RootFS?.Layers?.length ?? 0 }
}
