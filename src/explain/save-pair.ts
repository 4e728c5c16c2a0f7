import { posix } from 'node:path'
import { Readable } from 'node:stream'
import { extract, Header as Headers } from 'tar-stream'
import { blobKind, LayerEntry, readLayerEntries, SideEntries } from './layer-entries.js'

/** What one side's `docker save` archive held, as far as it was read. */
export interface SavedArchive {
  /** Small JSON files by archive path: manifest.json, image configs, OCI manifests. */
  documents: Map<string, string>
  /** The entries of every layer that was read, by archive path. */
  layers: Map<string, LayerEntry[]>
  /** Links between archive paths (Docker before 25 stores a repeated layer once). */
  links: Map<string, string>
  /** Archive paths both sides hold, by content: passed over unread. */
  shared: Set<string>
  /** Layers that could not be read, and why (zstd, a broken tar). */
  unreadable: Map<string, string>
  /** Bytes of each layer read, as the archive holds it. */
  blobBytes: Map<string, number>
  /** The budgets its layers' entries were kept within (see SideEntries): one a side. */
  budgets: SideEntries[]
}

export interface ArchivePair {
  base: SavedArchive
  head: SavedArchive
  /** Bytes of the layers read (headers parsed). */
  bytesRead: number
  /** Bytes of the layers passed over because both sides hold them. */
  bytesSkipped: number
}

/** Any JSON of an archive is far below this; a bigger one is not buffered. */
const MAX_DOCUMENT = 8 * 1024 * 1024

/**
 * A name that stands for its content: a layer of Docker's old layout, named by its chain
 * (`<id>/layer.tar`, the same id only for the same layers below and the same content), or
 * an OCI blob named by its digest. Two archives holding one such name hold one content.
 */
function contentAddressed(name: string): boolean {
  return /^[0-9a-f]{64}\/layer\.tar$/.test(name) || /^blobs\/sha256\/[0-9a-f]{64}$/.test(name)
}

interface Entry {
  header: Headers
  stream: Readable
}

/** Pulls the entries of a tar one by one; the caller drains each before asking for the next. */
function cursor(archive: Readable): { next(): Promise<Entry | null> } {
  const tar = extract()
  archive.on('error', error => tar.destroy(error))
  archive.pipe(tar)
  const iterator = tar[Symbol.asyncIterator]()
  return {
    async next() {
      const step = await iterator.next()
      if (step.done) return null
      const stream = step.value as unknown as Readable & { header: Headers }
      return { header: stream.header, stream }
    }
  }
}

export function emptyArchive(budgets: SideEntries[] = [new SideEntries()]): SavedArchive {
  return {
    documents: new Map(),
    layers: new Map(),
    links: new Map(),
    shared: new Set(),
    unreadable: new Map(),
    blobBytes: new Map(),
    budgets
  }
}

async function drain(stream: Readable): Promise<void> {
  for await (const chunk of stream) void chunk
}

/** What the head's archive is known to share with a base that is not read here (a recorded one). */
export interface KnownBase {
  /** The base's layers by archive name: a head layer of one of these names is passed over. */
  blobs: ReadonlySet<string>
}

/**
 * Reads the `docker save` archives of the two sides of an image at once, in step. Both
 * archives list their entries sorted by name (Docker writes a folder in name order, and
 * containerd sorts its records), so they can be walked as a merge: where both hold the
 * same content-addressed layer, it is what the two images share, and it is passed over
 * in both without being parsed. Every other layer is read for its headers as it streams.
 * An archive that is not sorted still gives the right answer: a shared layer it holds
 * out of step is read, and the caller drops it by diff id.
 *
 * A head layer the caller knows the base has (`known`: a base that comes from a record, with
 * no archive here) is passed over the same way.
 */
export async function readArchivePair(
  base: Readable | null,
  head: Readable,
  known: KnownBase = { blobs: new Set() }
): Promise<ArchivePair> {
  const pair: ArchivePair = { base: emptyArchive(), head: emptyArchive(), bytesRead: 0, bytesSkipped: 0 }
  const sides = [
    { archive: pair.base, cursor: base ? cursor(base) : { next: () => Promise.resolve<Entry | null>(null) } },
    { archive: pair.head, cursor: cursor(head) }
  ] as const
  const sharedWith = (entry: Entry, other: Entry | null, name: string) =>
    contentAddressed(name) &&
    entry.header.type === 'file' &&
    (other ? other.header.type === 'file' : known.blobs.has(name))
  let [a, b] = await Promise.all(sides.map(side => side.cursor.next()))
  while (a || b) {
    const nameA = a ? posix.normalize(a.header.name) : null
    const nameB = b ? posix.normalize(b.header.name) : null
    if (a && b && nameA === nameB) {
      if (sharedWith(a, b, nameA as string)) {
        pair.base.shared.add(nameA as string)
        pair.head.shared.add(nameA as string)
        pair.bytesSkipped += a.header.size ?? 0
        await Promise.all([drain(a.stream), drain(b.stream)])
      } else {
        await Promise.all([consume(pair, pair.base, a), consume(pair, pair.head, b)])
      }
      ;[a, b] = await Promise.all(sides.map(side => side.cursor.next()))
    } else if (a && (!b || (nameA as string) < (nameB as string))) {
      await consume(pair, pair.base, a)
      a = await sides[0].cursor.next()
    } else if (b) {
      if (sharedWith(b, null, nameB as string)) {
        pair.head.shared.add(nameB as string)
        pair.bytesSkipped += b.header.size ?? 0
        await drain(b.stream)
      } else {
        await consume(pair, pair.head, b)
      }
      b = await sides[1].cursor.next()
    }
  }
  return pair
}

