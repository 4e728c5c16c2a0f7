import { posix } from 'node:path'
import { Docker } from '../tools/docker.js'
import { recordedInstruction } from '../measure/history.js'
import { LayerRead, PathBreakdown } from '../shared/types.js'
import { rowOwners } from './attribute.js'
import { DockerInstruction } from './dockerfile.js'
import { explainPaths, SideLayer } from './path-tree.js'
import { layersOfRecord, RecordedLayer, summarizeLayers } from './layer-summary.js'
import { ArchivePair, emptyArchive, readArchivePair, readSavedImages, SavedArchive } from './save-pair.js'
import { SideEntries } from './layer-entries.js'

export interface PathsSide {
  /** The built image. */
  tag: string
  /** The built stage's instructions, FROM first, to name the line that made each layer. */
  stage: DockerInstruction[] | null
}

/** A base that was not built here: its layers as its baseline record keeps them. */
export interface RecordedPathsSide {
  recorded: RecordedLayer[]
}

/** Where each side's layers come from: a read of the image, or the measurement's own (see `saved`). */
export interface BreakdownOptions {
  /**
   * Both sides in one `docker save`, which writes a layer they share once: where the engine
   * names the saved layers by diff id (Docker 25 and later with a graph driver), those both
   * images list are known before the archive streams, and passed over.
   */
  together?: boolean
  /**
   * The sides' layers as the measurement already read them (the containerd store, where the
   * size is measured from `docker save`): no archive is read again.
   */
  saved?: { base?: SavedArchive; head?: SavedArchive }
}

/**
 * Where an image's bytes went between its two sides. Both images are saved at once and
 * read in step (see readArchivePair), so a layer both have is passed over in both; only
 * the headers of the others are read, never their contents, and nothing is written to disk.
 * A recorded base is read from its record, and the head's layers it names are passed over.
 */
export async function breakDownPaths(
  docker: Pick<Docker, 'save' | 'inspectImage'>,
  request: { base: PathsSide | RecordedPathsSide; head: PathsSide },
  options: BreakdownOptions = {}
): Promise<PathBreakdown> {
  const started = Date.now()
  const { base, head } = request
  if ('recorded' in base) {
    const blobs = new Set(base.recorded.flatMap(layer => (layer.blob ? [layer.blob] : [])))
    const pair = options.saved?.head
      ? passOver(null, options.saved.head, blobs)
      : await docker.save(head.tag, archive => readArchivePair(null, archive, { blobs }))
    const headSide = sideLayers(pair.head, head.stage, 'head')
    return compareSides(recordedSide(base.recorded), headSide, pair, Date.now() - started)
  }
  if (options.saved?.base && options.saved.head) {
    const pair = passOver(options.saved.base, options.saved.head)
    return breakdownOf(pair, base.stage, head.stage, Date.now() - started)
  }
  if (options.together) {
    const [baseIds, headIds] = await Promise.all([base.tag, head.tag].map(tag => diffIdsOf(docker, tag)))
    const read = await docker.save([base.tag, head.tag], archive =>
      readSavedImages(archive, { base: baseIds ?? [], head: headIds ?? [] })
    )
    const pair = { base: read.archive, head: read.archive, bytesRead: read.bytesRead, bytesSkipped: read.bytesSkipped }
    return compareSides(
      sideLayers(read.archive, base.stage, 'base', base.tag),
      sideLayers(read.archive, head.stage, 'head', head.tag),
      pair,
      Date.now() - started
    )
  }
  const pair = await docker.save(base.tag, baseArchive =>
    docker.save(head.tag, headArchive => readArchivePair(baseArchive, headArchive))
  )
  return breakdownOf(pair, base.stage, head.stage, Date.now() - started)
}

async function diffIdsOf(docker: Pick<Docker, 'inspectImage'>, tag: string): Promise<string[] | null> {
  const parsed = JSON.parse(await docker.inspectImage(tag)) as Array<{ RootFS?: { Layers?: unknown } }>
  const layers = parsed[0]?.RootFS?.Layers
  return Array.isArray(layers) ? layers.filter((id): id is string => typeof id === 'string') : null
}

