// What a reader gets from the layers: the annotations, the per-image details in the
// comment, the footer's word on what the sizes are, the JSON, and the compressed size.
import { asRead, liveParts, renderGfm } from '../support/gfm.js'
import { describe, expect, it } from '@jest/globals'
import { calculatorRegression } from '../../__fixtures__/images.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'
import { compareImages, Limits, MeasuredImage } from '../../src/judge/judge.js'
import { EngineInfo } from '../../src/tools/docker.js'
import { InstructionSize } from '../../src/explain/attribute.js'
import { sizeSourceFor } from '../../src/measure/measure-image.js'
import { measureCompressed } from '../../src/measure/compressed.js'
import { annotationsFor } from '../../src/report/annotations.js'
import { toJsonReport } from '../../src/serialized/run-file.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { ImageMeasurement } from '../../src/shared/types.js'
import { nth, only } from '../support/lists.js'

const root = join(import.meta.dirname, '..', '..')
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8')
const revisions = { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) }
const limits: Limits = {
  maxIncrease: parseGrowthThreshold('max-increase', '50%'),
  warnIncrease: parseGrowthThreshold('warn-increase', '10%'),
  maxSize: null
}
const overlay2: EngineInfo = {
  serverVersion: '20.10.24+dfsg1',
  apiVersion: '1.41',
  storageDriver: 'overlay2',
  builder: 'buildx',
  imageStore: 'graphdriver'
}

/** The calculator's two Dockerfiles as measured from the recorded single-stage history. */

/** The same image grown by `factor` of its base, to land on a chosen verdict. */
function grownBy(factor: number, instructions = true): MeasuredImage {
  const line = (n: number, keyword: string, args: string, size: number): InstructionSize => ({
    keyword,
    args,
    size,
    line: n,
    endLine: n
  })
  const [from, copy] = [line(1, 'FROM', 'busybox:local', 1_000_000), line(2, 'COPY', 'app | <b>x</b> /app', 0)]
  const base = [from, copy]
  const head = [from, line(2, 'RUN', 'echo `grow` > /x', 1_000_000 * factor), copy]
  const side = (stage: InstructionSize[]): ImageMeasurement => ({
    size: stage.reduce((sum, i) => sum + i.size, 0),
    id: `sha256:${'a'.repeat(64)}`,
    layers: stage.length,
    ...(instructions ? { instructions: stage } : {})
  })
  return {
    target: {
      dockerfile: 'svc/Dockerfile',
      context: 'svc',
      baseDockerfile: 'svc/Dockerfile',
      baseContext: 'svc',
      change: 'modified',
      reason: 'Dockerfile modified'
    },
    base: side(base),
    head: side(head),
    failedBuilds: []
  }
}

