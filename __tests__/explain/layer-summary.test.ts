import { describe, expect, it } from '@jest/globals'
import { LayerEntry } from '../../src/tools/layer-entries.js'
import { entryCount, layersOfRecord, summarizeLayers } from '../../src/explain/layer-summary.js'
import { explainPaths, SideLayer } from '../../src/explain/path-tree.js'
import { nth } from '../support/lists.js'
import { RecordedLayer } from '../../src/shared/types.js'

const file = (path: string, size: number): LayerEntry => ({ kind: 'file', path, size })
const layer = (line: number, instruction: string, entries: LayerEntry[]): SideLayer => ({
  diffId: `sha256:${String(line).padStart(64, '0')}`,
  blob: `blobs/sha256/${String(line).padStart(64, '0')}`,
  entries,
  source: { line, instruction }
})

/** The single-stage calculator's layers in small: a distribution, then the Go toolchain with its many files. */
function toolchainImage(): SideLayer[] {
  const distribution = Array.from({ length: 300 }, (_, i) => file(`/usr/share/locale/l${i}/LC_MESSAGES/x.mo`, 3000))
  distribution.push(file('/usr/lib/x86_64-linux-gnu/libc.so.6', 2_000_000), file('/etc/passwd', 900))
  const toolchain = Array.from({ length: 2000 }, (_, i) =>
    file(`/usr/lib/go-1.19/src/pkg${i % 40}/file${i}.go`, 20_000 + (i % 7) * 1000)
  )
  toolchain.push(
    file('/usr/lib/go-1.19/pkg/tool/linux_amd64/compile', 25_000_000),
    file('/usr/lib/go-1.19/bin/go', 15_000_000),
    file('/var/cache/apt/archives/golang.deb', 60_000_000),
    ...Array.from({ length: 500 }, (_, i) => file(`/usr/share/doc/pkg${i}/copyright`, 2000))
  )
  return [layer(1, 'FROM ubuntu', distribution), layer(2, 'RUN apt-get install golang-go', toolchain)]
}

const bytesOf = (entries: LayerEntry[] | null) =>
  (entries ?? []).reduce((sum, entry) => sum + ('size' in entry ? entry.size : 0), 0)

describe('a recorded image’s layers', () => {
  it('stay within the budget and add up, layer by layer, to the bytes of its files', () => {
    const image = toolchainImage()
    const recorded = summarizeLayers(image, 60)
    expect(entryCount(recorded)).toBeLessThanOrEqual(60)
    for (const [i, recordedLayer] of recorded.entries()) {
      expect(bytesOf(nth(layersOfRecord([recordedLayer]), 0).entries)).toBe(bytesOf(nth(image, i).entries))
      expect(recordedLayer).toMatchObject({ diffId: nth(image, i).diffId, blob: nth(image, i).blob })
    }
  })

  it('spend their entries where the bytes are: the toolchain opened to its folders, the many small files summed', () => {
    const [, toolchain] = summarizeLayers(toolchainImage(), 60)
    const listed = [...(toolchain?.summary?.files ?? []), ...(toolchain?.summary?.folders ?? [])].map(([path]) => path)
    expect(listed).toContain('/usr/lib/go-1.19/pkg/tool/linux_amd64/compile')
    expect(listed).toContain('/var/cache/apt/archives/golang.deb')
    // 500 copyright files of 2 kB: one sum, not 500 entries.
    expect(listed.filter(path => path.startsWith('/usr/share/doc')).length).toBeLessThanOrEqual(1)
  })

  it('give a PR whose base is recorded the rows a read of the base image gives', () => {
    const base = toolchainImage()
    const head = [nth(base, 0), layer(3, 'COPY --from=build /out/calc /calc', [file('/calc', 1_800_000)])]
    const direct = explainPaths(base.slice(1), head.slice(1))
    const fromRecord = explainPaths(layersOfRecord(summarizeLayers(base.slice(1))), head.slice(1))
    expect(fromRecord.paths.slice(0, 3)).toEqual(direct.paths.slice(0, 3))
    expect(nth(fromRecord.paths, 0)).toMatchObject({
      path: '/usr/lib/go-1.19',
      kind: 'folder',
      source: { side: 'base', line: 2, instruction: 'RUN apt-get install golang-go' }
    })
    expect(fromRecord.paths.map(row => row.path)).toContain('/var/cache/apt')
  })

  it('keep a folder the record summed as the row, where most of the change is in that sum', () => {
    const base = summarizeLayers(
      [
        layer(
          2,
          'RUN install',
          Array.from({ length: 200 }, (_, i) => file(`/opt/kit/part${i}`, 10_000))
        )
      ],
      5
    )
    expect(nth(base, 0).summary).toEqual({ files: [], folders: [['/opt/kit', 2_000_000]] })
    const head = [layer(2, 'RUN install --small', [file('/opt/kit/part1', 10_000), file('/opt/kit/new', 5000)])]
    const { paths } = explainPaths(layersOfRecord(base), head)
    expect(paths).toEqual([
      {
        path: '/opt/kit',
        kind: 'folder',
        base: 2_000_000,
        head: 15_000,
        delta: -1_985_000,
        source: { side: 'base', line: 2, instruction: 'RUN install' }
      }
    ])
  })

  it('mark a layer that could not be read, and keep the instruction that made each layer', () => {
    const unreadable: SideLayer = { diffId: 'sha256:zst', blob: null, entries: null, source: null }
    const [read, notRead] = summarizeLayers([layer(4, 'COPY app /app', [file('/app/main', 10)]), unreadable])
    expect(read?.source).toEqual({ line: 4, instruction: 'COPY app /app' })
    expect(notRead).toEqual({ diffId: 'sha256:zst', blob: null, source: null, summary: null })
    expect(nth(layersOfRecord([notRead as RecordedLayer]), 0).entries).toBeNull()
  })
})
