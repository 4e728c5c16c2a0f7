// The images config's `image` entries, measured where they are: each side's index and
// manifests read from its registry, one row per platform, the figure a platform's config and
// layers compressed. Nothing is built or pulled; the layers are never fetched.
import type { ReferenceSpec } from '../inputs/images-config.js'
import type { Logger } from '../shared/logger.js'
import { recordedInstruction } from './history.js'
import { errorMessage } from '../shared/errors.js'
import { ImageMeasurement, ImageTarget, InstructionSize, MeasuredImage } from '../shared/types.js'
import { RegistryClient } from '../registry/client.js'
import { PlatformImage, readRegistryImage, RegistryImage } from '../registry/image.js'
import { parseReference, repositoryName } from '../registry/reference.js'

/** One platform of a base: its manifest digest and its figures. */
export interface BasePlatform {
  platform: string
  digest: string
  measurement: ImageMeasurement
}

/** A base that came from elsewhere than a registry read: a baseline record of the reference. */
export interface KnownBase {
  /** The platforms as recorded. */
  platforms: BasePlatform[]
  /** Where it came from, for the row. */
  baseline: NonNullable<ImageTarget['baseline']>
}

export interface ReferenceRun {
  client: RegistryClient
  log: Logger
  /** The base of an entry without base-image (a baseline record); null when there is none. */
  knownBase?: (spec: ReferenceSpec) => Promise<KnownBase | null>
}

/** What one reference read left: the image, or why it could not be read. */
type Read = { ok: true; image: RegistryImage; ms: number } | { ok: false; error: string; ms: number }

/** The label of an entry's rows: its name, else the head's repository. */
export function referenceLabel(spec: Pick<ReferenceSpec, 'name' | 'image'>): string {
  return spec.name ?? repositoryName(parseReference(spec.image))
}

/** Every entry's rows, in the config's order, each entry's platforms in the head's order. */
export async function measureReferences(specs: ReferenceSpec[], run: ReferenceRun): Promise<MeasuredImage[]> {
  const rows: MeasuredImage[] = []
  for (const spec of specs) rows.push(...(await measureReference(spec, run)))
  return rows
}

async function read(client: RegistryClient, text: string, field: string): Promise<Read> {
  const started = Date.now()
  try {
    const image = await readRegistryImage(client, parseReference(text, field))
    return { ok: true, image, ms: Date.now() - started }
  } catch (error) {
    return { ok: false, error: errorMessage(error), ms: Date.now() - started }
  }
}

async function measureReference(spec: ReferenceSpec, run: ReferenceRun): Promise<MeasuredImage[]> {
  const [head, base] = await Promise.all([
    read(run.client, spec.image, 'image'),
    spec.baseImage ? read(run.client, spec.baseImage, 'base-image') : Promise.resolve(null)
  ])
  const known = base === null && run.knownBase ? await run.knownBase(spec) : null
  const basePlatforms: BasePlatform[] | null = base?.ok
    ? base.image.platforms.map(platform => ({
        platform: platform.platform,
        digest: platform.digest,
        measurement: measurementOf(platform)
      }))
    : (known?.platforms ?? null)
  const label = referenceLabel(spec)
  for (const [side, result] of [
    ['head', head],
    ['base', base]
  ] as const) {
    if (result?.ok) {
      const platforms = result.image.platforms.map(platform => platform.platform).join(', ')
      run.log.info(
        `${label}: ${side} ${result.image.reference.text} is ${result.image.digest} (${platforms}), read in ${result.ms} ms`
      )
    }
  }
  const reason = spec.baseImage
    ? `image ${spec.image} compared with ${spec.baseImage}`
    : known
      ? `image ${spec.image} compared with its baseline record`
      : `image ${spec.image}: no base-image and no baseline record of it`
  const target = (platform: string, change: ImageTarget['change']): ImageTarget => ({
    dockerfile: spec.dockerfile ?? '',
    context: '',
    baseDockerfile: spec.dockerfile ?? '',
    baseContext: '',
    change,
    reason,
    name: label,
    from: 'config',
    limits: limitsOf(spec),
    ...(known ? { baseline: known.baseline } : {}),
    reference: {
      head: spec.image,
      base: spec.baseImage,
      platform,
      headDigest: head.ok ? (head.image.platforms.find(p => p.platform === platform)?.digest ?? null) : null,
      baseDigest: basePlatforms?.find(p => p.platform === platform)?.digest ?? null
    }
  })
  if (!head.ok) {
    // Without the head there are no platforms to pair: one row says why.
    return [
      {
        target: target('', 'modified'),
        base: null,
        head: null,
        failedBuilds: [{ side: 'head', ok: false, error: head.error, durationMs: head.ms }]
      }
    ]
  }
  const baseFailure =
    base && !base.ok ? { side: 'base' as const, ok: false, error: base.error, durationMs: base.ms } : null
  const platforms = [
    ...head.image.platforms.map(platform => platform.platform),
    ...(basePlatforms?.map(platform => platform.platform) ?? []).filter(
      platform => !head.image.platforms.some(own => own.platform === platform)
    )
  ]
  return platforms.map(platform => {
    const headPlatform = head.image.platforms.find(own => own.platform === platform) ?? null
    const basePlatform = basePlatforms?.find(own => own.platform === platform) ?? null
    // A platform one side lacks is new or gone, said as such; with no base at all, it is unmeasured.
    const change: ImageTarget['change'] =
      basePlatforms === null ? 'modified' : !basePlatform ? 'added' : !headPlatform ? 'removed' : 'modified'
    return {
      target: target(platform, change),
      base: basePlatform?.measurement ?? null,
      head: headPlatform ? measurementOf(headPlatform) : null,
      failedBuilds: baseFailure ? [baseFailure] : []
    }
  })
}

function limitsOf(spec: ReferenceSpec): NonNullable<ImageTarget['limits']> {
  return {
    ...(spec.maxIncrease !== undefined ? { maxIncrease: spec.maxIncrease } : {}),
    ...(spec.warnIncrease !== undefined ? { warnIncrease: spec.warnIncrease } : {}),
    ...(spec.maxSize !== undefined ? { maxSize: spec.maxSize } : {})
  }
}

/** A platform's figures: its pull size, and the bytes each instruction's layer adds compressed. */
function measurementOf(platform: PlatformImage): ImageMeasurement {
  const instructions = instructionsOf(platform)
  return {
    size: platform.size,
    id: platform.digest,
    layers: platform.layers.length,
    sizeSource: 'registry',
    ...(instructions ? { instructions } : {})
  }
}

/**
 * The config's history paired with the manifest's layers: each entry without `empty_layer`
 * made the next layer, in order. Each entry is a row; its `line` is its place in the history
 * (there is no Dockerfile to number it by). Null when the counts disagree, as in an image
 * whose history was rewritten: a wrong attribution is worse than none.
 */
export function instructionsOf(platform: Pick<PlatformImage, 'history' | 'layers'>): InstructionSize[] | null {
  const withLayer = platform.history.filter(entry => !entry.emptyLayer).length
  if (platform.history.length === 0 || withLayer !== platform.layers.length) return null
  let layer = 0
  return platform.history.map((entry, index) => {
    const recorded = recordedInstruction(entry.createdBy)
    const size = entry.emptyLayer ? 0 : (platform.layers[layer++]?.size ?? 0)
    const keyword = recorded.keyword || 'ADD'
    const args = recorded.keyword ? recorded.args : entry.comment || 'a layer no instruction recorded'
    return { keyword, args, line: index + 1, endLine: index + 1, size }
  })
}
