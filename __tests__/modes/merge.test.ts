import { describe, expect, it } from '@jest/globals'
import { mergeShardReports, parseShardReport, ShardReport } from '../../src/modes/merge.js'
import { JsonImage, JsonReport } from '../../src/serialized/run-file.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { nth } from '../support/lists.js'

const BASE = 'a'.repeat(40)
const HEAD = 'b'.repeat(40)

function jsonImage(dockerfile: string, base: number, head: number, verdict: JsonImage['verdict'] = 'pass'): JsonImage {
  return {
    dockerfile,
    context: dockerfile.split('/')[0] ?? '',
    baseDockerfile: dockerfile,
    platform: null,
    reference: null,
    status: 'modified',
    checkedBecause: 'Dockerfile modified',
    base: { size: base, id: `sha256:${String(base).padStart(64, '0')}`, layers: 1 },
    head: { size: head, id: `sha256:${String(head).padStart(64, '0')}`, layers: 1 },
    delta: head - base,
    deltaPercent: (100 * (head - base)) / base,
    verdict,
    reason: verdict === 'fail' ? 'Grew too much.' : 'Same size.',
    notes: [],
    name: dockerfile,
    target: null,
    baseContext: dockerfile.split('/')[0] ?? '',
    trigger: 'dockerfile',
    builtOnce: false,
    baselineSource: { source: 'build' },
    trend: [],
    logTail: null,
    instructionChanges: null,
    limits: { maxIncrease: '10%', warnIncrease: null, maxSize: null },
    failedBuilds: [],
    paths: null
  }
}

function shardReport(index: number, total: number, images: JsonImage[], extra: Partial<JsonReport> = {}): ShardReport {
  return {
    path: `reports/shard-${index}/default.json`,
    report: {
      schemaVersion: 1,
      base: { sha: BASE },
      head: { sha: HEAD },
      verdict: 'pass',
      totalDelta: 0,
      error: null,
      engine: null,
      shard: { index, total },
      images,
      ...extra
    }
  }
}

describe('mergeShardReports', () => {
  const engine = (imageStore: 'containerd' | 'graphdriver', serverVersion: string) => ({
    serverVersion,
    apiVersion: '1.51',
    storageDriver: imageStore === 'containerd' ? 'overlayfs' : 'overlay2',
    builder: 'buildx' as const,
    imageStore
  })
  const measuredBy = (image: JsonImage, sizeSource: 'inspect' | 'layer-files'): JsonImage => ({
    ...image,
    base: { ...image.base!, sizeSource },
    head: { ...image.head!, sizeSource }
  })

  it('refuses shards measured on different image stores, naming each shard and its engine', () => {
    expect(() =>
      mergeShardReports([
        shardReport(1, 2, [measuredBy(jsonImage('api/Dockerfile', 100, 100), 'inspect')], {
          engine: engine('graphdriver', '28.0.4')
        }),
        shardReport(2, 2, [measuredBy(jsonImage('web/Dockerfile', 100, 100), 'layer-files')], {
          engine: engine('containerd', '29.1.5')
        })
      ])
    ).toThrow(
      "The shards measured on different image stores or by different size methods, so their figures are not one table's" +
        ': shard 1/2 (reports/shard-1/default.json): Docker 28.0.4, overlay2 storage driver, sizes by inspect; ' +
        'shard 2/2 (reports/shard-2/default.json): Docker 29.1.5, containerd image store, sizes by layer-files.'
    )
  })

  it('refuses one store whose shards computed the size two ways (an older version summed docker history)', () => {
    const old = { ...jsonImage('web/Dockerfile', 100, 100) }
    old.base = { ...old.base!, sizeSource: 'layers' }
    old.head = { ...old.head!, sizeSource: 'layers' }
    expect(() =>
      mergeShardReports([
        shardReport(1, 2, [measuredBy(jsonImage('api/Dockerfile', 100, 100), 'layer-files')], {
          engine: engine('containerd', '28.5.2')
        }),
        shardReport(2, 2, [old], { engine: engine('containerd', '28.5.2') })
      ])
    ).toThrow('sizes by layers.')
  })

  it('merges shards of one store and method whatever their Docker versions, and a shard that measured nothing', () => {
    const merged = mergeShardReports([
      shardReport(1, 3, [measuredBy(jsonImage('api/Dockerfile', 100, 100), 'inspect')], {
        engine: engine('graphdriver', '28.0.4')
      }),
      shardReport(2, 3, [measuredBy(jsonImage('web/Dockerfile', 100, 100), 'inspect')], {
        engine: engine('graphdriver', '28.5.2')
      }),
      shardReport(3, 3, [], { engine: null, error: 'No Docker engine answers' })
    ])
    expect(merged.error).toBe('Shard 3/3: No Docker engine answers')
  })

  it('gives one comparison with every image, sorted, and the worst verdict', () => {
    const merged = mergeShardReports([
      shardReport(2, 2, [jsonImage('web/Dockerfile', 100, 300, 'fail')]),
      shardReport(1, 2, [jsonImage('api/Dockerfile', 100, 100), jsonImage('zed/Dockerfile', 200, 150)])
    ])
    expect(merged.error).toBeNull()
    expect(merged.comparison.revisions).toEqual({ baseSha: BASE, headSha: HEAD })
    expect(merged.comparison.images.map(image => image.target.dockerfile)).toEqual([
      'api/Dockerfile',
      'web/Dockerfile',
      'zed/Dockerfile'
    ])
    expect(merged.comparison.verdict).toBe('fail')
    expect(merged.comparison.totalDelta).toBe(150)
  })

  it('makes a missing shard an error, so a dead job never passes the check', () => {
    const merged = mergeShardReports([shardReport(1, 3, []), shardReport(3, 3, [])])
    expect(merged.error).toContain('The report of shard 2/3 is missing')
  })

  it("carries a shard's own error", () => {
    const merged = mergeShardReports([shardReport(1, 1, [], { error: 'No Docker engine answers' })])
    expect(merged.error).toBe('Shard 1/1: No Docker engine answers')
  })

  it.each([
    [[shardReport(1, 2, []), shardReport(1, 2, [])], 'Two reports of shard 1/2'],
    [[shardReport(1, 2, []), shardReport(2, 3, [])], 'every shard of one check must split the images the same way'],
    [
      [shardReport(1, 2, []), shardReport(2, 2, [], { head: { sha: 'c'.repeat(40) } })],
      'reports of different runs are mixed'
    ]
  ])('refuses reports that do not belong together (%#)', (reports, message) => {
    expect(() => mergeShardReports(reports)).toThrow(message)
  })
})