/**
 * Reads one `docker save` archive of both sides of an image (`docker save base head`): the
 * engine writes a layer the two share once, and the layers are named by their diff ids
 * (Docker 25 and later with a graph driver), so the layers `diffIds` names for both sides are
 * passed over unparsed, and each other one is read within its side's budget. A layer of
 * another name (another layout) is read within a third, and the caller drops it by diff id
 * where both sides have it.
 */
export async function readSavedImages(
  archive: Readable,
  diffIds: { base: readonly string[]; head: readonly string[] }
): Promise<{ archive: SavedArchive; bytesRead: number; bytesSkipped: number }> {
  const budgets = { base: new SideEntries(), head: new SideEntries(), other: new SideEntries() }
  const saved = emptyArchive([budgets.base, budgets.head, budgets.other])
  const pair: ArchivePair = { base: saved, head: saved, bytesRead: 0, bytesSkipped: 0 }
  const base = new Set(diffIds.base)
  const head = new Set(diffIds.head)
  const tar = cursor(archive)
  for (let entry = await tar.next(); entry; entry = await tar.next()) {
    const name = posix.normalize(entry.header.name)
    const digest = /^blobs\/(sha256)\/([0-9a-f]{64})$/.exec(name)
    const diffId = digest ? `${digest[1]}:${digest[2]}` : null
    const [inBase, inHead] = diffId ? [base.has(diffId), head.has(diffId)] : [false, false]
    if (inBase && inHead && entry.header.type === 'file') {
      saved.shared.add(name)
      pair.bytesSkipped += entry.header.size ?? 0
      await drain(entry.stream)
    } else {
      await consume(pair, saved, entry, inBase ? budgets.base : inHead ? budgets.head : budgets.other)
    }
  }
  return { archive: saved, bytesRead: pair.bytesRead, bytesSkipped: pair.bytesSkipped }
}

/** One entry of one side: a link noted, a document kept, a layer read, anything else passed over. */
async function consume(
  pair: ArchivePair,
  archive: SavedArchive,
  entry: Entry,
  budget: SideEntries = archive.budgets[0] as SideEntries
): Promise<void> {
  const name = posix.normalize(entry.header.name)
  const { type, linkname } = entry.header
  if ((type === 'symlink' || type === 'link') && linkname) {
    archive.links.set(name, type === 'symlink' ? posix.join(posix.dirname(name), linkname) : posix.normalize(linkname))
  }
  if (type !== 'file' && type !== 'contiguous-file') return drain(entry.stream)
  // The first block says what the file is, before anything else of it is read.
  const iterator = entry.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const first: Buffer[] = []
  let length = 0
  let done = false
  while (length < 512 && !done) {
    const step = await iterator.next()
    if (step.done) done = true
    else {
      first.push(step.value)
      length += step.value.length
    }
  }
  const rest = async function* () {
    yield* first
    if (done) return
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) yield step.value
  }
  const kind = blobKind(Buffer.concat(first))
  const size = entry.header.size ?? 0
  if (kind === 'json' && size <= MAX_DOCUMENT) {
    let text = ''
    for await (const chunk of rest()) text += chunk.toString('utf8')
    archive.documents.set(name, text)
    return
  }
  if (kind === 'tar' || kind === 'gzip') {
    try {
      archive.layers.set(name, await readLayerEntries(Readable.from(rest()), kind, budget))
      archive.blobBytes.set(name, size)
      pair.bytesRead += size
    } catch (error) {
      archive.unreadable.set(name, error instanceof Error ? error.message : String(error))
      // The archive goes on after this entry: what the layer reader left must still pass.
      if (!done) for (let step = await iterator.next(); !step.done; step = await iterator.next()) void step
    }
    return
  }
  if (kind === 'zstd') archive.unreadable.set(name, 'compressed with zstd, which this Node.js cannot read')
  for await (const chunk of rest()) void chunk
}
