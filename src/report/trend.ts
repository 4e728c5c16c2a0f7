// The image's size over time: the default branch's last records and this PR's head, as a
// Mermaid chart for the comment and a sparkline for the command. Pure; the records come
// from the baselines, and their labels are text from elsewhere: hostile.
import { formatPercent, formatSize } from '../shared/sizes.js'

export interface TrendPoint {
  /** What the x-axis shows for the point: a short commit, a date, "this PR". */
  label: string
  bytes: number
}

/** GitHub renders one series per chart without trouble; its legend came late (see README). */
export const MAX_RECORDS = 30

export interface Trend {
  /** A fenced ```mermaid block holding one `xychart-beta` line series. */
  mermaid: string
  /** "+12% in the last 30 records (341 MB → 382 MB)". */
  words: string
}

const BYTES = { name: 'B', bytes: 1 }
const UNITS = [{ name: 'GB', bytes: 1e9 }, { name: 'MB', bytes: 1e6 }, { name: 'kB', bytes: 1e3 }, BYTES]

/**
 * A label as Mermaid may hold it inside double quotes: the characters of a short commit,
 * a date or a branch name, nothing that could end the string or the line, at most 16
 * characters.
 */
export function chartLabel(text: string): string {
  const kept = text.replace(/[^A-Za-z0-9 ._:/+-]/g, '').trim()
  return [...kept].slice(0, 16).join('') || '?'
}

function windowOf(records: TrendPoint[], head: TrendPoint): TrendPoint[] {
  return [...records.slice(-MAX_RECORDS), head].filter(point => Number.isFinite(point.bytes) && point.bytes >= 0)
}

/** The change over the window in words; from the oldest record to this PR's head. */
export function trendWords(records: TrendPoint[], head: TrendPoint): string {
  const shown = records.slice(-MAX_RECORDS)
  const first = shown[0] as TrendPoint
  const span = shown.length === 1 ? 'the last record' : `the last ${shown.length} records`
  const range = `(${formatSize(first.bytes)} → ${formatSize(head.bytes)})`
  if (first.bytes === 0) return `${span} ${range}`
  const change = (100 * (head.bytes - first.bytes)) / first.bytes
  return `${change === 0 ? 'No change' : formatPercent(change)} in ${span} ${range}`
}

/**
 * The chart and its words, or null when there is no record to compare with: then the
 * comment has no chart and no empty section.
 */
export function renderTrend(records: TrendPoint[], head: TrendPoint): Trend | null {
  if (records.length === 0) return null
  const points = windowOf(records, head)
  const max = Math.max(...points.map(point => point.bytes))
  const unit = UNITS.find(candidate => max >= candidate.bytes) ?? BYTES
  const values = points.map(point => Number((point.bytes / unit.bytes).toFixed(2)))
  const words = trendWords(records, head)
  const labels = points.map(point => `"${chartLabel(point.label)}"`)
  const mermaid = [
    '```mermaid',
    'xychart-beta',
    `  title "Size over ${points.length === 2 ? 'the last record' : `the last ${points.length - 1} records`} and this PR"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "Size (${unit.name})"`,
    `  line [${values.join(', ')}]`,
    '```'
  ].join('\n')
  return { mermaid, words }
}

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█']

/** One character a point, lowest to highest: `▁▁▂▃▃▅█`. Empty for no points. */
export function sparkline(values: number[]): string {
  if (values.length === 0) return ''
  const min = Math.min(...values)
  const max = Math.max(...values)
  return values
    .map(value => BARS[max === min ? 3 : Math.round(((value - min) / (max - min)) * (BARS.length - 1))])
    .join('')
}

/** The command's line: the sparkline and the words, or null without records. */
export function trendLine(records: TrendPoint[], head: TrendPoint): string | null {
  if (records.length === 0) return null
  return `${sparkline(windowOf(records, head).map(point => point.bytes))} ${trendWords(records, head)}`
}

/** An image's records as the chart's points: each labelled by its short commit. */
export function recordPoints(trend: ReadonlyArray<{ commit: string; bytes: number }>): TrendPoint[] {
  return trend.map(point => ({ label: point.commit.slice(0, 7), bytes: point.bytes }))
}

/**
 * The trend of one image in the comment, or null without records or a head figure: the words
 * and the chart, folded under the image's name. The chart's labels are short commit ids (hex).
 */
export function trendSection(
  image: { target: { trend?: ReadonlyArray<{ commit: string; bytes: number }> }; head: { size: number } | null },
  name: string
): string | null {
  if (!image.head || !image.target.trend?.length) return null
  const trend = renderTrend(recordPoints(image.target.trend), { label: 'this PR', bytes: image.head.size })
  if (!trend) return null
  return `<details><summary>${name} on the default branch: ${trend.words}</summary>\n\n${trend.mermaid}\n\n</details>`
}
