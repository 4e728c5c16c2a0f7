import { posix } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import * as zlib from 'node:zlib'
import { Header } from 'tar-stream'
import { isFileEntry, tarEntries } from '../tools/tar.js'
import { LayerEntry, layerEntryOf, SideEntries } from '../tools/layer-entries.js'
import { emptyArchive, SavedArchive } from '../tools/save-pair.js'

// The containerd image store keeps each layer as the compressed blob a registry would
// store, and unpacks it into a snapshot whose size (`docker history`, `docker image ls`)
// counts disk blocks: 4 KiB for a 1-byte file. overlay2's figure is the bytes of the files
// in the layers. Both can be read from the layers themselves: `docker save` on the
// containerd store streams the blobs as they are in its content store, so one pass over
// the archive gives, for each layer, its stored (compressed) size, as the manifest lists it,
// and, unpacking it, the file bytes overlay2 would count.

/** One layer of a saved image. */
interface SavedLayer {
  /** The blob's path in the archive (`blobs/sha256/<digest>`). */
  path: string
  /** Bytes of the blob as stored: the compressed size the manifest lists. */
  storedBytes: number
  /** Bytes of the files in the layer, counted as overlay2 counts them (see countLayerFiles). */
  fileBytes: number
}

export interface SavedImage {
  /** The image's layers, lowest first; a layer listed twice is here twice. */
  layers: SavedLayer[]
  /** Sum of fileBytes over the layers: the image's size as overlay2 reports it. */
  fileBytes: number
  /** Sum of storedBytes over the distinct layers: what a registry stores. */
  storedBytes: number
  /** The image config's history, oldest first, for attributing layers to instructions. */
  history: Array<{ createdBy: string; emptyLayer: boolean }>
  /** Bytes read from `docker save`, for the cost of the measurement. */
  bytesRead: number
  /** The layers' entries as the path breakdown reads them, when asked for (keepEntries). */
  archive?: SavedArchive
}

const GZIP_MAGIC = [0x1f, 0x8b]
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]
/** JSON blobs (manifests, configs) are kept for reading; no real one comes near this. */
const MAX_JSON_BYTES = 16 * 1024 * 1024

function startsWith(chunk: Buffer, magic: number[]): boolean {
  return magic.every((byte, i) => chunk[i] === byte)
}

/**
 * Reads a `docker save` archive as it streams: every blob that is a layer (a tar, gzip- or
 * zstd-compressed or not) is unpacked on the fly and its files counted; JSON blobs are kept;
 * `manifest.json` then says which blobs are the image's layers and config. Nothing is held
 * whole and nothing is written to disk.
 */
export async function measureSavedImage(
  archive: Readable,
  options: { keepEntries?: boolean } = {}
): Promise<SavedImage> {
  const blobs = new Map<string, Blob>()
  const json = new Map<string, string>()
  // The path breakdown needs each layer's entries: kept from this pass, it reads no archive again.
  const kept = options.keepEntries ? emptyArchive([new SideEntries()]) : null
  let bytesRead = 0
  for await (const entry of tarEntries(archive)) {
    const header: Header = entry.header
    if (!isFileEntry(header)) {
      entry.resume()
      continue
    }
    const name = posix.normalize(header.name)
    const list = kept ? (kept.budgets[0] as SideEntries).layer() : null
    const read = await readBlob(
      entry as AsyncIterable<Buffer>,
      kept && list ? { side: kept.budgets[0] as SideEntries, list } : undefined
    )
    bytesRead += read.storedBytes
    blobs.set(name, { storedBytes: read.storedBytes, fileBytes: read.fileBytes, failure: read.failure })
    if (read.text !== null) json.set(name, read.text)
    if (kept && list) {
      if (read.text !== null) kept.documents.set(name, read.text)
      else if (read.fileBytes !== null) {
        kept.layers.set(name, list)
        kept.blobBytes.set(name, read.storedBytes)
      } else if (read.failure !== null) kept.unreadable.set(name, read.failure)
    }
  }
  return { ...pickImage(json, blobs, bytesRead), ...(kept ? { archive: kept } : {}) }
}

/** Where a layer's entries go, when the breakdown is to have them. */
interface Collect {
  side: SideEntries
  list: LayerEntry[]
}

interface Blob {
  storedBytes: number
  fileBytes: number | null
  failure: string | null
}

interface BlobRead {
  storedBytes: number
  /** Null when the blob is not a layer (not a tar). */
  fileBytes: number | null
  text: string | null
  failure: string | null
}