describe('parseShardReport', () => {
  const valid = shardReport(1, 1, [jsonImage('api/Dockerfile', 1, 2)]).report

  it('reads a valid report', () => {
    expect(parseShardReport(JSON.stringify(valid), 'r.json')).toEqual(valid)
  })

  it.each([
    ['not json', 'r.json is not JSON'],
    [JSON.stringify({ ...valid, schemaVersion: 2 }), 'schemaVersion is 2, expected 1'],
    [JSON.stringify({ ...valid, shard: null }), 'it names no shard'],
    [
      JSON.stringify({ ...valid, images: [{ ...valid.images[0], verdict: 'maybe' }] }),
      'images[0].verdict is "maybe"; expected one of pass, warn, fail, error.'
    ],
    [
      JSON.stringify({ ...valid, images: [{ ...valid.images[0], head: { size: '2' } }] }),
      'images[0].head.size is "2"; expected a whole number'
    ]
  ])('rejects %s', (text, message) => {
    expect(() => parseShardReport(text, 'r.json')).toThrow(message)
  })
})

describe('the merge judges with the one judge', () => {
  it('gives each image the verdict of the limits its shard recorded, its own limit included', () => {
    const strict = { ...jsonImage('api/Dockerfile', 1000, 1050), name: 'strict api' }
    strict.limits = { maxIncrease: '1%', warnIncrease: null, maxSize: null }
    const merged = mergeShardReports([shardReport(1, 1, [strict, jsonImage('web/Dockerfile', 1000, 1050)])])
    const verdicts = merged.comparison.images.map(image => [
      image.target.name ?? image.target.dockerfile,
      image.verdict
    ])
    expect(verdicts).toEqual([
      ['strict api', 'fail'],
      ['web/Dockerfile', 'pass']
    ])
    expect(nth(merged.comparison.images, 0).reason).toBe('Grew +50 B (+5%), past the max-increase of 1%.')
  })
  it('reads back the limits as written, sizes exact', () => {
    const image = jsonImage('api/Dockerfile', 10_000_000, 11_234_568)
    image.limits = { maxIncrease: '10%, 1234567', warnIncrease: null, maxSize: null }
    const [result] = mergeShardReports([shardReport(1, 1, [image])]).comparison.images
    // Past both 10% and 1,234,567 bytes by one byte.
    expect(result!.verdict).toBe('fail')
    expect(result!.limits.maxIncrease).toEqual(parseGrowthThreshold('max-increase', '10%, 1234567'))
  })
})
