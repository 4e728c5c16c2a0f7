import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { pack } from 'tar-stream'
import { blobKind, fsPath, LayerEntry, SideEntries } from '../../src/tools/layer-entries.js'
import { explainPaths, SideLayer } from '../../src/explain/path-tree.js'
import { breakdownOf, breakDownPaths } from '../../src/explain/path-breakdown.js'
import { readArchivePair, readSavedImages } from '../../src/tools/save-pair.js'
import { nth } from '../support/lists.js'

const file = (path: string, size: number): LayerEntry => ({ kind: 'file', path, size })
const layer = (line: number, instruction: string, entries: LayerEntry[]): SideLayer => ({
  diffId: `sha256:${String(line).padStart(64, '0')}`,
  entries,
  source: { line, instruction }
})

describe('the rows that explain a delta', () => {
  it('go down while one child holds most of the change, and stop at a folder one layer brought in whole', () => {
    const head = [
      layer(1, 'FROM debian', [file('/usr/lib/x86_64-linux-gnu/libc.so', 2_000_000), file('/etc/passwd', 1000)]),
      layer(2, 'RUN apt-get install golang-go', [
        file('/usr/lib/go-1.19/pkg/tool/compile', 30_000_000),
        file('/usr/lib/go-1.19/pkg/linux_amd64/runtime.a', 50_000_000),
        file('/usr/lib/go-1.19/bin/go', 10_000_000),
        file('/usr/share/doc/golang/copyright', 5000)
      ])
    ]
    const { paths } = explainPaths([], head)
    expect(paths.map(row => [row.path, row.kind, row.delta])).toEqual([
      ['/usr/lib/go-1.19', 'folder', 90_000_000],
      // A folder with one changed file says no more than the file.
      ['/usr/lib/x86_64-linux-gnu/libc.so', 'file', 2_000_000],
      ['/usr/share/doc/golang/copyright', 'file', 5000],
      ['/etc/passwd', 'file', 1000]
    ])
    expect(nth(paths, 0).source).toEqual({ side: 'head', line: 2, instruction: 'RUN apt-get install golang-go' })
  })

  it('stop at a folder whose change is spread over its children', () => {
    const head = [
      layer(2, 'COPY . /app', [file('/app/a.bin', 400), file('/app/b.bin', 300), file('/app/c.bin', 300)]),
      layer(3, 'RUN touch /app/d', [file('/app/d', 1)])
    ]
    expect(explainPaths([], head).paths.map(row => row.path)).toEqual(['/app'])
  })

  it('name the base instruction for what shrank', () => {
    const base = [layer(5, 'RUN make', [file('/opt/build/out.o', 7_000_000)])]
    const head = [layer(5, 'RUN make && rm -rf /opt/build', [file('/opt/bin/tool', 1_000_000)])]
    const { paths } = explainPaths(base, head)
    expect(paths).toEqual([
      {
        path: '/opt/build/out.o',
        kind: 'file',
        base: 7_000_000,
        head: 0,
        delta: -7_000_000,
        source: { side: 'base', line: 5, instruction: 'RUN make' }
      },
      {
        path: '/opt/bin/tool',
        kind: 'file',
        base: 0,
        head: 1_000_000,
        delta: 1_000_000,
        source: { side: 'head', line: 5, instruction: 'RUN make && rm -rf /opt/build' }
      }
    ])
  })
})

