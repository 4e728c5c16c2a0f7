import { posix } from 'node:path'
import { Docker } from '../tools/docker.js'
import { recordedInstruction } from '../measure/history.js'
import { LayerRead, PathBreakdown } from '../shared/types.js'
import { rowOwners } from './attribute.js'
import { DockerInstruction } from './dockerfile.js'
import { explainPaths, SideLayer } from './path-tree.js'
import { ArchivePair, readArchivePair, SavedArchive } from './save-pair.js'

export interface PathsSide {
  /** The built image. */
  tag: string
  /** The built stage's instructions, FROM first, to name the line that made each layer. */
  stage: DockerInstruction[] | null
}

/**
 * Where an image's bytes went between its two sides. Both images are saved at once and
 * read in step (see readArchivePair), so a layer both have is passed over in both; only
 * the headers of the others are read, never their contents, and nothing is written to disk.
 */
export async function breakDownPaths(
  docker: Pick<Docker, 'save'>,
  request: { base: PathsSide; head: PathsSide }
): Promise<PathBreakdown> {
  const started = Date.now()
  const pair = await docker.save(request.base.tag, base =>
    docker.save(request.head.tag, head => readArchivePair(base, head))
  )
  return breakdownOf(pair, request.base.stage, request.head.stage, Date.now() - started)
}

/** The breakdown from what the two archives held: pure, so tests can feed it archives made by hand. */
export function breakdownOf(
  pair: ArchivePair,
  baseStage: DockerInstruction[] | null,
  headStage: DockerInstruction[] | null,
  durationMs: number
): PathBreakdown {
  const base = sideLayers(pair.base, baseStage, 'base')
  const head = sideLayers(pair.head, headStage, 'head')
  // A layer both images have costs nothing, wherever it sits: one read out of step (the
  // top layer of the old archive layout is named by its image, not its content) is dropped.
  const ids = (side: typeof base) => new Set(side.layers.map(layer => layer.diffId).filter(Boolean))
  const [baseIds, headIds] = [ids(base), ids(head)]
  for (const [side, other] of [
    [base, headIds],
    [head, baseIds]
  ] as const) {
    side.layers.forEach((layer, i) => {
      if (layer.diffId && other.has(layer.diffId)) {
        layer.entries = null
        const read = side.reads[i] as LayerRead
        if (read.state !== 'shared') read.note = 'read, then found in the other image: not counted'
        read.state = 'shared'
      }
    })
  }
  const { paths, hints } = explainPaths(base.layers, head.layers)
  return {
    paths,
    hints,
    layers: { base: base.reads, head: head.reads },
    bytesRead: pair.bytesRead,
    bytesSkipped: pair.bytesSkipped,
    durationMs
  }
}

interface SaveManifestEntry {
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
  side: 'base' | 'head'
): { layers: SideLayer[]; reads: LayerRead[] } {
  const manifests = parseDocument<SaveManifestEntry[]>(archive, 'manifest.json', side, 'manifest.json')
  const manifest = Array.isArray(manifests) ? manifests[0] : undefined
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
    return { diffId, entries, source: sources[i] ?? null }
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
