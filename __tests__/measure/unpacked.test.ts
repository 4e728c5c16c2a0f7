// The containerd store's figure: the files of each saved layer summed as overlay2 sums its
// layer folders, and the stored (compressed) size of each layer as the manifest lists it.
import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import { countLayerFiles, measureSavedImage } from '../../src/measure/unpacked.js'
import { withFileSizes } from '../../src/measure/measure-image.js'
import { parseHistory } from '../../src/measure/history.js'
import { nth } from '../support/lists.js'

type Entry = {
  name: string
  body?: Buffer
  type?: 'symlink' | 'link' | 'directory' | 'character-device'
  linkname?: string
}

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const tar = pack()
  for (const entry of entries) {
    if (entry.type) tar.entry({ name: entry.name, type: entry.type, linkname: entry.linkname })
    else tar.entry({ name: entry.name }, entry.body ?? Buffer.alloc(0))
  }
  tar.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of tar as unknown as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}

const stream = (buffer: Buffer) => Readable.from([buffer])

describe('countLayerFiles', () => {
  it('counts what overlay2 counts: file bytes, symlink targets, each hard-linked file once, no directories', async () => {
    const layer = await tarOf([
      { name: 'usr/', type: 'directory' },
      { name: 'usr/bin/tool', body: Buffer.alloc(1_000) },
      { name: 'usr/bin/alias', type: 'link', linkname: 'usr/bin/tool' },
      { name: 'usr/bin/sh', type: 'symlink', linkname: 'busybox' },
      { name: 'etc/.wh.old.conf', body: Buffer.alloc(0) },
      { name: 'etc/.wh..wh..opq', body: Buffer.alloc(0) }
    ])
    expect(await countLayerFiles(stream(layer))).toBe(1_000 + 'busybox'.length)
  })

  it('counts a path listed twice once, as the later entry', async () => {
    const layer = await tarOf([
      { name: 'a', body: Buffer.alloc(10) },
      { name: './a', body: Buffer.alloc(25) }
    ])
    expect(await countLayerFiles(stream(layer))).toBe(25)
  })
})

describe('measureSavedImage', () => {
  async function savedImage(
    layers: Buffer[],
    history: Array<{ created_by: string; empty_layer?: boolean }>,
    compress = true
  ) {
    const blobs = layers.map((layer, i) => ({ name: `blobs/sha256/l${i}`, body: compress ? gzipSync(layer) : layer }))
    const config = { name: 'blobs/sha256/config', body: Buffer.from(JSON.stringify({ history })) }
    // Listed twice, a layer is unpacked twice on disk and counts twice, but is stored once.
    const listed = [...blobs.map(blob => blob.name), nth(blobs, 0).name]
    const manifest = {
      name: 'manifest.json',
      body: Buffer.from(JSON.stringify([{ Config: config.name, Layers: listed }]))
    }
    const index = { name: 'index.json', body: Buffer.from('{"schemaVersion":2,"manifests":[]}') }
    return { archive: await tarOf([...blobs, config, index, manifest]), blobs }
  }

  it('gives the files of a FROM scratch image of 1,000,000 B and 250,000 B exactly, and what the blobs store', async () => {
    const layers = [
      await tarOf([{ name: 'a.bin', body: Buffer.alloc(1_000_000, 1) }]),
      await tarOf([{ name: 'b.bin', body: Buffer.alloc(250_000, 2) }])
    ]
    const history = [
      { created_by: 'COPY a.bin /a.bin # buildkit' },
      { created_by: 'ENV X=1', empty_layer: true },
      { created_by: 'COPY b.bin /b.bin # buildkit' }
    ]
    const { archive, blobs } = await savedImage(layers, history)
    const saved = await measureSavedImage(stream(archive))
    expect(saved.layers.map(layer => layer.fileBytes)).toEqual([1_000_000, 250_000, 1_000_000])
    expect(saved.fileBytes).toBe(2_250_000)
    expect(saved.storedBytes).toBe(nth(blobs, 0).body.length + nth(blobs, 1).body.length)
    expect(saved.history.map(row => row.emptyLayer)).toEqual([false, true, false])
  })

  it('reads layers stored uncompressed too (a graph driver save)', async () => {
    const layers = [await tarOf([{ name: 'a.bin', body: Buffer.alloc(4_321) }])]
    const { archive } = await savedImage(layers, [{ created_by: 'COPY' }], false)
    expect(nth((await measureSavedImage(stream(archive))).layers, 0).fileBytes).toBe(4_321)
  })

  it('names a listed layer that is not a tar, and an archive of more than one image', async () => {
    const manifest = JSON.stringify([{ Layers: ['blobs/sha256/x'] }])
    const archive = await tarOf([
      {
        name: 'blobs/sha256/x',
        body: gzipSync(Buffer.from('not a tar at all, but long enough to be read '.repeat(40)))
      },
      { name: 'manifest.json', body: Buffer.from(manifest) }
    ])
    await expect(measureSavedImage(stream(archive))).rejects.toThrow(
      'The layer blobs/sha256/x of the docker save archive is not a readable tar'
    )
    const two = await tarOf([
      { name: 'manifest.json', body: Buffer.from(JSON.stringify([{ Layers: [] }, { Layers: [] }])) }
    ])
    await expect(measureSavedImage(stream(two))).rejects.toThrow('holds 2 images, expected one')
  })
})

describe('withFileSizes', () => {
  // docker history on the containerd store: disk blocks, newest first.
  const rows = parseHistory(
    [
      '{"CreatedBy":"COPY b.bin /b.bin # buildkit","Size":"258048"}',
      '{"CreatedBy":"ENV X=1","Size":"0"}',
      '{"CreatedBy":"COPY a.bin /a.bin # buildkit","Size":"1007616"}'
    ].join('\n')
  )
  const history = [
    { createdBy: 'COPY a', emptyLayer: false },
    { createdBy: 'ENV', emptyLayer: true },
    { createdBy: 'COPY b', emptyLayer: false }
  ]
  const layers = [
    { path: 'a', storedBytes: 1, fileBytes: 1_000_000 },
    { path: 'b', storedBytes: 1, fileBytes: 250_000 }
  ]

  it('gives each row that made a layer the bytes of its files', () => {
    expect(withFileSizes(rows, { history, layers })!.map(row => row.size)).toEqual([250_000, 0, 1_000_000])
  })

  it('is null when the history and the layers do not line up', () => {
    expect(withFileSizes(rows.slice(1), { history, layers })).toBeNull()
    expect(withFileSizes(rows, { history, layers: layers.slice(1) })).toBeNull()
  })
})