describe('the hints', () => {
  it('count what a later layer deletes, by a whiteout or an opaque folder, as still shipped', () => {
    const head = [
      layer(2, 'RUN fetch', [
        file('/tmp/src.tar', 3_000_000),
        file('/cache/x/1', 600_000),
        file('/cache/x/2', 600_000)
      ]),
      layer(3, 'RUN unpack', [
        { kind: 'whiteout', path: '/tmp/src.tar' },
        { kind: 'opaque', path: '/cache' },
        file('/cache/new', 10)
      ])
    ]
    const { hints, paths } = explainPaths([], head)
    // The bytes still count: the layer of line 2 ships them.
    expect(paths.find(row => row.path === '/tmp/src.tar')?.delta).toBe(3_000_000)
    expect(hints).toEqual([
      {
        kind: 'deleted-later',
        path: '/tmp/src.tar',
        bytes: 3_000_000,
        files: 1,
        source: { side: 'head', line: 2, instruction: 'RUN fetch' },
        deletedBy: { side: 'head', line: 3, instruction: 'RUN unpack' }
      },
      expect.objectContaining({ kind: 'deleted-later', path: '/cache', bytes: 1_200_000, files: 2 })
    ])
  })

  it('count a file replaced by a later layer, and never one the same layer wrote', () => {
    const head = [
      layer(2, 'COPY big /data/blob', [file('/data/blob', 2_000_000)]),
      layer(3, 'RUN shrink /data/blob', [file('/data/blob', 10)])
    ]
    expect(explainPaths([], head).hints).toMatchObject([{ kind: 'deleted-later', path: '/data/blob', files: 1 }])
    const one = [layer(2, 'RUN x', [file('/data/blob', 2_000_000), { kind: 'whiteout', path: '/data/blob' }])]
    expect(explainPaths([], one).hints).toEqual([])
  })

  it('name a package cache that grew, and only one that grew', () => {
    const base = [layer(2, 'RUN apt-get install a', [file('/var/cache/apt/archives/a.deb', 5_000_000)])]
    const head = [
      layer(2, 'RUN apt-get install a b', [
        file('/var/cache/apt/archives/a.deb', 5_000_000),
        file('/var/cache/apt/archives/b.deb', 8_000_000),
        file('/root/.npm/_cacache/x', 10)
      ])
    ]
    const { hints, paths } = explainPaths(base, head)
    expect(hints).toEqual([
      {
        kind: 'cache',
        path: '/var/cache/apt',
        bytes: 8_000_000,
        source: { side: 'head', line: 2, instruction: 'RUN apt-get install a b' }
      }
    ])
    expect(paths[0]).toMatchObject({ path: '/var/cache/apt', kind: 'folder', delta: 8_000_000 })
  })
})

