import { posix } from 'node:path'
import { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { extract } from 'tar-stream'

/** One entry of a layer's tar, as the breakdown needs it: never its contents. */
export type LayerEntry =
  | { kind: 'file'; path: string; size: number }
  /** `.wh.<name>`: the layer deletes `path` (and all under it) from the layers below. */
  | { kind: 'whiteout'; path: string }
  /** `.wh..wh..opq` in a folder: the layer hides everything the layers below put in `path`. */
  | { kind: 'opaque'; path: string }
  /** A folder's files summed, as a baseline record keeps a layer (explain/layer-summary.ts). */
  | { kind: 'folder'; path: string; size: number }

/** What a layer's first bytes say it is. */
export type BlobKind = 'tar' | 'gzip' | 'zstd' | 'json' | 'other'

const GZIP_MAGIC = [0x1f, 0x8b]
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]
const BLOCK = 512

/**
 * A tar starts with a header whose checksum (bytes 148–155, octal) is the sum of its 512
 * bytes with those eight counted as spaces; an empty tar is zero blocks. A JSON document
 * or any other blob fails that test, so a file's kind is known before it is read further.
 */
export function blobKind(head: Buffer): BlobKind {
  if (GZIP_MAGIC.every((byte, i) => head[i] === byte)) return 'gzip'
  if (ZSTD_MAGIC.every((byte, i) => head[i] === byte)) return 'zstd'
  if (head.length === 0 || (head.length >= BLOCK && head.subarray(0, BLOCK).every(byte => byte === 0))) return 'tar'
  if (head.length >= BLOCK) {
    const field = head.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim()
    if (/^[0-7]+$/.test(field)) {
      let sum = 0
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (head[i] as number)
      if (sum === parseInt(field, 8)) return 'tar'
    }
  }
  const first = head.toString('utf8', 0, Math.min(head.length, 64)).trimStart()
  return first.startsWith('{') || first.startsWith('[') ? 'json' : 'other'
}

/** A path as the final filesystem names it: absolute, normalized, without a trailing slash. */
export function fsPath(name: string): string {
  const normalized = posix.normalize(`/${name}`)
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized
}

/**
 * Entries kept of one image side's layers, over all of them: about 0.6 kB each once in the
 * path tree, so a layer of a million files would need more memory than a runner has.
 */
const MAX_SIDE_ENTRIES = 40_000

/**
 * The depths a side's paths are folded to, one after the other, while its entries are more
 * than the budget: a fixed list, so that where a side ends up folded depends on its entries,
 * not on the order its layers arrive in.
 */
const FOLD_DEPTHS = [32, 24, 16, 12, 10, 8, 7, 6, 5, 4, 3, 2, 1, 0]

type FolderEntry = Extract<LayerEntry, { kind: 'folder' }>

/** How deep a path is: `/` is 0, `/usr` 1, `/usr/lib` 2. */
function depthOf(path: string): number {
  if (path === '/') return 0
  let depth = 0
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) depth++
  return depth
}

/** The folder at `depth` that holds `path`. */
function ancestorAt(path: string, depth: number): string {
  if (depth === 0) return '/'
  let seen = 0
  for (let i = 0; i < path.length; i++) {
    if (path.charCodeAt(i) === 47 && ++seen === depth + 1) return path.slice(0, i)
  }
  return path
}

/**
 * The entries of one side's layers, kept within a budget. Past it, paths deeper than a fold
 * depth are summed into their folder at that depth (a `folder` entry, as a baseline record
 * keeps one), and deletions below it are dropped: the rows, which go as deep as the bytes are
 * concentrated, keep their upper levels, and memory stays bounded whatever a layer holds.
 */
export class SideEntries {
  private readonly lists: LayerEntry[][] = []
  private readonly folders = new Map<LayerEntry[], Map<string, FolderEntry>>()
  private count = 0
  /** Paths deeper than this many folders were summed into their folder; null while none was. */
  foldDepth: number | null = null
  /** Entries summed into a folder or dropped (deletions) by the folding. */
  folded = 0

  constructor(readonly max = MAX_SIDE_ENTRIES) {}

  /** A new layer's list of entries, which folding may rewrite in place. */
  layer(): LayerEntry[] {
    const list: LayerEntry[] = []
    this.lists.push(list)
    return list
  }

  add(list: LayerEntry[], entry: LayerEntry): void {
    if (this.foldDepth !== null && depthOf(entry.path) > this.foldDepth) {
      if (entry.kind !== 'folder') this.folded++
      if (entry.kind === 'file' || entry.kind === 'folder') this.sumInto(list, entry.path, entry.size)
      return
    }
    if (entry.kind === 'folder') return this.sumInto(list, entry.path, entry.size, false)
    list.push(entry)
    this.count++
    while (this.count > this.max && this.foldDepth !== 0) this.fold()
  }

  private sumInto(list: LayerEntry[], path: string, size: number, fold = true): void {
    const target = fold && this.foldDepth !== null ? ancestorAt(path, this.foldDepth) : path
    let folders = this.folders.get(list)
    if (!folders) this.folders.set(list, (folders = new Map<string, FolderEntry>()))
    const found = folders.get(target)
    if (found) {
      found.size += size
      return
    }
    const folder = { kind: 'folder' as const, path: target, size }
    folders.set(target, folder)
    list.push(folder)
    this.count++
  }

  private fold(): void {
    const current = this.foldDepth
    const depth = FOLD_DEPTHS.find(candidate => current === null || candidate < current)
    this.foldDepth = depth ?? 0
    this.count = 0
    this.folders.clear()
    for (const list of this.lists) {
      const entries = list.splice(0)
      for (const entry of entries) {
        if (depthOf(entry.path) <= this.foldDepth) {
          if (entry.kind === 'folder') this.sumInto(list, entry.path, entry.size, false)
          else {
            list.push(entry)
            this.count++
          }
        } else {
          // A folder entry's files were counted when they were summed into it.
          if (entry.kind !== 'folder') this.folded++
          if (entry.kind === 'file' || entry.kind === 'folder') this.sumInto(list, entry.path, entry.size)
        }
      }
    }
  }
}

/**
 * Reads one layer (a tar, or a gzip-compressed tar) as it streams into `list` of `side`:
 * regular files with their sizes, and the deletions it makes. Contents pass through unread;
 * only the headers are kept, within the side's budget.
 */
export async function readLayerEntries(
  layer: Readable,
  kind: 'tar' | 'gzip',
  side: SideEntries = new SideEntries(),
  list: LayerEntry[] = side.layer()
): Promise<LayerEntry[]> {
  const tar = extract()
  const source = kind === 'gzip' ? layer.pipe(createGunzip()) : layer
  if (source !== layer) layer.on('error', error => source.destroy(error))
  source.on('error', error => tar.destroy(error))
  source.pipe(tar)
  for await (const entry of tar) {
    const parsed = layerEntryOf(entry.header)
    if (parsed) side.add(list, parsed)
    entry.resume()
  }
  return list
}

/** What one header of a layer's tar says, for the breakdown: a file, a deletion, or nothing it needs. */
export function layerEntryOf(header: { name: string; type?: string | null; size?: number | null }): LayerEntry | null {
  const path = fsPath(header.name)
  const base = posix.basename(path)
  if (base === '.wh..wh..opq') return { kind: 'opaque', path: posix.dirname(path) }
  if (base.startsWith('.wh.')) return { kind: 'whiteout', path: posix.join(posix.dirname(path), base.slice(4)) }
  if (header.type === 'file' || header.type === 'contiguous-file') return { kind: 'file', path, size: header.size ?? 0 }
  return null
}
