// What the tests read from a registry on their own, with plain fetch and none of src/: each
// platform's pull size from its manifest, and the requests in distribution's access log.

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

interface Descriptor {
  digest: string
  size: number
  platform?: { os: string; architecture: string }
  annotations?: Record<string, string>
}

export interface PlatformSize {
  /** The platform manifest's digest. */
  digest: string
  /** Config plus layers, compressed, as the manifest lists them. */
  size: number
  /** The layers' digests. */
  layers: string[]
  /** The config blob's bytes. */
  configSize: number
}

/** Each platform's pull size of host/name:tag (attestations left out); `authorization` for a registry behind auth. */
export async function pullSizes(
  host: string,
  name: string,
  tag: string,
  authorization?: string
): Promise<Record<string, PlatformSize>> {
  const get = async (reference: string) => {
    const response = await fetch(`http://${host}/v2/${name}/manifests/${reference}`, {
      headers: { Accept: ACCEPT, ...(authorization ? { Authorization: authorization } : {}) }
    })
    if (!response.ok) throw new Error(`GET manifest ${name}:${reference} answered ${response.status}`)
    return (await response.json()) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] }
  }
  const index = await get(tag)
  const sizes: Record<string, PlatformSize> = {}
  for (const entry of index.manifests ?? []) {
    if (!entry.platform || entry.platform.os === 'unknown') continue
    const manifest = await get(entry.digest)
    const layers = manifest.layers ?? []
    sizes[`${entry.platform.os}/${entry.platform.architecture}`] = {
      digest: entry.digest,
      size: (manifest.config?.size ?? 0) + layers.reduce((sum, layer) => sum + layer.size, 0),
      layers: layers.map(layer => layer.digest),
      configSize: manifest.config?.size ?? 0
    }
  }
  return sizes
}

export interface LoggedRequest {
  method: string
  path: string
  status: number
}

/** The requests of distribution's access log (combined log format: `"GET /v2/… HTTP/1.1" 200 …`). */
export function requestsIn(log: string): LoggedRequest[] {
  const requests: LoggedRequest[] = []
  for (const match of log.matchAll(/"([A-Z]+) (\/v2\/\S*) HTTP\/[\d.]+" (\d{3})/g)) {
    requests.push({ method: match[1] ?? '', path: match[2] ?? '', status: Number(match[3]) })
  }
  return requests
}
