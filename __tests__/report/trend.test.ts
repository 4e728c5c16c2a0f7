// The trend chart is checked by Mermaid's own parser (see support/mermaid.ts).
import { describe, expect, it } from '@jest/globals'
import { renderTrend, sparkline, trendLine, TrendPoint } from '../../src/report/trend.js'
import { mermaidBody as body, useMermaid } from '../support/mermaid.js'

const parser = useMermaid()

const records = (sizes: number[]): TrendPoint[] => sizes.map((bytes, i) => ({ label: `r${i}`, bytes }))

describe('the trend chart', () => {
  it('is one xychart-beta line series that Mermaid parses, this PR last', async () => {
    const trend = renderTrend(records([300e6, 310e6, 320e6]), { label: 'this PR', bytes: 336e6 })!
    expect(trend.mermaid).toBe(
      [
        '```mermaid',
        'xychart-beta',
        '  title "Size over the last 3 records and this PR"',
        '  x-axis ["r0", "r1", "r2", "this PR"]',
        '  y-axis "Size (MB)"',
        '  line [300, 310, 320, 336]',
        '```'
      ].join('\n')
    )
    await expect(parser().parse(body(trend.mermaid))).resolves.toMatchObject({ diagramType: 'xychart' })
    expect(trend.words).toBe('+12% in the last 3 records (300 MB → 336 MB)')
  })

  it('keeps the last 30 records, and Mermaid parses labels made hostile', async () => {
    const many = Array.from({ length: 45 }, (_, i) => ({ label: `"];\nline [1]%%${i}`, bytes: 1e9 + i * 1e7 }))
    const trend = renderTrend(many, { label: 'head"]', bytes: 1.5e9 })!
    const line = trend.mermaid.split('\n').find(text => text.startsWith('  line'))!
    expect(line.split(',')).toHaveLength(31)
    expect(trend.mermaid.split('\n')).toHaveLength(7)
    await expect(parser().parse(body(trend.mermaid))).resolves.toMatchObject({ diagramType: 'xychart' })
    expect(trend.words).toBe('+30.4% in the last 30 records (1.15 GB → 1.5 GB)')
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
      'No change in the last record (5 MB → 5 MB)'
    )
  })
})

describe('the sparkline', () => {
  it('draws each point between the lowest and the highest, this PR last', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█')
    expect(sparkline([5, 5, 5])).toBe('▄▄▄')
    expect(sparkline([])).toBe('')
    expect(trendLine(records([100e6, 100e6, 90e6]), { label: 'this PR', bytes: 120e6 })).toBe(
      '▃▃▁█ +20% in the last 3 records (100 MB → 120 MB)'
    )
  })
})