/**
 * Two archives the measurement read whole, as a pair read in step would have left them: a
 * content-addressed layer both hold (or that the record names) is shared, not read.
 */
function passOver(base: SavedArchive | null, head: SavedArchive, known: ReadonlySet<string> = new Set()): ArchivePair {
  const shared = (archive: SavedArchive, other: SavedArchive | null) =>
    [...archive.layers.keys()].filter(name => (other ? other.layers.has(name) : known.has(name)))
  const split = (archive: SavedArchive, names: string[]): SavedArchive => {
    const layers = new Map([...archive.layers].filter(([name]) => !names.includes(name)))
    return { ...archive, layers, shared: new Set([...archive.shared, ...names]) }
  }
  const headShared = shared(head, base)
  const size = (archive: SavedArchive, names: Iterable<string>) =>
    [...names].reduce((sum, name) => sum + (archive.blobBytes.get(name) ?? 0), 0)
  const headRead = split(head, headShared)
  const baseRead = base ? split(base, shared(base, head)) : emptyArchive([])
  return {
    base: baseRead,
    head: headRead,
    bytesRead: size(headRead, headRead.layers.keys()) + size(baseRead, baseRead.layers.keys()),
    bytesSkipped: size(head, headShared)
  }
}

/** One image's layers, read whole and summed by folder, for its baseline record. */
export async function recordLayers(
  docker: Pick<Docker, 'save'>,
  image: PathsSide,
  saved?: SavedArchive
): Promise<RecordedLayer[]> {
  const archive = saved ?? (await docker.save(image.tag, read => readArchivePair(null, read))).head
  return summarizeLayers(sideLayers(archive, image.stage, 'image').layers)
}

/** The breakdown from what the two archives held: pure, so tests can feed it archives made by hand. */
export function breakdownOf(
  pair: ArchivePair,
  baseStage: DockerInstruction[] | null,
  headStage: DockerInstruction[] | null,
  durationMs: number
): PathBreakdown {
  return compareSides(
    sideLayers(pair.base, baseStage, 'base'),
    sideLayers(pair.head, headStage, 'head'),
    pair,
    durationMs
  )
}

/** A recorded base as a side: each layer as its record keeps it. */
function recordedSide(recorded: RecordedLayer[]): ReadSide {
  return {
    layers: layersOfRecord(recorded),
    reads: recorded.map(layer =>
      layer.summary
        ? { diffId: layer.diffId, state: 'recorded' as const }
        : { diffId: layer.diffId, state: 'unreadable' as const, note: 'not readable when it was recorded' }
    )
  }
}

interface ReadSide {
  layers: SideLayer[]
  reads: LayerRead[]
}

function compareSides(base: ReadSide, head: ReadSide, bytes: ArchivePair, durationMs: number): PathBreakdown {
  // A layer both images have costs nothing, wherever it sits: one read out of step (the
  // top layer of the old archive layout is named by its image, not its content) is dropped.
  const ids = (side: ReadSide) => new Set(side.layers.map(layer => layer.diffId).filter(Boolean))
  const [baseIds, headIds] = [ids(base), ids(head)]
  for (const [side, other] of [
    [base, headIds],
    [head, baseIds]
  ] as const) {
    side.layers.forEach((layer, i) => {
      if (layer.diffId && other.has(layer.diffId)) {
        layer.entries = null
        const read = side.reads[i] as LayerRead
        if (read.state === 'read') read.note = 'read, then found in the other image: not counted'
        read.state = 'shared'
      }
    })
  }
  const { paths, hints } = explainPaths(base.layers, head.layers)
  const folded = foldingOf([...bytes.base.budgets, ...bytes.head.budgets])
  return {
    paths,
    hints,
    ...(folded ? { folded } : {}),
    layers: { base: base.reads, head: head.reads },
    bytesRead: bytes.bytesRead,
    bytesSkipped: bytes.bytesSkipped,
    durationMs
  }
}

