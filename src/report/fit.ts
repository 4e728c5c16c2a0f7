import { Comparison } from '../shared/types.js'
import { MarkdownContext, RenderOptions, renderMarkdown, summarizeOutcome } from './markdown.js'

/**
 * How much of the report a text kept, from all of it to the outcome line alone:
 * - `full`: everything renderMarkdown writes;
 * - `folded`: the unchanged images are counted, not listed (the pull-size columns and the
 *   "Why … changed" sections stay);
 * - `brief`: also without the per-image explanations, build output and "Why … changed" sections;
 * - `rows`: also only the most important rows of the table;
 * - `summary`: the outcome line and where to read the rest.
 */
type FitLevel = 'full' | 'folded' | 'brief' | 'rows' | 'summary'

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
 * It only chooses the renderer's options; what each option leaves out is the renderer's.
 */
export function fitReport(comparison: Comparison, context: MarkdownContext, limit: FitLimit): FittedReport {
  const fits = (text: string) => limit.measure(text) <= limit.max
  const render = (options: Omit<RenderOptions, 'pointer'>) =>
    renderMarkdown(comparison, context, { ...options, pointer: limit.pointer })
  const full = renderMarkdown(comparison, context)
  if (fits(full)) return { text: full, level: 'full' }

  const folded = render({ unchanged: 'counted', explanations: true, rows: null })
  if (fits(folded)) return { text: folded, level: 'folded' }

  const brief = render({ unchanged: 'counted', explanations: false, rows: null })
  if (fits(brief)) return { text: brief, level: 'brief' }

  // The largest number of rows, most important first, that still fits.
  const withRows = (rows: number) => render({ unchanged: 'counted', explanations: false, rows })
  let low = 0
  let high = comparison.images.length
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (fits(withRows(mid))) low = mid
    else high = mid - 1
  }
  if (low > 0) return { text: withRows(low), level: 'rows' }

  const summary = withRows(0)
  if (fits(summary)) return { text: summary, level: 'summary' }
  // Only an outcome line longer than the limit itself (a huge run error) gets here: cut it.
  const header = `**Docker image sizes** · ${summarizeOutcome(comparison, context.runError)}`
  return { text: cutTo(header, limit, `… ${limit.pointer}`), level: 'summary' }
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