async function readBlob(entry: AsyncIterable<Buffer>, collect?: Collect): Promise<BlobRead> {
  let storedBytes = 0
  let kind: 'json' | 'layer' | null = null
  const textChunks: Buffer[] = []
  let input: PassThrough | null = null
  let failure: string | null = null
  let counted: Promise<number | null> = Promise.resolve(null)
  for await (const chunk of entry) {
    if (kind === null) {
      kind = chunk[0] === 0x7b || chunk[0] === 0x5b /* { or [ */ ? 'json' : 'layer'
      if (kind === 'layer') {
        input = new PassThrough()
        const decompress = startsWith(chunk, GZIP_MAGIC)
          ? zlib.createGunzip()
          : startsWith(chunk, ZSTD_MAGIC)
            ? zstdDecompressor()
            : null
        counted = countLayerFiles(decompress ? input.pipe(decompress) : input, collect).catch((error: unknown) => {
          // Not a tar after all, or a broken one: the blob is read to its end and, if the
          // manifest names it as a layer, the measurement fails with this reason.
          failure = error instanceof Error ? error.message : String(error)
          return null
        })
      }
    }
    storedBytes += chunk.length
    if (kind === 'json') {
      if (storedBytes <= MAX_JSON_BYTES) textChunks.push(chunk)
    } else if (input && failure === null && !input.write(chunk)) {
      const writable = input
      await Promise.race([new Promise(resolve => writable.once('drain', resolve)), counted])
    }
  }
  input?.end()
  const fileBytes = await counted
  const text = kind === 'json' && storedBytes <= MAX_JSON_BYTES ? Buffer.concat(textChunks).toString('utf8') : null
  return { storedBytes, fileBytes, text, failure }
}

function zstdDecompressor(): zlib.Gunzip {
  // Node 22.15 and later (the runner's node24) decompress zstd; node 20 does not.
  const create = (zlib as unknown as { createZstdDecompress?: () => zlib.Gunzip }).createZstdDecompress
  if (!create) throw new Error('This Node.js cannot decompress a zstd layer (Node 22.15 or later can).')
  return create()
}

/**
 * The bytes of the files in one layer as overlay2 counts them: moby sums the size of every
 * entry of the layer's directory that is not a directory (regular files, and symlinks by
 * the length of their target), each inode once, so a hard link adds nothing. A path the tar
 * lists twice counts once, as it is one file on disk. Whiteouts are empty files.
 */
export async function countLayerFiles(tar: Readable, collect?: Collect): Promise<number> {
  const sizes = new Map<string, number>()
  for await (const entry of tarEntries(tar)) {
    const header: Header = entry.header
    const name = posix.normalize(header.name)
    if (collect) {
      const parsed = layerEntryOf(header)
      if (parsed) collect.side.add(collect.list, parsed)
    }
    if (isFileEntry(header)) sizes.set(name, header.size ?? 0)
    else if (header.type === 'symlink') sizes.set(name, Buffer.byteLength(header.linkname ?? ''))
    else if (header.type !== 'directory') sizes.set(name, 0)
    entry.resume()
  }
  let total = 0
  for (const size of sizes.values()) total += size
  return total
}

interface SaveManifest {
  Config?: string
  Layers?: string[]
}

interface ImageConfig {
  history?: Array<{ created_by?: string; empty_layer?: boolean }>
}

function pickImage(json: Map<string, string>, blobs: Map<string, Blob>, bytesRead: number): SavedImage {
  const manifestText = json.get('manifest.json')
  if (!manifestText) throw new Error('The docker save archive has no manifest.json.')
  const manifests = JSON.parse(manifestText) as SaveManifest[]
  if (!Array.isArray(manifests) || manifests.length !== 1) {
    throw new Error(
      `The docker save archive holds ${Array.isArray(manifests) ? manifests.length : 'no'} images, expected one.`
    )
  }
  const manifest = manifests[0] as SaveManifest
  const layers: SavedLayer[] = []
  for (const listed of manifest.Layers ?? []) {
    const path = posix.normalize(listed)
    const blob = blobs.get(path)
    if (!blob) throw new Error(`The docker save archive lists the layer ${path} but does not hold it.`)
    if (blob.fileBytes === null) {
      throw new Error(
        `The layer ${path} of the docker save archive is not a readable tar: ${blob.failure ?? 'no tar'}.`
      )
    }
    layers.push({ path, storedBytes: blob.storedBytes, fileBytes: blob.fileBytes })
  }
  const distinct = new Map(layers.map(layer => [layer.path, layer.storedBytes]))
  let config: ImageConfig = {}
  const configText = manifest.Config ? json.get(posix.normalize(manifest.Config)) : undefined
  if (configText) config = JSON.parse(configText) as ImageConfig
  return {
    layers,
    fileBytes: layers.reduce((sum, layer) => sum + layer.fileBytes, 0),
    storedBytes: [...distinct.values()].reduce((sum, bytes) => sum + bytes, 0),
    history: (config.history ?? []).map(row => ({
      createdBy: row.created_by ?? '',
      emptyLayer: row.empty_layer === true
    })),
    bytesRead
  }
}
