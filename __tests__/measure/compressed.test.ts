import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import { measureCompressed } from '../../src/measure/compressed.js'

/** The calculator's two Dockerfiles as measured from the recorded single-stage history. */

describe('measureCompressed', () => {
  const layerA = Buffer.alloc(300_000, 'a') // compresses to almost nothing
  const layerB = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251))

  function archive(entries: Array<{ name: string; body?: Buffer; linkname?: string }>): Readable {
    const tar = pack()
    for (const entry of entries) {
      if (entry.linkname) tar.entry({ name: entry.name, type: 'symlink', linkname: entry.linkname })
      else tar.entry({ name: entry.name }, entry.body ?? Buffer.alloc(0))
    }
    tar.finalize()
    return tar as unknown as Readable
  }

  it('adds up the layers of a Docker 20.10 archive gzip-compressed, a shared layer once', async () => {
    const manifest = JSON.stringify([{ Config: 'c.json', Layers: ['a/layer.tar', 'b/layer.tar', 'c/layer.tar'] }])
    const result = await measureCompressed(
      archive([
        { name: 'a/layer.tar', body: layerA },
        { name: 'b/layer.tar', body: layerB },
        { name: 'c/layer.tar', linkname: '../a/layer.tar' },
        { name: 'c.json', body: Buffer.from('{"config":{}}') },
        { name: 'manifest.json', body: Buffer.from(manifest) }
      ])
    )
    expect(result.bytes).toBe(gzipSync(layerA, { level: 4 }).length + gzipSync(layerB, { level: 4 }).length)
    expect(result.layers).toBe(2)
    expect(result.bytes).toBeLessThan(layerA.length + layerB.length)
  })

  it('reads the OCI layout, where the manifest comes first and a blob may be compressed already', async () => {
    const packed = gzipSync(layerB)
    const manifest = JSON.stringify([{ Config: 'blobs/sha256/c', Layers: ['blobs/sha256/a', 'blobs/sha256/b'] }])
    const result = await measureCompressed(
      archive([
        { name: 'manifest.json', body: Buffer.from(manifest) },
        { name: 'blobs/sha256/a', body: layerA },
        { name: 'blobs/sha256/b', body: packed },
        { name: 'blobs/sha256/c', body: Buffer.from('{}') }
      ])
    )
    expect(result.bytes).toBe(gzipSync(layerA, { level: 4 }).length + packed.length)
  })

  it('compresses a large layer in blocks side by side, within 0.1% of one gzip stream, the same on any number of cores', async () => {
    // 6 MB of text-like bytes: several blocks, each primed with the end of the one before.
    const words = ['size', 'layer', 'image', 'docker', 'check', 'bytes', 'file']
    const big = Buffer.from(Array.from({ length: 900_000 }, (_, i) => words[(i * 7919) % 7]).join(' '))
    const manifest = JSON.stringify([{ Layers: ['blobs/sha256/big'] }])
    const entries = () =>
      archive([
        { name: 'manifest.json', body: Buffer.from(manifest) },
        { name: 'blobs/sha256/big', body: big }
      ])
    const one = await measureCompressed(entries(), 1)
    const four = await measureCompressed(entries(), 4)
    expect(four.bytes).toBe(one.bytes)
    expect(big.length).toBeGreaterThan(3 * (1 << 20))
    expect(Math.abs(one.bytes - gzipSync(big, { level: 4 }).length) / gzipSync(big, { level: 4 }).length).toBeLessThan(
      0.001
    )
  })

  it('says what is missing', async () => {
    await expect(measureCompressed(archive([{ name: 'a/layer.tar', body: layerA }]))).rejects.toThrow(
      'no manifest.json'
    )
    const manifest = JSON.stringify([{ Layers: ['x/layer.tar'] }])
    await expect(measureCompressed(archive([{ name: 'manifest.json', body: Buffer.from(manifest) }]))).rejects.toThrow(
      'lists the layer x/layer.tar'
    )
  })
})
