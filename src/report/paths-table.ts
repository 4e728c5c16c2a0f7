// The paths that grew or shrank, for the comment and for the command. Every path and
// instruction here comes from a build: hostile text, shown through displayText and code().
import { formatDelta, formatSize, countOf } from '../shared/sizes.js'
import { PathBreakdown, PathHint, PathSource } from '../shared/types.js'
import { code } from './escape.js'

/** Rows the comment shows; the JSON report has up to 50. */
export const COMMENT_PATHS = 5

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
  return lineOf(source) || code(displayText(source.instruction, 60, 'end'), options)
}

const bytesCell = (bytes: number) => (bytes === 0 ? '—' : formatSize(bytes))

const fromBaseImage = (source: PathSource | null) => source !== null && /^FROM\b/i.test(source.instruction)

/** The advice that goes with a cache folder that grew: what empties it, in the instruction that fills it. */
const CACHE_ADVICE: Record<string, string> = {
  '/var/cache/apt': 'end the `apt-get install` RUN with `apt-get clean`',
  '/var/lib/apt/lists': 'end the `apt-get update` RUN with `rm -rf /var/lib/apt/lists/*`',
  '/root/.cache/pip': 'install with `pip install --no-cache-dir`',
  '/root/.npm': 'end the `npm` RUN with `npm cache clean --force`, or use a cache mount',
  '/var/cache/apk': 'install with `apk add --no-cache`'
}

function hintText(hint: PathHint, markdown: boolean): string {
  const path = markdown ? code(displayText(hint.path)) : displayText(hint.path)
  const show = (source: PathSource | null) =>
    source ? (markdown ? sourceCell(source) : instructionLabel(source)) : 'an earlier layer'
  const advice = (text: string) => (markdown ? text : text.replace(/`/g, ''))
  if (hint.kind === 'cache') {
    const fix = fromBaseImage(hint.source)
      ? 'it comes with the image the stage starts from'
      : advice(CACHE_ADVICE[hint.path] ?? 'remove it in the instruction that fills it')
    return `${path} grew ${formatDelta(hint.bytes)}: a package manager's cache, shipped in the image (from ${show(hint.source)}); ${fix}.`
  }
  const fix = fromBaseImage(hint.source)
    ? 'it comes with the image the stage starts from, so deleting it saves nothing'
    : 'delete it in the instruction that creates it'
  return (
    `${path} (${countOf(hint.files, 'file')}, ${formatSize(hint.bytes)}) is added by ${show(hint.source)} and ` +
    `deleted by ${show(hint.deletedBy)}, but still ships in the layer that added it: ${fix}.`
  )
}

/** The comment's part: a table of the paths that moved the most bytes, and the hints. */
export function pathsMarkdown(breakdown: PathBreakdown): string {
  if (breakdown.paths.length === 0 && breakdown.hints.length === 0) return ''
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
    .slice(0, COMMENT_PATHS)
    .map(
      change =>
        `| ${code(displayText(change.path) + (change.kind === 'folder' ? '/' : ''), IN_TABLE)} | ${bytesCell(change.base)} | ${bytesCell(
          change.head
        )} | ${formatDelta(change.delta)} | ${sourceCell(change.source, IN_TABLE)} |`
    )
  const more = breakdown.paths.length - COMMENT_PATHS
  const table = rows.length
    ? [
        '| Path | Base | Head | Δ | Most bytes from |',
        '| :-- | --: | --: | --: | :-- |',
        ...rows,
        ...(more > 0 ? [`\n${countOf(more, 'more path')} changed: see the JSON report.`] : [])
      ].join('\n')
    : ''
  // Each hostile part of a hint is in code() already; the rest is this module's own words.
  const hints = breakdown.hints.map(hint => `> 💡 ${hintText(hint, true)}`)
  return [intro, table, ...hints].filter(Boolean).join('\n\n')
}

/** What the breakdown left out to stay within its memory (explain/layer-entries.ts), in its own words only. */
export function foldedText(folded: NonNullable<PathBreakdown['folded']>): string {
  return (
    `the layers list more files than the breakdown keeps (${folded.limit.toLocaleString('en-US')} a side), so ` +
    `${countOf(folded.entries, 'path')} deeper than ${countOf(folded.depth, 'folder')} are summed into their folder at that depth.`
  )
}

/** The command's part: the top paths as aligned columns, then the hints. */
export function pathsText(breakdown: PathBreakdown, top = 3): { rows: string[][]; hints: string[] } {
  return {
    rows: breakdown.paths
      .slice(0, top)
      .map(change => [
        `   ${displayText(change.path, 60)}${change.kind === 'folder' ? '/' : ''}`,
        formatDelta(change.delta),
        change.source ? instructionLabel(change.source) : ''
      ]),
    hints: [
      ...breakdown.hints.map(hint => `   hint: ${hintText(hint, false)}`),
      ...(breakdown.folded ? [`   note: ${foldedText(breakdown.folded)}`] : [])
    ]
  }
}
