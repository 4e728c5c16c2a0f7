// The trend chart is checked by Mermaid's own parser (see support/mermaid.ts).
import { describe, expect, it } from '@jest/globals'
import { renderTrend, sparkline, trendLine, TrendPoint } from '../../src/report/trend.js'
import { mermaidBody as body, useMermaid } from '../support/mermaid.js'

const parser = useMermaid()

const records = (sizes: number[]): TrendPoint[] => sizes.map((bytes, i) => ({ label: `r${i}`, bytes }))

describe('the trend chart', () => {
  it('is an xychart-beta that Mermaid parses: a bar marks each point, a line joins them, from 0, this PR last', async () => {
    const trend = renderTrend(records([300e6, 310e6, 320e6]), { label: 'this PR', bytes: 336e6 })!
    expect(trend.mermaid).toBe(
      [
        '```mermaid',
        // Its own colours, readable on GitHub's light and dark themes alike (the browser test measures them).
        '%%{init: {"themeVariables":{"xyChart":{"plotColorPalette":"#768390, #d4640e"}},"xyChart":{"showLegend":false}}}%%',
        'xychart-beta',
        '  title "Size over the last 3 records and this PR"',
        '  x-axis ["r0", "r1", "r2", "this PR"]',
        '  y-axis "Size (MB)" 0 --> 400',
        '  bar [300, 310, 320, 336]',
        '  line [300, 310, 320, 336]',
        '```'
      ].join('\n')
    )
    await expect(parser().parse(body(trend.mermaid))).resolves.toMatchObject({ diagramType: 'xychart' })
    // The records' change is the records'; this PR is named apart.
    expect(trend.words).toBe(
      '+6.67% over the last 3 records (300 MB → 320 MB); this PR: 336 MB, +5% on the last record'
    )
    expect(trend.headline).toBe('+6.67% over 3 records; this PR +5%')
  })

  it('keeps the last 30 records, and Mermaid parses labels made hostile', async () => {
    const many = Array.from({ length: 45 }, (_, i) => ({ label: `"];\nline [1]%%${i}`, bytes: 1e9 + i * 1e7 }))
    const trend = renderTrend(many, { label: 'head"]', bytes: 1.5e9 })!
    const line = trend.mermaid.split('\n').find(text => text.startsWith('  line'))!
    expect(line.split(',')).toHaveLength(31)
    expect(trend.mermaid.split('\n')).toHaveLength(9)
    await expect(parser().parse(body(trend.mermaid))).resolves.toMatchObject({ diagramType: 'xychart' })
    expect(trend.words).toBe(
      '+25.2% over the last 30 records (1.15 GB → 1.44 GB); this PR: 1.5 GB, +4.17% on the last record'
    )
  })

  it('is checked for real: the parser refuses a broken chart', async () => {
    await expect(parser().parse('xychart-beta\n  line [1, "b"]\n')).rejects.toThrow(/Parse error/)
  })

  it('is nothing without records', () => {
    expect(renderTrend([], { label: 'this PR', bytes: 1 })).toBeNull()
    expect(trendLine([], { label: 'this PR', bytes: 1 })).toBeNull()
  })

  it('says one record as one, and no change as none', () => {
    expect(renderTrend(records([5e6]), { label: 'this PR', bytes: 5e6 })!.words).toBe(
      'the last record: 5 MB; this PR: 5 MB, the same as the last record'
    )
    expect(renderTrend(records([5e6, 5e6]), { label: 'this PR', bytes: 6e6 })!.words).toBe(
      'no change over the last 2 records (5 MB → 5 MB); this PR: 6 MB, +20% on the last record'
    )
  })
})

describe('the sparkline', () => {
  it('draws each point between the lowest and the highest, this PR last', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█')
    expect(sparkline([5, 5, 5])).toBe('▄▄▄')
    expect(sparkline([])).toBe('')
    expect(trendLine(records([100e6, 100e6, 90e6]), { label: 'this PR', bytes: 120e6 })).toBe(
      '▃▃▁█ -10% over the last 3 records (100 MB → 90 MB); this PR: 120 MB, +33.3% on the last record'
    )
  })
})
