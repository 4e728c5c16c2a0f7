import { posix } from 'node:path'
import { Readable } from 'node:stream'
import { availableParallelism } from 'node:os'
import { constants, deflateRaw } from 'node:zlib'
import { Header } from 'tar-stream'
import { isFileEntry, tarEntries } from '../tools/tar.js'

/** What an image weighs as a registry stores it: each layer gzip-compressed. */
export interface CompressedSize {
  /** Bytes of the image's distinct layers, compressed. */
  bytes: number
  layers: number
  /** Bytes read from `docker save`, for the cost of the measurement. */
  bytesRead: number
}

const GZIP_MAGIC = [0x1f, 0x8b]
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]

function startsWith(chunk: Buffer, magic: number[]): boolean {
  return magic.every((byte, i) => chunk[i] === byte)
}

/**
 * Reads a `docker save` archive as it streams and adds up its layers gzip-compressed at
 * zlib's level 4, the closest it comes to what `docker push` writes. Nothing is held
 * whole: each layer is compressed a block at a time as it arrives, `parallel` blocks at
 * once (zlib works on libuv's threads, four by default).
 *
 * Both archive layouts are read: Docker before 25 (`<id>/layer.tar`, duplicates as
 * symlinks) and the OCI layout of later versions (`blobs/sha256/<digest>`), where the
 * containerd image store may hand out layers that are already compressed; those count as
 * they are. Which entries are layers, `manifest.json` says, and it may come last, so every
 * file entry is measured and the manifest picks among them at the end.
 */
export async function measureCompressed(
  archive: Readable,
  parallel: number = availableParallelism()
): Promise<CompressedSize> {
  const sizes = new Map<string, number>()
  const links = new Map<string, string>()
  let manifest = ''
  let bytesRead = 0
  for await (const entry of tarEntries(archive)) {
    const header: Header = entry.header
    const name = posix.normalize(header.name)
    if (header.type === 'symlink' || header.type === 'link') {
      if (header.linkname) {
        links.set(name, header.type === 'symlink' ? posix.join(posix.dirname(name), header.linkname) : header.linkname)
      }
      entry.resume()
      continue
    }
    if (!isFileEntry(header)) {
      entry.resume()
      continue
    }
    if (name === 'manifest.json') {
      for await (const chunk of entry) manifest += (chunk as Buffer).toString('utf8')
      continue
    }
    const measured = await compressedBytes(entry as AsyncIterable<Buffer>, Math.max(1, parallel))
    bytesRead += measured.read
    sizes.set(name, measured.compressed)
  }
  return pickLayers(manifest, sizes, links, bytesRead)
}

/**
 * zlib's level 4, not its default 6: a push compresses with Go's gzip, a different
 * algorithm at the same level, whose output zlib's level 4 comes closest to on real layers
 * (measured against Debian's docker-registry, docs/comment.md, "Pull size"): within 0.3% on a Debian
 * rootfs and 2.6% on a static binary, where level 6 is 2% and 4.6% under.
 */
const GZIP_LEVEL = 4
/** Bytes of one gzip member's header and trailer, around the deflate stream. */
const GZIP_FRAMING = 18
/** Each layer is cut into blocks compressed side by side, as pigz does. */
const BLOCK_BYTES = 1 << 20
/** Deflate looks back 32 KiB: each block is primed with the end of the one before. */
const WINDOW_BYTES = 32 * 1024

function deflateBlock(block: Buffer, dictionary: Buffer | null, last: boolean): Promise<number> {
  return new Promise((resolve, reject) =>
    deflateRaw(
      block,
      {
        level: GZIP_LEVEL,
        ...(dictionary ? { dictionary } : {}),
        // A block that is not the last ends on a byte boundary without closing the stream.
        finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH
      },
      (error, out) => (error ? reject(error) : resolve(out.length))
    )
  )
}

/**
 * One layer gzip-compressed at zlib's level 4, its blocks on as many of zlib's
 * threads as there are cores: each block is deflated with the 32 KiB before it as its
 * dictionary, so the result is within a few bytes a block of one gzip stream's (pigz's
 * method); registries store what Go's gzip writes, which differs from zlib's by more.
 */
async function compressedBytes(
  entry: AsyncIterable<Buffer>,
  parallel: number
): Promise<{ compressed: number; read: number }> {
  let read = 0
  let compressed = 0
  let passThrough: boolean | null = null
  let pending: Buffer[] = []
  let pendingBytes = 0
  let previous: Buffer | null = null
  const inFlight: Array<Promise<number>> = []
  const submit = async (last: boolean) => {
    const block = Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    inFlight.push(deflateBlock(block, previous, last))
    previous = block.length >= WINDOW_BYTES ? block.subarray(block.length - WINDOW_BYTES) : block
    if (inFlight.length >= parallel) compressed += await (inFlight.shift() as Promise<number>)
  }
  for await (const chunk of entry) {
    if (passThrough === null) {
      // A layer that is compressed already (the containerd store's blobs) is stored as it is.
      passThrough = startsWith(chunk, GZIP_MAGIC) || startsWith(chunk, ZSTD_MAGIC)
    }
    read += chunk.length
    if (passThrough) {
      compressed += chunk.length
      continue
    }
    pending.push(chunk)
    pendingBytes += chunk.length
    if (pendingBytes >= BLOCK_BYTES) await submit(false)
  }
  if (passThrough) return { compressed, read }
  await submit(true)
  for (const block of inFlight) compressed += await block
  return { compressed: compressed + GZIP_FRAMING, read }
}

interface SaveManifest {
  Layers?: string[]
}

function pickLayers(
  manifestText: string,
  sizes: Map<string, number>,
  links: Map<string, string>,
  bytesRead: number
): CompressedSize {
  if (!manifestText) throw new Error('The docker save archive has no manifest.json.')
  const manifests = JSON.parse(manifestText) as SaveManifest[]
  const layers = new Set<string>()
  for (const manifest of manifests) {
    for (const layer of manifest.Layers ?? []) {
      let path = posix.normalize(layer)
      // Follow links to the one copy of a layer that two entries share.
      for (let hops = 0; links.has(path) && hops < 8; hops++) path = posix.normalize(links.get(path) as string)
      layers.add(path)
    }
  }
  let bytes = 0
  for (const layer of layers) {
    const size = sizes.get(layer)
    if (size === undefined) throw new Error(`The docker save archive lists the layer ${layer} but does not hold it.`)
    bytes += size
  }
  return { bytes, layers: layers.size, bytesRead }
}
