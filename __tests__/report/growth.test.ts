// What a reader gets from the layers: the per-image details in the comment, the footer's
// word on what the sizes are, and the JSON.
import { asRead, liveParts, renderGfm } from '../support/gfm.js'
import { describe, expect, it } from '@jest/globals'
import { calculatorRegression, grownBy } from '../../__fixtures__/images.js'
import { compareImages } from '../../src/judge/judge.js'
import { sizeSourceFor } from '../../src/measure/measure-image.js'
import { toJsonReport } from '../../src/serialized/run-file.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { EngineInfo, Limits } from '../../src/shared/types.js'
import { nth } from '../support/lists.js'

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
