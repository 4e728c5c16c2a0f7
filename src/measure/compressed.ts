import { once } from 'node:events'
import { posix } from 'node:path'
import { Readable } from 'node:stream'
import { createGzip } from 'node:zlib'
import { extract, Header } from 'tar-stream'

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
 * gzip's default level, as `docker push` and BuildKit compress them. Nothing is held
 * whole: each layer goes through gzip into a byte counter as it arrives.
 *
 * Both archive layouts are read: Docker before 25 (`<id>/layer.tar`, duplicates as
 * symlinks) and the OCI layout of later versions (`blobs/sha256/<digest>`), where the
 * containerd image store may hand out layers that are already compressed; those count as
 * they are. Which entries are layers, `manifest.json` says, and it may come last, so every
 * file entry is measured and the manifest picks among them at the end.
 */
export async function measureCompressed(archive: Readable): Promise<CompressedSize> {
  const sizes = new Map<string, number>()
  const links = new Map<string, string>()
  let manifest = ''
  let bytesRead = 0
  const entries = extract()
  archive.on('error', error => entries.destroy(error))
  archive.pipe(entries)
  for await (const entry of entries) {
    const header: Header = entry.header
    const name = posix.normalize(header.name)
    if (header.type === 'symlink' || header.type === 'link') {
      if (header.linkname) {
        links.set(name, header.type === 'symlink' ? posix.join(posix.dirname(name), header.linkname) : header.linkname)
      }
      entry.resume()
      continue
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      entry.resume()
      continue
    }
    if (name === 'manifest.json') {
      for await (const chunk of entry) manifest += (chunk as Buffer).toString('utf8')
      continue
    }
    const measured = await compressedBytes(entry as AsyncIterable<Buffer>)
    bytesRead += measured.read
    sizes.set(name, measured.compressed)
  }
  return pickLayers(manifest, sizes, links, bytesRead)
}

async function compressedBytes(entry: AsyncIterable<Buffer>): Promise<{ compressed: number; read: number }> {
  let read = 0
  let compressed = 0
  let gzip: ReturnType<typeof createGzip> | null = null
  let ended: Promise<unknown> = Promise.resolve()
  let passThrough = false
  const startGzip = () => {
    const stream = createGzip()
    stream.on('data', (out: Buffer) => (compressed += out.length))
    ended = once(stream, 'end')
    return stream
  }
  for await (const chunk of entry) {
    if (read === 0) {
      // A layer that is compressed already (the containerd store's blobs) is stored as it is.
      passThrough = startsWith(chunk, GZIP_MAGIC) || startsWith(chunk, ZSTD_MAGIC)
      if (!passThrough) gzip = startGzip()
    }
    read += chunk.length
    if (passThrough) compressed += chunk.length
    else if (gzip && !gzip.write(chunk)) await once(gzip, 'drain')
  }
  if (read === 0) gzip = startGzip()
  if (gzip) {
    gzip.end()
    await ended
  }
  return { compressed, read }
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
