// A recorded image's layers, kept small enough for a baseline record and detailed enough for
// a later pull request's breakdown: a PR whose base comes from a record has no base image to
// read, so its paths compare the head's layers with these. Pure: no I/O here.
import { posix } from 'node:path'
import { LayerEntry } from '../tools/layer-entries.js'
import { SideLayer } from './path-tree.js'
import { RecordedLayer } from '../shared/types.js'

/** How many entries the recorded layers hold, over all of them. */
export function entryCount(recorded: RecordedLayer[]): number {
  return recorded.reduce(
    (sum, layer) => sum + (layer.summary ? layer.summary.files.length + layer.summary.folders.length : 0),
    0
  )
}

/** Entries per image, over all its layers: about 20 KB of a record. */
const RECORDED_ENTRIES = 400

/** A child below this share of its folder is summed into the folder's own entry when it is opened. */
const OWN_ENTRY_SHARE = 1 / 64

interface FrontierItem {
  layer: number
  node: TreeNode
  own?: number
}

interface TreeNode {
  path: string
  bytes: number
  /** Bytes of the file at exactly this path. */
  file: number
  children: Map<string, TreeNode> | null
}

/**
 * Each layer's files, summed by folder where the bytes are few: the budget of entries goes,
 * step by step, to opening the biggest folder of any layer that still fits, so a layer that
 * holds a toolchain is listed to its package folders while a small one is one line. The
 * entries of each layer add up to its bytes, so every folder above them reads exactly.
 */
export function summarizeLayers(layers: SideLayer[], budget = RECORDED_ENTRIES): RecordedLayer[] {
  const trees = layers.map(layer => (layer.entries ? treeOf(layer.entries) : null))
  // The open frontier, over all layers: each item becomes one entry; `own` marks a folder's
  // own entry (the bytes of its small children), which is never opened.
  const frontier: FrontierItem[] = []
  trees.forEach((tree, layer) => tree && frontier.push({ layer, node: tree }))
  const closed = new Set<TreeNode>()
  const openable = (item: FrontierItem) => item.own === undefined && item.node.children && !closed.has(item.node)
  for (;;) {
    let item: FrontierItem | undefined
    for (const candidate of frontier) {
      if (openable(candidate) && (!item || candidate.node.bytes > item.node.bytes)) item = candidate
    }
    if (!item) break
    const pick = frontier.indexOf(item)
    const { kept, rest } = opened(item.node)
    const grows = kept.length + (rest > 0 ? 1 : 0) - 1
    if (frontier.length + grows > budget) {
      closed.add(item.node)
      continue
    }
    frontier.splice(pick, 1, ...kept.map(node => ({ layer: item.layer, node })))
    if (rest > 0) frontier.push({ layer: item.layer, node: item.node, own: rest })
  }
  return layers.map((layer, index) => {
    const tree = trees[index]
    const files: Array<[string, number]> = []
    const folders: Array<[string, number]> = []
    for (const item of frontier) {
      if (item.layer !== index) continue
      if (item.own !== undefined) folders.push([item.node.path, item.own])
      else if (item.node.children) folders.push([item.node.path, item.node.bytes])
      else files.push([item.node.path, item.node.bytes])
    }
    const byPath = (a: [string, number], b: [string, number]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
    return {
      diffId: layer.diffId,
      blob: layer.blob ?? null,
      source: layer.source,
      summary: tree ? { files: files.sort(byPath), folders: folders.sort(byPath) } : null
    }
  })
}

/** A folder opened: its children big enough to list, and the bytes of the rest (its own entry). */
function opened(node: TreeNode): { kept: TreeNode[]; rest: number } {
  const kept: TreeNode[] = []
  let rest = node.file
  for (const child of node.children?.values() ?? []) {
    if (child.bytes >= node.bytes * OWN_ENTRY_SHARE) kept.push(child)
    else rest += child.bytes
  }
  // All children small: listing them one by one is no clearer than the folder's sum.
  if (kept.length === 0) return { kept: [], rest: node.bytes }
  return { kept, rest }
}

/** The layer's files as a tree of byte sums; deletions are not kept (see layersOfRecord). */
function treeOf(entries: LayerEntry[]): TreeNode {
  const root: TreeNode = { path: '/', bytes: 0, file: 0, children: null }
  for (const entry of entries) {
    if ((entry.kind !== 'file' && entry.kind !== 'folder') || entry.size <= 0) continue
    let node = root
    node.bytes += entry.size
    for (const name of entry.path.split('/').filter(Boolean)) {
      node.children ??= new Map()
      let child = node.children.get(name)
      if (!child)
        node.children.set(name, (child = { path: posix.join(node.path, name), bytes: 0, file: 0, children: null }))
      node = child
      node.bytes += entry.size
    }
    // A recorded folder entry read back is a folder with bytes of its own, like a file there.
    node.file += entry.size
  }
  return root
}

/**
 * The recorded layers as the breakdown reads a side. A base layer's deletions only ever hide
 * the base's own copies, which no hint looks at (the hints are the head's), so the record
 * keeps none.
 */
export function layersOfRecord(recorded: RecordedLayer[]): SideLayer[] {
  return recorded.map(layer => ({
    diffId: layer.diffId,
    blob: layer.blob,
    source: layer.source,
    entries: layer.summary
      ? [
          ...layer.summary.files.map(([path, size]): LayerEntry => ({ kind: 'file', path, size })),
          ...layer.summary.folders.map(([path, size]): LayerEntry => ({ kind: 'folder', path, size }))
        ]
      : null
  }))
}
