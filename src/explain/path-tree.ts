// Where an image's bytes went between the two sides, from the layers they do not share.
// Pure: the layers come in as lists of entries (see layer-entries.ts); no I/O here.
import { posix } from 'node:path'
import { LayerEntry } from '../tools/layer-entries.js'
import { PathChange, PathHint, PathSource, Side } from '../shared/types.js'

/** One layer of one side, in the image's order (lowest first). */
export interface SideLayer {
  diffId: string | null
  /** Its name in the `docker save` archive it was read from, where there was one. */
  blob?: string | null
  /** Its entries; null for a layer that was not read (shared, or unreadable). */
  entries: LayerEntry[] | null
  /** The instruction that made it, where the history says. */
  source: Omit<PathSource, 'side'> | null
}

interface Copy {
  side: Side
  layer: number
  size: number
  /** The layer that deleted or replaced this copy, and the path it named to do so. */
  hiddenBy?: { layer: number; path: string }
}

interface Node {
  name: string
  path: string
  children: Map<string, Node> | null
  base: number
  head: number
  /** Bytes by `side:layer`, to name the instruction that put them there. */
  sources: Map<string, number>
  copies: Copy[] | null
  /**
   * Bytes of a recorded layer's files summed at this folder (explain/layer-summary.ts), by
   * side: below it that side is not known file by file. A folder even with no children here.
   */
  summed?: { base: number; head: number }
}

function newNode(path: string, name: string): Node {
  return { name, path, children: null, base: 0, head: 0, sources: new Map(), copies: null }
}

const deltaOf = (node: Node) => node.head - node.base

/** The package managers' caches: bytes there only make the image bigger. */
const CACHE_FOLDERS = ['/var/cache/apt', '/var/lib/apt/lists', '/root/.cache/pip', '/root/.npm', '/var/cache/apk']

/** Below this a hint is noise. */
const MIN_HINT_BYTES = 1_000_000
const MAX_ROWS = 50

export interface TreeResult {
  paths: PathChange[]
  hints: PathHint[]
}

/**
 * Adds up every file of the unshared layers of both sides into one tree, applies each
 * side's deletions in layer order (a `.wh.` file deletes what the layers below put at its
 * path, an opaque folder hides everything below it), and picks the rows that explain the
 * delta. A copy that a later layer deletes or replaces still counts: its layer ships it.
 */
export function explainPaths(base: SideLayer[], head: SideLayer[]): TreeResult {
  const root = newNode('/', '')
  const sides: Array<[Side, SideLayer[]]> = [
    ['base', base],
    ['head', head]
  ]
  for (const [side, layers] of sides) {
    layers.forEach((layer, index) => {
      for (const entry of layer.entries ?? []) {
        if (entry.kind === 'file' || entry.kind === 'folder') {
          addFile(root, side, index, entry.path, entry.size, entry.kind === 'folder')
        } else hide(root, side, index, entry.path, entry.kind === 'opaque')
      }
    })
  }
  const sourceOf = (side: Side, layer: number): PathSource | null => {
    const found = (side === 'base' ? base : head)[layer]?.source
    return found ? { side, ...found } : null
  }
  const paths = chooseRows(root)
    .slice(0, MAX_ROWS)
    .map(node => ({
      path: node.path,
      kind: node.children || node.summed ? ('folder' as const) : ('file' as const),
      base: node.base,
      head: node.head,
      delta: deltaOf(node),
      source: mainSource(node, deltaOf(node) < 0 ? 'base' : 'head', sourceOf)
    }))
  return { paths, hints: [...cacheHints(root, sourceOf), ...deletedLaterHints(root, sourceOf)] }
}

function segments(path: string): string[] {
  return path.split('/').filter(Boolean)
}

function addFile(root: Node, side: Side, layer: number, path: string, size: number, folder = false): void {
  let node = root
  const key = `${side}:${layer}`
  const visit = (n: Node) => {
    n[side] += size
    n.sources.set(key, (n.sources.get(key) ?? 0) + size)
  }
  visit(node)
  for (const name of segments(path)) {
    node.children ??= new Map()
    let child = node.children.get(name)
    if (!child) node.children.set(name, (child = newNode(posix.join(node.path, name), name)))
    node = child
    visit(node)
  }
  if (folder) {
    // A folder's sum replaces nothing: no copy of a file is known below it.
    node.summed ??= { base: 0, head: 0 }
    node.summed[side] += size
    return
  }
  // A file the same side had from a lower layer is replaced: that copy no longer shows.
  for (const copy of node.copies ?? []) {
    if (copy.side === side && copy.layer < layer && !copy.hiddenBy) copy.hiddenBy = { layer, path }
  }
  ;(node.copies ??= []).push({ side, layer, size })
}

function find(root: Node, path: string): Node | null {
  let node: Node | undefined = root
  for (const name of segments(path)) {
    node = node.children?.get(name)
    if (!node) return null
  }
  return node
}

