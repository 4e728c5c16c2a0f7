import { countOf } from '../shared/sizes.js'
import { Comparison, ImageResult, Verdict } from '../shared/types.js'
import {
  explainImage,
  footer,
  isQuiet,
  MarkdownContext,
  renderMarkdown,
  sizeTable,
  summarizeOutcome
} from './markdown.js'

/**
 * How much of the report a text kept, from all of it to the outcome line alone:
 * - `full`: everything renderMarkdown writes;
 * - `folded`: the unchanged images are counted, not listed;
 * - `brief`: also without the per-image explanations and build output;
 * - `rows`: also only the most important rows of the table;
 * - `summary`: the outcome line and where to read the rest.
 */
export type FitLevel = 'full' | 'folded' | 'brief' | 'rows' | 'summary'

export interface FitLimit {
  /** The largest size allowed, in the unit that `measure` counts. */
  max: number
  measure: (text: string) => number
  /** A sentence that says where the whole report is, e.g. a link to the job summary. */
  pointer: string
}

export interface FittedReport {
  text: string
  level: FitLevel
}

/** Counts UTF-16 units: never fewer than the characters GitHub counts in a comment. */
export const characters = (text: string): number => text.length
export const utf8Bytes = (text: string): number => Buffer.byteLength(text)

/**
 * The report as long as it can be within `limit`, shrunk in steps so that what a reader
 * needs most stays longest: the outcome, then the images that failed or grew, then the why.
 */
export function fitReport(comparison: Comparison, context: MarkdownContext, limit: FitLimit): FittedReport {
  const fits = (text: string) => limit.measure(text) <= limit.max
  const full = renderMarkdown(comparison, context)
  if (fits(full)) return { text: full, level: 'full' }

  const header = `**Docker image sizes** · ${summarizeOutcome(comparison, context.runError)}`
  const loud = comparison.images.filter(image => !isQuiet(image))
  const quiet = comparison.images.length - loud.length
  const explained = loud.filter(image => image.verdict !== 'pass' || image.notes.length || image.logTail)
  const end = footer(comparison, context)
  // What a shorter text leaves out, said before the pointer to the whole report.
  const leftOut = (rows: number, details: boolean) => {
    const parts: string[] = []
    if (loud.length > rows) parts.push(countOf(loud.length - rows, 'other image'))
    if (quiet) parts.push(countOf(quiet, 'unchanged image'))
    const count = loud.length - rows + quiet
    return [
      parts.length ? `${parts.join(' and ')} ${count === 1 ? 'is' : 'are'} not listed here.` : '',
      details && explained.length ? 'Why each image failed or warned, and its build output, are left out.' : '',
      limit.pointer
    ]
      .filter(Boolean)
      .join(' ')
  }

  const folded = join([
    header,
    loud.length ? sizeTable(loud) : '',
    leftOut(loud.length, false),
    ...explained.map(explainImage),
    end
  ])
  if (fits(folded)) return { text: folded, level: 'folded' }

  const brief = join([header, loud.length ? sizeTable(loud) : '', leftOut(loud.length, true), end])
  if (fits(brief)) return { text: brief, level: 'brief' }

  // The largest number of rows, most important first, that still fits.
  const ranked = [...loud].sort(byImportance)
  const withRows = (count: number) => join([header, sizeTable(ranked.slice(0, count)), leftOut(count, true), end])
  let low = 0
  let high = ranked.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (fits(withRows(mid))) low = mid
    else high = mid - 1
  }
  if (low > 0) return { text: withRows(low), level: 'rows' }

  const summary = join([header, limit.pointer])
  if (fits(summary)) return { text: summary, level: 'summary' }
  // Only an outcome line longer than the limit itself (a huge run error) gets here: cut it.
  return { text: cutTo(header, limit, `… ${limit.pointer}`), level: 'summary' }
}

const RANK: Record<Verdict, number> = { error: 0, fail: 1, warn: 2, pass: 3 }

function byImportance(a: ImageResult, b: ImageResult): number {
  return RANK[a.verdict] - RANK[b.verdict] || Math.abs(b.delta ?? 0) - Math.abs(a.delta ?? 0)
}

function join(sections: string[]): string {
  return sections.filter(Boolean).join('\n\n')
}

function cutTo(text: string, limit: FitLimit, tail: string): string {
  const chars = [...text]
  let low = 0
  let high = chars.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (limit.measure(chars.slice(0, mid).join('') + tail) <= limit.max) low = mid
    else high = mid - 1
  }
  return chars.slice(0, low).join('') + tail
}