describe('a layer', () => {
  it('is told from a document by its first block', () => {
    const header = Buffer.alloc(1024)
    header.write('usr/', 0)
    header.write('0000755\0', 100)
    header.write('        ', 148)
    header[156] = 0x35
    let sum = 0
    for (let i = 0; i < 512; i++) sum += header[i]!
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148)
    expect(blobKind(header)).toBe('tar')
    expect(blobKind(Buffer.alloc(1024))).toBe('tar')
    expect(blobKind(Buffer.from('{"architecture":"amd64"}'))).toBe('json')
    expect(blobKind(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip')
    expect(blobKind(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd')
    // A tar member named like JSON is still a tar: the checksum decides.
    const tricky = Buffer.from(header)
    tricky.write('{x', 0)
    expect(blobKind(tricky)).not.toBe('tar')
  })

  it('names paths as the filesystem does', () => {
    expect(fsPath('./usr/lib/')).toBe('/usr/lib')
    expect(fsPath('../../etc/passwd')).toBe('/etc/passwd')
    expect(fsPath('.')).toBe('/')
  })
})

/** A tar made in memory from [name, content] pairs, in the order given. */
async function tarOf(entries: Array<[string, Buffer | string]>): Promise<Buffer> {
  const archive = pack()
  const chunks: Buffer[] = []
  archive.on('data', (chunk: unknown) => chunks.push(chunk as Buffer))
  const done = new Promise<void>(resolve => archive.on('end', () => resolve()))
  for (const [name, content] of entries) archive.entry({ name }, content)
  archive.finalize()
  await done
  return Buffer.concat(chunks)
}

/** A `docker save` archive in Docker's old layout: `<id>/layer.tar`, a config, manifest.json, sorted by name. */
async function savedImage(layers: Array<{ id: string; files: Array<[string, Buffer | string]> }>) {
  const config = {
    rootfs: { diff_ids: layers.map(l => `sha256:${l.id}`) },
    history: layers.map((_, i) => ({ created_by: `RUN step ${i} # buildkit` }))
  }
  const entries: Array<[string, Buffer | string]> = []
  for (const l of layers) entries.push([`${l.id}/layer.tar`, await tarOf(l.files)])
  entries.push([`${'c'.repeat(64)}.json`, JSON.stringify(config)])
  entries.sort(([a], [b]) => (a < b ? -1 : 1))
  entries.push([
    'manifest.json',
    JSON.stringify([{ Config: `${'c'.repeat(64)}.json`, Layers: layers.map(l => `${l.id}/layer.tar`) }])
  ])
  return tarOf(entries)
}

describe('two archives read in step', () => {
  it('pass over the layers both hold, unparsed, and read the rest', async () => {
    const shared = { id: '1'.repeat(64), files: [['bin/sh', Buffer.alloc(50_000)]] as Array<[string, Buffer]> }
    const base = await savedImage([shared, { id: 'a'.repeat(64), files: [['app/x', Buffer.alloc(1000)]] }])
    const head = await savedImage([shared, { id: '0'.repeat(64), files: [['app/x', Buffer.alloc(4000)]] }])
    const pair = await readArchivePair(Readable.from([base]), Readable.from([head]))
    expect([...pair.base.layers.keys()]).toEqual([`${'a'.repeat(64)}/layer.tar`])
    expect([...pair.head.layers.keys()]).toEqual([`${'0'.repeat(64)}/layer.tar`])
    expect([...pair.head.shared]).toEqual([`${'1'.repeat(64)}/layer.tar`])
    expect(pair.bytesSkipped).toBeGreaterThan(50_000)

    const breakdown = breakdownOf(pair, null, null, 0)
    expect(breakdown.layers.head.map(l => l.state)).toEqual(['shared', 'read'])
    expect(breakdown.layers.base.map(l => l.state)).toEqual(['shared', 'read'])
    expect(breakdown.paths).toEqual([
      {
        path: '/app/x',
        kind: 'file',
        base: 1000,
        head: 4000,
        delta: 3000,
        source: { side: 'head', line: null, instruction: 'RUN step 1' }
      }
    ])
  })

  it('drops a layer read out of step that the other image has by diff id', async () => {
    const top = { id: 'b'.repeat(64), files: [['etc/conf', 'same']] as Array<[string, string]> }
    const base = await savedImage([top])
    // The same content under another name: read on both sides, then found shared.
    const head = await savedImage([
      { ...top, id: 'b'.repeat(64) },
      { id: 'd'.repeat(64), files: [['big', Buffer.alloc(9000)]] }
    ])
    const pair = await readArchivePair(Readable.from([base]), Readable.from([head]))
    const breakdown = breakdownOf(pair, null, null, 0)
    expect(breakdown.paths.map(row => row.path)).toEqual(['/big'])
  })
})

/** `docker save base head` as Docker 25+ writes it with a graph driver: layers as `blobs/sha256/<diff id>`. */
async function savedPair(
  images: Array<{ tag: string; layers: Array<{ id: string; files: Array<[string, Buffer | string]> }> }>
) {
  const entries = new Map<string, Buffer | string>()
  const manifest = images.map(({ tag, layers }, i) => {
    const config = {
      rootfs: { diff_ids: layers.map(l => `sha256:${l.id}`) },
      history: layers.map((_, n) => ({ created_by: `RUN step ${n} # buildkit` }))
    }
    const configName = `blobs/sha256/${String(i + 7).repeat(64)}`
    entries.set(configName, JSON.stringify(config))
    return { Config: configName, RepoTags: [tag], Layers: layers.map(l => `blobs/sha256/${l.id}`) }
  })
  for (const { layers } of images) for (const l of layers) entries.set(`blobs/sha256/${l.id}`, await tarOf(l.files))
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : 1))
  return tarOf([...sorted, ['manifest.json', JSON.stringify(manifest)]])
}

describe('both images in one archive', () => {
  it('pass over the layers both list by diff id, unparsed, and give the breakdown two archives read in step give', async () => {
    const shared = { id: '1'.repeat(64), files: [['bin/sh', Buffer.alloc(50_000)]] as Array<[string, Buffer]> }
    const baseTop = { id: 'a'.repeat(64), files: [['app/x', Buffer.alloc(1000)]] as Array<[string, Buffer]> }
    const headTop = { id: '0'.repeat(64), files: [['app/x', Buffer.alloc(4000)]] as Array<[string, Buffer]> }
    const archive = await savedPair([
      { tag: 'img:base', layers: [shared, baseTop] },
      { tag: 'img:head', layers: [shared, headTop] }
    ])
    const ids = {
      base: [`sha256:${shared.id}`, `sha256:${baseTop.id}`],
      head: [`sha256:${shared.id}`, `sha256:${headTop.id}`]
    }
    const read = await readSavedImages(Readable.from([archive]), ids)
    expect([...read.archive.shared]).toEqual([`blobs/sha256/${shared.id}`])
    expect([...read.archive.layers.keys()].sort()).toEqual([`blobs/sha256/${headTop.id}`, `blobs/sha256/${baseTop.id}`])
    expect(read.bytesSkipped).toBeGreaterThan(50_000)

    // The engine as the breakdown asks it: inspect for the diff ids, one save of both.
    const engine = {
      inspectImage: (tag: string) =>
        Promise.resolve(JSON.stringify([{ RootFS: { Layers: tag === 'img:base' ? ids.base : ids.head } }])),
      save: <T>(references: string | string[], consume: (archive: Readable) => Promise<T>) => {
        expect(references).toEqual(['img:base', 'img:head'])
        return consume(Readable.from([archive]))
      }
    }
    const together = await breakDownPaths(
      engine,
      { base: { tag: 'img:base', stage: null }, head: { tag: 'img:head', stage: null } },
      { together: true }
    )
    const inStep = breakdownOf(
      await readArchivePair(
        Readable.from([await savedImage([shared, baseTop])]),
        Readable.from([await savedImage([shared, headTop])])
      ),
      null,
      null,
      0
    )
    expect(together.paths).toEqual(inStep.paths)
    expect(together.paths).toEqual([expect.objectContaining({ path: '/app/x', base: 1000, head: 4000, delta: 3000 })])
    expect(together.layers).toEqual({
      base: [
        { diffId: ids.base[0], state: 'shared' },
        { diffId: ids.base[1], state: 'read' }
      ],
      head: [
        { diffId: ids.head[0], state: 'shared' },
        { diffId: ids.head[1], state: 'read' }
      ]
    })
  })
})

describe('the entries kept of a side', () => {
  const filesUnder = (count: number) =>
    Array.from({ length: count }, (_, i): LayerEntry => file(`/many/d${i % 50}/f${i}`, 1))

  it('are all kept within the budget, as read', () => {
    const side = new SideEntries(1000)
    const list = side.layer()
    for (const entry of filesUnder(900)) side.add(list, entry)
    expect(list).toHaveLength(900)
    expect(side.foldDepth).toBeNull()
  })

  it('past it, sum deeper paths into their folders: the bytes stay, the deletions below go, and it is said', () => {
    const side = new SideEntries(1000)
    const list = side.layer()
    side.add(list, { kind: 'whiteout', path: '/many/d1/gone' })
    side.add(list, file('/big.bin', 5_000_000))
    for (const entry of filesUnder(5000)) side.add(list, entry)
    expect(side.foldDepth).toBe(2)
    expect(list.length).toBeLessThanOrEqual(1000)
    expect(list.filter(entry => entry.kind === 'whiteout')).toEqual([])
    const bytes = list.reduce((sum, entry) => sum + ('size' in entry ? entry.size : 0), 0)
    expect(bytes).toBe(5_005_000)
    expect(list).toContainEqual({ kind: 'folder', path: '/many/d7', size: 100 })
    expect(side.folded).toBe(5001)
  })

  it('fold to the same depth whatever order the layers arrive in', () => {
    const entries = filesUnder(3000)
    const folded = (order: LayerEntry[]) => {
      const side = new SideEntries(100)
      const list = side.layer()
      for (const entry of order) side.add(list, entry)
      return { depth: side.foldDepth, sums: [...list].sort((a, b) => (a.path < b.path ? -1 : 1)) }
    }
    expect(folded([...entries].reverse())).toEqual(folded(entries))
  })

  it('give rows whose bytes add up, folded as they are', () => {
    const side = new SideEntries(100)
    const list = side.layer()
    for (const entry of filesUnder(3000)) side.add(list, entry)
    const { paths } = explainPaths([], [{ diffId: 'sha256:1', entries: list, source: null }])
    expect(paths.reduce((sum, row) => sum + row.delta, 0)).toBe(3000)
  })
})

describe('a head archive read against a recorded base', () => {
  it('passes over the layers the record names, unparsed, and reads the rest', async () => {
    const shared = { id: '1'.repeat(64), files: [['bin/sh', Buffer.alloc(50_000)]] as Array<[string, Buffer]> }
    const head = await savedImage([shared, { id: '0'.repeat(64), files: [['app/x', Buffer.alloc(4000)]] }])
    const pair = await readArchivePair(null, Readable.from([head]), { blobs: new Set([`${'1'.repeat(64)}/layer.tar`]) })
    expect([...pair.head.shared]).toEqual([`${'1'.repeat(64)}/layer.tar`])
    expect([...pair.head.layers.keys()]).toEqual([`${'0'.repeat(64)}/layer.tar`])
    expect(pair.bytesSkipped).toBeGreaterThan(50_000)
    expect(pair.base.layers.size).toBe(0)
  })
})
