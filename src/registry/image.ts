// An image in a registry as plain data: each platform's manifest (its layers' digests and
// compressed sizes) and config (its history and diff ids), read as a few small JSON
// documents. No layer is ever fetched here.
import * as z from 'zod'
import { INDEX_TYPES, MANIFEST_TYPES, RegistryClient, RegistryError } from './client.js'
import { ImageReference, withDigest } from './reference.js'

interface RegistryLayer {
  digest: string
  /** Compressed bytes, as stored and pulled. */
  size: number
  mediaType: string
}

interface RegistryHistoryEntry {
  createdBy: string
  emptyLayer: boolean
  comment: string
}

/** One platform of an image: what a pull of it transfers, and what made it. */
export interface PlatformImage {
  /** os/architecture[/variant], as `--platform` takes it. */
  platform: string
  /** The platform's manifest digest: what `docker pull REF@DIGEST` names. */
  digest: string
  config: { digest: string; size: number }
  layers: RegistryLayer[]
  /** The config's history, oldest first, with empty_layer as the builder set it. */
  history: RegistryHistoryEntry[]
  /** The config's rootfs.diff_ids: each layer's digest uncompressed, in the layers' order. */
  diffIds: string[]
  /** Config and layers, compressed: the bytes a pull to an empty machine transfers. */
  size: number
}

export interface RegistryImage {
  reference: ImageReference
  /** The digest the reference resolved to (an index's, or the one manifest's). */
  digest: string
  platforms: PlatformImage[]
}

const descriptor = z.object({
  mediaType: z.string().optional(),
  digest: z.string().regex(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z
    .object({ os: z.string().max(64), architecture: z.string().max(64), variant: z.string().max(64).optional() })
    .optional()
})
const indexSchema = z.object({ mediaType: z.string().optional(), manifests: z.array(descriptor).max(1000) })
const manifestSchema = z.object({
  mediaType: z.string().optional(),
  config: descriptor,
  layers: z.array(descriptor).max(10_000)
})
const configSchema = z.object({
  os: z.string().max(64).optional(),
  architecture: z.string().max(64).optional(),
  variant: z.string().max(64).optional(),
  rootfs: z.object({ diff_ids: z.array(z.string().max(200)).max(10_000) }).optional(),
  history: z
    .array(
      z.object({
        created_by: z.string().max(1_000_000).optional(),
        comment: z.string().max(10_000).optional(),
        empty_layer: z.boolean().optional()
      })
    )
    .max(10_000)
    .optional()
})

/** How many platforms' manifests and configs are read at once. */
const PARALLEL_READS = 4

/** An attestation (buildx's provenance and SBOM) rides in the index as a manifest of unknown/unknown. */
function isAttestation(entry: z.infer<typeof descriptor>): boolean {
  return (
    entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (entry.platform?.os === 'unknown' && entry.platform.architecture === 'unknown')
  )
}

function platformOf(value: { os?: string; architecture?: string; variant?: string | undefined }): string {
  return [value.os ?? 'unknown', value.architecture ?? 'unknown', ...(value.variant ? [value.variant] : [])].join('/')
}

/** Reads the reference's index (or single manifest), then each platform's manifest and config. */
export async function readRegistryImage(client: RegistryClient, reference: ImageReference): Promise<RegistryImage> {
  const top = await client.manifest(reference)
  const json = parseJson(top.body, reference, 'manifest')
  const mediaType = top.mediaType || (json as { mediaType?: string }).mediaType || ''
  const isIndex =
    (INDEX_TYPES as readonly string[]).includes(mediaType) ||
    (!mediaType && Array.isArray((json as { manifests?: unknown }).manifests))
  if (isIndex) {
    const index = parse(indexSchema, json, reference, 'index')
    const entries = index.manifests.filter(entry => !isAttestation(entry))
    if (entries.length === 0) {
      throw new RegistryError(`${reference.text}: its index lists no image, only attestations.`, null)
    }
    const platforms = await mapLimited(entries, PARALLEL_READS, entry =>
      readPlatform(
        client,
        withDigest(reference, entry.digest),
        entry.digest,
        entry.platform ? platformOf(entry.platform) : null
      )
    )
    return { reference, digest: top.digest, platforms }
  }
  if (!(MANIFEST_TYPES as readonly string[]).includes(mediaType) && mediaType !== '') {
    throw new RegistryError(
      `${reference.text}: the registry answered a ${mediaType.slice(0, 100)}, which is neither an image index nor an image manifest ` +
        '(a schema 1 manifest is not read: push the image again with a current docker).',
      null
    )
  }
  return { reference, digest: top.digest, platforms: [await platformFrom(client, reference, top.digest, json, null)] }
}

async function readPlatform(
  client: RegistryClient,
  reference: ImageReference,
  digest: string,
  platform: string | null
): Promise<PlatformImage> {
  const manifest = await client.manifest(reference, digest)
  return platformFrom(client, reference, digest, parseJson(manifest.body, reference, 'manifest'), platform)
}

async function platformFrom(
  client: RegistryClient,
  reference: ImageReference,
  digest: string,
  json: unknown,
  platform: string | null
): Promise<PlatformImage> {
  const manifest = parse(manifestSchema, json, reference, 'manifest')
  const config = parse(
    configSchema,
    parseJson(await client.blobJson(reference, manifest.config.digest), reference, 'config'),
    reference,
    'config'
  )
  const layers = manifest.layers.map(layer => ({
    digest: layer.digest,
    size: layer.size,
    mediaType: layer.mediaType ?? ''
  }))
  return {
    platform: platform ?? platformOf(config),
    digest,
    config: { digest: manifest.config.digest, size: manifest.config.size },
    layers,
    history: (config.history ?? []).map(entry => ({
      createdBy: entry.created_by ?? '',
      emptyLayer: entry.empty_layer === true,
      comment: entry.comment ?? ''
    })),
    diffIds: config.rootfs?.diff_ids ?? [],
    // A layer listed twice is pulled once.
    size:
      manifest.config.size +
      [...new Map(layers.map(layer => [layer.digest, layer.size])).values()].reduce((a, b) => a + b, 0)
  }
}

function parseJson(body: Buffer, reference: ImageReference, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new RegistryError(`${reference.text}: the registry's ${what} is not JSON.`, null)
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown, reference: ImageReference, what: string): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  throw new RegistryError(
    `${reference.text}: the registry's ${what} is not one this reads (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'}).`,
    null
  )
}

async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index] as T)
    }
  })
  await Promise.all(runners)
  return results
}
