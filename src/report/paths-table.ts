// The paths that grew or shrank, for the comment and for the command. Every path and
// instruction here comes from a build: hostile text, shown through displayText and code().
import { formatDelta, formatSize, countOf, oneLine, unbreakable } from '../shared/sizes.js'
import { PathBreakdown, PathSource } from '../shared/types.js'
import { code } from './escape.js'

/** Rows the comment shows; the JSON report and the job summary up to REPORT_PATHS. */
const COMMENT_PATHS = 5
export const REPORT_PATHS = 50

const MAX_PATH = 120
const IN_TABLE = { table: true }

/**
 * A path as a reader may see it: characters that would hide or reorder text (controls,
 * bidirectional overrides, line breaks) written as escapes, and a long path cut in its
 * middle, where its start and its file name stay.
 */
export function displayText(text: string, max = MAX_PATH, cut: 'middle' | 'end' = 'middle'): string {
  const visible = text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this pattern shows as escapes
    /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g,
    char => `\\u{${(char.codePointAt(0) ?? 0).toString(16)}}`
  )
  const chars = [...visible]
  if (chars.length <= max) return visible
  const keep = max - 1
  if (cut === 'end') return `${chars.slice(0, keep).join('').trimEnd()}…`
  return `${chars.slice(0, Math.ceil(keep / 2)).join('')}…${chars.slice(chars.length - Math.floor(keep / 2)).join('')}`
}

function lineOf(source: PathSource): string {
  return source.line === null ? '' : `${source.side === 'base' ? 'base ' : ''}L${source.line}`
}

/** For the command: the line and the start of the instruction. */
function instructionLabel(source: PathSource): string {
  return [lineOf(source), displayText(source.instruction, 50, 'end')].filter(Boolean).join(' ')
}

/** For the comment, where the instructions table above gives each line's text: the line alone, else the instruction. */
function sourceCell(source: PathSource | null, options: { table?: boolean } = {}): string {
  if (!source) return '—'
  const line = lineOf(source)
  return line ? oneLine(line) : code(displayText(source.instruction, 60, 'end'), options)
}

const bytesCell = (bytes: number) => (bytes === 0 ? '—' : unbreakable(formatSize(bytes)))

export interface PathRows {
  /** How many rows to show; the comment shows COMMENT_PATHS, the job summary all the report keeps. */
  rows?: number
  /** Where the rest is, as markdown after "N more paths changed: ", e.g. a link to the job summary. */
  moreAt?: string
}

/** Where the rest of the paths are when the caller names no place: the JSON report, which keeps up to 50. */
const MORE_AT = `the JSON report (the \`report\` output) lists up to ${REPORT_PATHS}`

/**
 * The comment's part: a table of the paths that moved the most bytes. What to do about them
 * is said once, above the fold, as alerts (report/cause.ts), not here.
 */
export function pathsMarkdown(breakdown: PathBreakdown, options: PathRows = {}): string {
  if (breakdown.paths.length === 0) return ''
  const shown = options.rows ?? COMMENT_PATHS
  const read = [...breakdown.layers.base, ...breakdown.layers.head].filter(layer => layer.state === 'read').length
  const shared = breakdown.layers.head.filter(layer => layer.state === 'shared').length
  const recorded = breakdown.layers.base.filter(layer => layer.state === 'recorded').length
  const counts = [
    `${countOf(read, 'layer')} read`,
    // A recorded base is known to the folders its record kept: rows below them sum there.
    ...(recorded ? [`${countOf(recorded, 'base layer')} as the baseline record sums them by folder`] : []),
    ...(shared ? [`${countOf(shared, 'shared layer')} passed over`] : [])
  ]
  const intro =
    `The paths that moved the most bytes, from the layers the two images do not share (${counts.join(', ')}):` +
    (breakdown.folded ? ` ${foldedText(breakdown.folded)}` : '')
  const rows = breakdown.paths
    .slice(0, shown)
    .map(
      change =>
        `| ${code(displayText(change.path) + (change.kind === 'folder' ? '/' : ''), IN_TABLE)} | ${bytesCell(change.base)} | ${bytesCell(
          change.head
        )} | ${unbreakable(formatDelta(change.delta))} | ${sourceCell(change.source, IN_TABLE)} |`
    )
  const more = breakdown.paths.length - shown
  return [
    intro,
    [
      '| Path | Base | Head | Δ | Most bytes from |',
      '| :-- | --: | --: | --: | :-- |',
      ...rows,
      ...(more > 0 ? [`\n${countOf(more, 'more path')} changed: ${options.moreAt ?? MORE_AT}.`] : [])
    ].join('\n')
  ].join('\n\n')
}

/** What the breakdown left out to stay within its memory (tools/layer-entries.ts), in its own words only. */
export function foldedText(folded: NonNullable<PathBreakdown['folded']>): string {
  return (
    `the layers list more files than the breakdown keeps (${folded.limit.toLocaleString('en-US')} a side), so ` +
    `${countOf(folded.entries, 'path')} deeper than ${countOf(folded.depth, 'folder')} are summed into their folder at that depth.`
  )
}

/** The command's part: the top paths as aligned columns (what the breakdown folded: foldedText). */
export function pathsText(breakdown: PathBreakdown, top = 3): string[][] {
  return breakdown.paths
    .slice(0, top)
    .map(change => [
      `   ${displayText(change.path, 60)}${change.kind === 'folder' ? '/' : ''}`,
      formatDelta(change.delta),
      change.source ? instructionLabel(change.source) : ''
    ])
}