/** Where a side's entries were folded to stay within its budget: the shallowest fold, and how many entries it summed. */
function foldingOf(budgets: SideEntries[]): PathBreakdown['folded'] {
  const folded = [...new Set(budgets)].filter(budget => budget.foldDepth !== null && budget.folded > 0)
  if (folded.length === 0) return undefined
  return {
    depth: Math.min(...folded.map(budget => budget.foldDepth as number)),
    entries: folded.reduce((sum, budget) => sum + budget.folded, 0),
    limit: Math.max(...folded.map(budget => budget.max))
  }
}

interface SaveManifestEntry {
  RepoTags?: string[]
  Config?: string
  Layers?: string[]
}

interface ImageConfig {
  rootfs?: { diff_ids?: string[] }
  history?: Array<{ created_by?: string; empty_layer?: boolean }>
}

function parseDocument<T>(archive: SavedArchive, name: string, side: string, what: string): T {
  const text = archive.documents.get(posix.normalize(name))
  if (text === undefined) throw new Error(`The ${side}'s docker save archive has no ${what} (${name}).`)
  try {
    return JSON.parse(text) as T
  } catch {
    throw new Error(`The ${side}'s docker save archive holds a ${what} that is not JSON (${name}).`)
  }
}

function sideLayers(
  archive: SavedArchive,
  stage: DockerInstruction[] | null,
  side: 'base' | 'head' | 'image',
  /** The image's tag, in an archive of several images. */
  tag?: string
): ReadSide {
  const manifests = parseDocument<SaveManifestEntry[]>(archive, 'manifest.json', side, 'manifest.json')
  const manifest = !Array.isArray(manifests)
    ? undefined
    : tag
      ? manifests.find(entry => Array.isArray(entry.RepoTags) && entry.RepoTags.includes(tag))
      : manifests[0]
  if (!manifest?.Config || !Array.isArray(manifest.Layers)) {
    throw new Error(`The ${side}'s docker save archive has a manifest.json without Config and Layers.`)
  }
  const config = parseDocument<ImageConfig>(archive, manifest.Config, side, 'image config')
  const diffIds = config.rootfs?.diff_ids ?? []
  const sources = layerSources(config, manifest.Layers.length, stage)
  const reads: LayerRead[] = []
  const layers = manifest.Layers.map((name, i): SideLayer => {
    let path = posix.normalize(name)
    for (let hops = 0; archive.links.has(path) && hops < 8; hops++) path = archive.links.get(path) as string
    const entries = archive.layers.get(path) ?? null
    const diffId = diffIds[i] ?? null
    if (entries) reads.push({ diffId, state: 'read' })
    else if (archive.shared.has(path)) reads.push({ diffId, state: 'shared' })
    else reads.push({ diffId, state: 'unreadable', note: archive.unreadable.get(path) ?? 'not in the archive' })
    return { diffId, blob: path, entries, source: sources[i] ?? null }
  })
  return { layers, reads }
}

/**
 * The instruction that made each layer. The config's history lists every instruction,
 * oldest first, and marks those that made no layer; the others pair with the layers in
 * order. Paired with the stage's instructions as the per-instruction sizes are, each
 * layer gets its Dockerfile line; where that does not fit, the history's own text.
 */
function layerSources(
  config: ImageConfig,
  layerCount: number,
  stage: DockerInstruction[] | null
): Array<SideLayer['source']> {
  const history = config.history ?? []
  const withLayer = history.map((entry, i) => ({ entry, i })).filter(({ entry }) => !entry.empty_layer)
  if (withLayer.length !== layerCount) return []
  const newestFirst = [...history].reverse().map(entry => entry.created_by ?? '')
  const owners = stage ? rowOwners(stage, newestFirst) : null
  return withLayer.map(({ entry, i }) => {
    const owner = owners?.[history.length - 1 - i]
    const instruction = owner === undefined ? undefined : stage?.[owner]
    if (instruction) return { line: instruction.line, instruction: `${instruction.keyword} ${instruction.args}`.trim() }
    const recorded = recordedInstruction(entry.created_by ?? '')
    return recorded.keyword ? { line: null, instruction: `${recorded.keyword} ${recorded.args}`.trim() } : null
  })
}
