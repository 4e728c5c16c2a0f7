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
 * Reads one layer (a tar, or a gzip-compressed tar) as it streams and returns its entries:
 * regular files with their sizes, and the deletions it makes. Contents pass through
 * unread; only the headers are kept, so memory grows with the number of files, never with
 * their bytes.
 */
export async function readLayerEntries(layer: Readable, kind: 'tar' | 'gzip'): Promise<LayerEntry[]> {
  const entries: LayerEntry[] = []
  const tar = extract()
  const source = kind === 'gzip' ? layer.pipe(createGunzip()) : layer
  if (source !== layer) layer.on('error', error => source.destroy(error))
  source.on('error', error => tar.destroy(error))
  source.pipe(tar)
  for await (const entry of tar) {
    const { name, type, size } = entry.header
    const path = fsPath(name)
    const base = posix.basename(path)
    if (base === '.wh..wh..opq') entries.push({ kind: 'opaque', path: posix.dirname(path) })
    else if (base.startsWith('.wh.')) {
      entries.push({ kind: 'whiteout', path: posix.join(posix.dirname(path), base.slice(4)) })
    } else if (type === 'file' || type === 'contiguous-file') entries.push({ kind: 'file', path, size: size ?? 0 })
    entry.resume()
  }
  return entries
}