describe('annotationsFor', () => {
  it('puts an error on the RUN that installs the Go toolchain', () => {
    const comparison = compareImages(revisions, [calculatorRegression()], limits)
    const annotation = only(annotationsFor(comparison), 'annotation')
    const runLine =
      read('examples', 'calculator', 'Dockerfile.single')
        .split('\n')
        .findIndex(l => l.startsWith('RUN apt-get')) + 1
    expect(annotation).toMatchObject({ level: 'error', file: 'calculator/Dockerfile', startLine: runLine })
    expect(annotation.message).toMatch(
      /^Grew \+840 MB .* This instruction adds the most: \+618 MB \(RUN apt-get update/
    )
  })

  it('warns past warn-increase, and says nothing within it', () => {
    expect(annotationsFor(compareImages(revisions, [grownBy(0.2)], limits))).toEqual([
      expect.objectContaining({ level: 'warning', file: 'svc/Dockerfile', startLine: 2, endLine: 2 })
    ])
    expect(annotationsFor(compareImages(revisions, [grownBy(0.05)], limits))).toEqual([])
  })

  it('names the file alone when the layers could not be read', () => {
    const annotation = nth(annotationsFor(compareImages(revisions, [grownBy(2, false)], limits)), 0)
    expect(annotation).toMatchObject({ level: 'error', file: 'svc/Dockerfile' })
    expect(annotation.startLine).toBeUndefined()
  })
})

describe('the comment', () => {
  it('lists the instructions that moved the most bytes, the Go toolchain first', () => {
    const markdown = asRead(
      renderMarkdown(compareImages(revisions, [calculatorRegression()], limits), {
        limits,
        engine: overlay2
      })
    )
    const details = markdown.slice(markdown.indexOf('<details><summary>Why'))
    expect(details).toMatch(/layers 1 → 5/)
    const rows = details.split('\n').filter(l => /^\| (L\d+|base L\d+) /.test(l))
    expect(rows[0]).toMatch(
      /^\| L4 \| `RUN apt-get update && apt-get install .*` \| — \| 618 MB \| \+618 MB \| 🆕 new \|$/
    )
    // The final stage's FROM on each side, paired as the change it is: never one text for both.
    expect(rows[1]).toBe(
      '| base L11 → L3 | `FROM scratch` → `FROM debian:bookworm` | 0 B | 199 MB | +199 MB | 📈 grew |'
    )
    expect(rows.some(r => r.includes('🗑️ gone') && r.includes('COPY --from=build'))).toBe(true)
    expect(markdown).toContain(
      'Sizes are the uncompressed image size that `docker image inspect` reports (Docker 20.10.24+dfsg1, API 1.41, overlay2 storage driver, BuildKit)'
    )
  })

  it('escapes what comes from the Dockerfile', () => {
    const markdown = renderMarkdown(compareImages(revisions, [grownBy(2)], limits), { limits })
    expect(markdown).toContain('| ``RUN echo `grow` > /x`` |')
    expect(liveParts(renderGfm(markdown))).toEqual([])
  })

  it('shows the pull size beside the size, with its own delta, only when measured', () => {
    const image = grownBy(2)
    image.base!.compressedSize = 400_000
    image.head!.compressedSize = 1_400_000
    const markdown = asRead(renderMarkdown(compareImages(revisions, [image], limits), { limits }))
    expect(markdown).toContain('| Dockerfile | Base | Head | Δ | % | Pull base | Pull head | Pull Δ | Status |')
    expect(markdown).toContain('| 1 MB | 3 MB | +2 MB | +200% | 400 kB | 1.4 MB | +1 MB | ❌ over limit |')
    expect(markdown).toContain('Pull sizes are the layers gzip-compressed here')
    expect(renderMarkdown(compareImages(revisions, [grownBy(2)], limits), { limits })).not.toContain('Pull')
  })
})

describe('what size means', () => {
  const containerd: EngineInfo = {
    ...overlay2,
    serverVersion: '28.5.2',
    storageDriver: 'overlayfs',
    imageStore: 'containerd'
  }

  it('is one figure on every store, computed by the method the store needs', () => {
    expect(sizeSourceFor(overlay2)).toBe('inspect')
    expect(sizeSourceFor(containerd)).toBe('layer-files')
  })

  it('the footer names the containerd store and the method, and where the pull sizes come from', () => {
    const image = grownBy(1)
    for (const side of [image.base!, image.head!]) {
      side.sizeSource = 'layer-files'
      side.compressedSize = side.size / 2
    }
    const markdown = renderMarkdown(compareImages(revisions, [image], limits), { limits, engine: containerd })
    expect(markdown).toContain(
      "Sizes are the bytes of the files in each image's layers, summed from its saved layers (Docker 28.5.2, API 1.41, containerd image store, overlayfs, BuildKit), the figure overlay2 reports"
    )
    expect(markdown).toContain('Pull sizes are the compressed layers as the content store holds them')
  })
})

describe('the JSON report', () => {
  it('carries the engine facts, the sides with their per-instruction sizes, and every instruction change', () => {
    const image = calculatorRegression()
    image.head!.compressedSize = 300_000_000
    const report = toJsonReport(compareImages(revisions, [image], limits), overlay2, null)
    expect(report.engine).toEqual(overlay2)
    const json = nth(report.images, 0)
    expect(json.head).toMatchObject({
      size: image.head!.size,
      id: `sha256:${'b'.repeat(64)}`,
      layers: 5,
      compressedSize: 300_000_000
    })
    // The merge of shard reports explains each image from these, as a single run does.
    expect(json.head!.instructions).toEqual(image.head!.instructions)
    expect(json.instructionChanges![0]).toMatchObject({
      kind: 'added',
      line: 4,
      baseLine: null,
      baseSize: null,
      headSize: 617_976_095,
      delta: 617_976_095
    })
    expect(nth(json.instructionChanges!, 0).instruction).toMatch(/^RUN apt-get update && apt-get install/)
  })
})

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