/** A deletion by `layer`: what the same side's lower layers put at `path`, or only below it (opaque). */
function hide(root: Node, side: Side, layer: number, path: string, onlyBelow: boolean): void {
  const target = find(root, path)
  if (!target) return
  const stack: Node[] = onlyBelow ? [...(target.children?.values() ?? [])] : [target]
  while (stack.length) {
    const node = stack.pop() as Node
    for (const copy of node.copies ?? []) {
      if (copy.side === side && copy.layer < layer && !copy.hiddenBy) copy.hiddenBy = { layer, path }
    }
    for (const child of node.children?.values() ?? []) stack.push(child)
  }
}

/** The instruction that put the most bytes under `node` on `side`. */
function mainSource(
  node: Node,
  side: Side,
  sourceOf: (side: Side, layer: number) => PathSource | null
): PathSource | null {
  let best: { layer: number; bytes: number } | null = null
  for (const [key, bytes] of node.sources) {
    const [keySide, layer] = key.split(':') as [Side, string]
    if (keySide === side && bytes > 0 && (!best || bytes > best.bytes)) best = { layer: Number(layer), bytes }
  }
  return best ? sourceOf(side, best.layer) : null
}

/**
 * The rows: a cut through the tree, so that no byte is counted twice. From the top level
 * down, a folder is replaced by its children while one child holds most of its change,
 * so the rows go as deep as the bytes are concentrated, and no deeper: a folder whose
 * change is spread over its children is the answer. A folder below the top level that
 * one layer brought in whole (`/usr/lib/go-1.19`, `/app/node_modules`) is also where the
 * descent stops: below it lies one package's own layout, not a choice in the Dockerfile;
 * so does a package manager's cache, which one clean-up removes whole. A folder with one
 * changed child is always looked into: the child says the same, more precisely.
 */
function chooseRows(root: Node): Node[] {
  const rows: Node[] = []
  const stack: Array<{ node: Node; depth: number }> = [{ node: root, depth: 0 }]
  while (stack.length) {
    const { node, depth } = stack.pop() as { node: Node; depth: number }
    if (deltaOf(node) === 0 && depth > 0) continue
    const children = [...(node.children?.values() ?? [])].filter(child => deltaOf(child) !== 0)
    if (children.length && depth < 64 && (depth === 0 || lookInto(node, depth, children, summedDelta(node)))) {
      for (const child of children) stack.push({ node: child, depth: depth + 1 })
    } else if (depth > 0 || children.length === 0) rows.push(node)
  }
  return rows.sort((a, b) => Math.abs(deltaOf(b)) - Math.abs(deltaOf(a)) || a.path.localeCompare(b.path))
}

/** The change in bytes a record summed at the folder itself: it counts as one more child that cannot be opened. */
function summedDelta(node: Node): number {
  return node.summed ? node.summed.head - node.summed.base : 0
}

function lookInto(node: Node, depth: number, children: Node[], summed: number): boolean {
  if (CACHE_FOLDERS.includes(node.path)) return false
  if (children.length === 1 && summed === 0) return true
  if (depth >= 2 && oneLayerWhole(node)) return false
  return dominated(children, summed)
}

function dominated(children: Node[], summed = 0): boolean {
  const churn = children.reduce((sum, child) => sum + Math.abs(deltaOf(child)), Math.abs(summed))
  const top = Math.max(...children.map(child => Math.abs(deltaOf(child))))
  return churn > 0 && top * 2 > churn
}

function oneLayerWhole(node: Node): boolean {
  let holders = 0
  for (const bytes of node.sources.values()) if (bytes > 0) holders++
  return holders === 1
}

function cacheHints(root: Node, sourceOf: (side: Side, layer: number) => PathSource | null): PathHint[] {
  const hints: PathHint[] = []
  for (const path of CACHE_FOLDERS) {
    const node = find(root, path)
    if (!node || deltaOf(node) < MIN_HINT_BYTES) continue
    hints.push({ kind: 'cache', path, bytes: deltaOf(node), source: mainSource(node, 'head', sourceOf) })
  }
  return hints.sort((a, b) => b.bytes - a.bytes)
}

/** Head files that a later layer of the head deleted or replaced, by the deletion that hid them. */
function deletedLaterHints(root: Node, sourceOf: (side: Side, layer: number) => PathSource | null): PathHint[] {
  const groups = new Map<string, { path: string; bytes: number; files: number; layer: number; by: number }>()
  const stack: Node[] = [root]
  while (stack.length) {
    const node = stack.pop() as Node
    for (const copy of node.copies ?? []) {
      if (copy.side !== 'head' || !copy.hiddenBy) continue
      const key = `${copy.layer}\0${copy.hiddenBy.layer}\0${copy.hiddenBy.path}`
      const group = groups.get(key) ?? {
        path: copy.hiddenBy.path,
        bytes: 0,
        files: 0,
        layer: copy.layer,
        by: copy.hiddenBy.layer
      }
      group.bytes += copy.size
      group.files++
      groups.set(key, group)
    }
    for (const child of node.children?.values() ?? []) stack.push(child)
  }
  return [...groups.values()]
    .filter(group => group.bytes >= MIN_HINT_BYTES)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 5)
    .map(group => ({
      kind: 'deleted-later' as const,
      path: group.path,
      bytes: group.bytes,
      files: group.files,
      source: sourceOf('head', group.layer),
      deletedBy: sourceOf('head', group.by)
    }))
}
