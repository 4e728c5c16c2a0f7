// The image's size over time: the default branch's last records and this PR's head, as a
// Mermaid chart for the comment and a sparkline for the command. Pure; the records come
// from the baselines, and their labels are text from elsewhere: hostile.
import { formatPercent, formatSize, unbreakable } from '../shared/sizes.js'
import { FIELD_LIMITS } from '../shared/fields.js'

export interface TrendPoint {
  /** What the x-axis shows for the point: a short commit, a date, "this PR". */
  label: string
  bytes: number
}

/**
 * GitHub renders one series per chart without trouble; its legend came late (see docs/records.md,
 * "The trend"). The bound is the run files' own on a trend (shared/fields.ts): what is read is
 * what is shown.
 */
const MAX_RECORDS = FIELD_LIMITS.maxTrend

export interface Trend {
  /** A fenced ```mermaid block: the records and this PR as bars (the points) under one line. */
  mermaid: string
  /** "+12% over the last 30 records (341 MB → 382 MB); this PR: 390 MB, +2.1% on the last record". */
  words: string
  /** The same, short enough for a folded section's one line: "+12% over 30 records; this PR +2.1%". */
  headline: string
}

const BYTES = { name: 'B', bytes: 1 }
const UNITS = [{ name: 'GB', bytes: 1e9 }, { name: 'MB', bytes: 1e6 }, { name: 'kB', bytes: 1e3 }, BYTES]

/**
 * The chart's colours, set in the chart's own configuration so that GitHub's light and dark
 * themes draw them alike: Mermaid's default first colour is a pale lavender (#ECECFF) that
 * vanishes on white. Both have a contrast of at least 3:1 (WCAG's for graphics) on white, on
 * GitHub's dark canvas and on Mermaid's dark chart background: a grey for the bars, which mark
 * each point, and an orange for the line through them. Mermaid 11's legend is turned off:
 * the two series are one figure.
 */
const CHART_COLOURS = { bars: '#768390', line: '#d4640e' }
const CHART_CONFIG = JSON.stringify({
  themeVariables: { xyChart: { plotColorPalette: `${CHART_COLOURS.bars}, ${CHART_COLOURS.line}` } },
  xyChart: { showLegend: false }
})

/**
 * A label as Mermaid may hold it inside double quotes: the characters of a short commit,
 * a date or a branch name, nothing that could end the string or the line, at most 16
 * characters.
 */
function chartLabel(text: string): string {
  const kept = text.replace(/[^A-Za-z0-9 ._:/+-]/g, '').trim()
  return [...kept].slice(0, 16).join('') || '?'
}

function windowOf(records: TrendPoint[], head: TrendPoint): TrendPoint[] {
  return [...records.slice(-MAX_RECORDS), head].filter(point => Number.isFinite(point.bytes) && point.bytes >= 0)
}

const change = (from: number, to: number) => (from === 0 ? null : (100 * (to - from)) / from)

/**
 * The change over the records in words, then this PR's head named apart: the records are the
 * default branch's; the head is not one of them.
 */
function trendWords(records: TrendPoint[], head: TrendPoint): string {
  const shown = records.slice(-MAX_RECORDS)
  const first = shown[0] as TrendPoint
  const last = shown[shown.length - 1] as TrendPoint
  const size = formatSize
  const overRecords =
    shown.length === 1
      ? `the last record: ${size(first.bytes)}`
      : `${describeChange(change(first.bytes, last.bytes))} over the last ${shown.length} records (${size(first.bytes)} → ${size(last.bytes)})`
  const pr = change(last.bytes, head.bytes)
  const onLast =
    pr === null ? '' : pr === 0 ? ', the same as the last record' : `, ${formatPercent(pr)} on the last record`
  return `${overRecords}; this PR: ${size(head.bytes)}${onLast}`
}

function describeChange(percent: number | null): string {
  return percent === null ? 'a change' : percent === 0 ? 'no change' : formatPercent(percent)
}

/** The words cut to a folded section's line. */
function trendHeadline(records: TrendPoint[], head: TrendPoint): string {
  const shown = records.slice(-MAX_RECORDS)
  const first = shown[0] as TrendPoint
  const last = shown[shown.length - 1] as TrendPoint
  const pr = change(last.bytes, head.bytes)
  const overRecords =
    shown.length === 1
      ? `1 record, ${formatSize(first.bytes)}`
      : `${describeChange(change(first.bytes, last.bytes))} over ${shown.length} records`
  return `${overRecords}; this PR ${pr === null ? formatSize(head.bytes) : pr === 0 ? 'the same' : formatPercent(pr)}`
}

/** The top of the y axis: a round number above the largest point, so the bars stand in proportion from 0. */
function axisTop(max: number): number {
  if (max <= 0) return 1
  const step = 10 ** Math.floor(Math.log10(max))
  for (const multiple of [1, 1.2, 1.4, 1.6, 1.8, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (multiple * step >= max * 1.05) return Number((multiple * step).toFixed(6))
  }
  return 10 * step
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
  const labels = points.map(point => `"${chartLabel(point.label)}"`)
  const top = axisTop(Math.max(...values))
  const mermaid = [
    '```mermaid',
    `%%{init: ${CHART_CONFIG}}%%`,
    'xychart-beta',
    `  title "Size over ${points.length === 2 ? 'the last record' : `the last ${points.length - 1} records`} and this PR"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "Size (${unit.name})" 0 --> ${top}`,
    `  bar [${values.join(', ')}]`,
    `  line [${values.join(', ')}]`,
    '```'
  ].join('\n')
  return { mermaid, words: trendWords(records, head), headline: trendHeadline(records, head) }
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
 * The trend of one image in the comment, or null without records or a head figure: folded
 * under a one-line headline, the words and the chart. The chart's labels are short commit ids (hex).
 */
export function trendSection(
  image: { target: { trend?: ReadonlyArray<{ commit: string; bytes: number }> }; head: { size: number } | null },
  name: string
): string | null {
  if (!image.head || !image.target.trend?.length) return null
  const trend = renderTrend(recordPoints(image.target.trend), { label: 'this PR', bytes: image.head.size })
  if (!trend) return null
  const words = unbreakable(trend.words)
  return (
    `<details><summary>${name} on the default branch: ${unbreakable(trend.headline)}</summary>\n\n` +
    `${words.charAt(0).toUpperCase()}${words.slice(1)}.\n\n${trend.mermaid}\n\n</details>`
  )
}
