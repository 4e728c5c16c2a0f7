import { formatDelta, formatPercent, formatSize, countOf, oneLine, unbreakable } from '../shared/sizes.js'
import { describeThreshold } from '../inputs/thresholds.js'
import { Comparison, EngineInfo, ImageResult, labelOf, Limits } from '../shared/types.js'
import { code, htmlCode, preformatted, prose } from './escape.js'
import { growthSection } from './growth-section.js'
import { adviceMarkdown, causeParagraph } from './cause.js'
import { PathRows } from './paths-table.js'
import { trendSection } from './trend.js'
import { failureSection } from './failure-section.js'
import { commitLink, markdownLink, RepositoryLinks } from './links.js'
import { byDistanceFromLimit } from './order.js'
import { sizeMeaning } from './size-meaning.js'
import { targetCell, targetName } from './target.js'

/** Characters of a run's error shown in the outcome line; the JSON report keeps all of it. */
const RUN_ERROR_MAX = 2000

export interface MarkdownContext {
  limits: Limits
  /** Link target for a commit, or null to show the short SHA alone (links' own commit pages otherwise). */
  commitUrl?: (sha: string) => string
  /** The repository's URL from the runner and the commit whose files to link; absent: no links. */
  links?: RepositoryLinks | null
  /** The PR's head commit (from the event), where the run checked a merge commit of it. */
  pullHeadSha?: string
  /** A run-level error that stopped the check before every image was measured. */
  runError?: string
  /** The engine that measured, for the footer's word on what the sizes are. */
  engine?: EngineInfo | null
  /** How many paths each image's section lists, and where the rest are (default: five, the JSON report). */
  paths?: PathRows
}

/** The one-line outcome that opens the comment, e.g. "1 image grew past the limit: +1.25 GB". */
export function summarizeOutcome(comparison: Comparison, runError?: string): string {
  const images = comparison.images
  const count = (n: number) => countOf(n, 'image')
  const sum = (list: ImageResult[]) => formatDelta(list.reduce((total, image) => total + (image.delta ?? 0), 0))
  const sizeOf = (list: ImageResult[], side: 'base' | 'head') =>
    formatSize(list.reduce((total, image) => total + (image[side]?.size ?? 0), 0))
  const errored = images.filter(image => image.verdict === 'error')
  const failed = images.filter(image => image.verdict === 'fail')
  const warned = images.filter(image => image.verdict === 'warn')
  const overBudget = failed.filter(image => image.limit === 'max-size')
  const grewPast = failed.filter(image => image.limit !== 'max-size')
  const parts: string[] = []
  // Capped: the outcome line is what every shortened comment keeps, and a code span cut
  // later, in the middle, would leave the rest of it outside code.
  if (runError) parts.push(`❌ The check could not finish: ${prose(runError, { max: RUN_ERROR_MAX })}`)
  const buildFailed = errored.filter(image => !image.baselineMissing)
  const noBaseline = errored.filter(image => image.baselineMissing)
  if (buildFailed.length) parts.push(`❌ ${count(buildFailed.length)} failed to build`)
  if (noBaseline.length) parts.push(`❌ ${count(noBaseline.length)} without a baseline: the base build failed`)
  if (grewPast.length) parts.push(`❌ ${count(grewPast.length)} grew past the limit: ${sum(grewPast)}`)
  if (overBudget.length) {
    parts.push(`❌ ${count(overBudget.length)} over the max-size budget: ${sizeOf(overBudget, 'head')} at the head`)
  }
  const warnedBaseline = warned.filter(image => image.baselineMissing)
  const warnedGrowth = warned.filter(image => !image.baselineMissing)
  if (warnedGrowth.length) {
    parts.push(`⚠️ ${count(warnedGrowth.length)} grew past the warning threshold: ${sum(warnedGrowth)}`)
  }
  if (warnedBaseline.length) parts.push(`⚠️ ${count(warnedBaseline.length)} without a baseline: the base build failed`)
  if (parts.length) return parts.join(' · ')
  if (images.length === 0) return '✅ No Dockerfile is affected by this PR.'
  // Only what was measured on both sides is a comparison; an added or removed image, or one
  // a side of which is missing, is said as what it is, never as "no size changed".
  const compared = images.filter(image => image.delta !== null)
  const added = images.filter(image => image.delta === null && image.target.change === 'added' && image.head)
  const removed = images.filter(image => image.delta === null && image.target.change === 'removed' && image.base)
  const unmeasured = images.length - compared.length - added.length - removed.length
  const shrunk = compared.filter(image => (image.delta ?? 0) < 0)
  const grown = compared.filter(image => (image.delta ?? 0) > 0)
  if (compared.length < images.length) {
    const said: string[] = []
    if (grown.length || shrunk.length) said.push(`${grown.length + shrunk.length} changed size (${sum(compared)})`)
    const same = compared.length - grown.length - shrunk.length
    if (same) said.push(`${same} unchanged`)
    if (added.length) said.push(`${added.length} added (${sizeOf(added, 'head')})`)
    if (removed.length) said.push(`${removed.length} removed (${sizeOf(removed, 'base')})`)
    if (unmeasured) said.push(`${unmeasured} not measured`)
    return `${unmeasured ? '⚠️' : '✅'} ${count(images.length)} checked: ${said.join(', ')}`
  }
  if (shrunk.length && !grown.length) {
    const only = shrunk.length === 1 ? shrunk[0] : undefined
    const percent = only?.deltaPercent != null ? ` (${formatPercent(only.deltaPercent)})` : ''
    return `✅ ${count(shrunk.length)} shrank: ${sum(shrunk)}${percent}`
  }
  if (grown.length || shrunk.length) {
    // "Within the limit" only where there is one: with none, the footer says "No limits set".
    return anyLimitSet(images)
      ? `✅ ${count(images.length)} checked, all within the limit: ${formatDelta(comparison.totalDelta)} in all`
      : `✅ ${count(images.length)} checked: ${formatDelta(comparison.totalDelta)} in all, no limit set`
  }
  return `✅ ${count(images.length)} checked, no size changed`
}

/** Whether any image is held to a limit: "within the limits" says nothing where none is set. */
export function anyLimitSet(images: readonly ImageResult[]): boolean {
  return images.some(
    image => image.limits.maxIncrease !== null || image.limits.warnIncrease !== null || image.limits.maxSize !== null
  )
}

const STATUS: Record<ImageResult['verdict'], string> = {
  pass: '✅ ok',
  warn: '⚠️ warning',
  fail: '❌ over limit',
  error: '💥 build failed'
}

export function statusOf(image: ImageResult): string {
  if (image.baselineMissing) return image.verdict === 'error' ? '💥 no baseline' : '⚠️ no baseline'
  if (image.verdict === 'fail' && image.limit === 'max-size') return '❌ over max-size'
  if (image.verdict !== 'pass') return STATUS[image.verdict]
  // "ok" is said only of an image measured on every side it has.
  const measuredHead = image.head !== null || image.target.change === 'removed'
  const measuredBase = image.base !== null || image.target.change === 'added'
  if (!measuredHead || !measuredBase) return '❔ not measured'
  if (image.target.change === 'added') return '🆕 new'
  if (image.target.change === 'removed') return '🗑️ removed'
  if (image.delta !== null && image.delta < 0) return '📉 smaller'
  return STATUS.pass
}

function isQuiet(image: ImageResult): boolean {
  return image.verdict === 'pass' && image.delta === 0
}

function row(image: ImageResult, compressed: boolean, links: RepositoryLinks | null): string {
  const cells = [
    targetCell(image.target, links),
    image.base ? formatSize(image.base.size) : '—',
    image.head ? formatSize(image.head.size) : '—',
    image.delta === null ? '—' : formatDelta(image.delta),
    image.deltaPercent === null ? '—' : formatPercent(image.deltaPercent),
    ...(compressed ? compressedCells(image) : []),
    oneLine(statusOf(image))
  ].map(unbreakable)
  return `| ${cells.join(' | ')} |`
}

const TABLE_HEAD = ['| Dockerfile | Base | Head | Δ | % | Status |', '| :-- | --: | --: | --: | --: | :-- |']
const COMPRESSED_HEAD = [
  '| Dockerfile | Base | Head | Δ | % | Pull base | Pull head | Pull Δ | Status |',
  '| :-- | --: | --: | --: | --: | --: | --: | --: | :-- |'
]

/** The pull size (compressed-size: true) beside the uncompressed one, with its own delta. */
function compressedCells(image: ImageResult): string[] {
  const base = image.base?.compressedSize
  const head = image.head?.compressedSize
  return [
    base === undefined ? '—' : formatSize(base),
    head === undefined ? '—' : formatSize(head),
    base === undefined || head === undefined ? '—' : formatDelta(head - base)
  ]
}

function sizeTable(
  images: ImageResult[],
  options: { compressed?: boolean; links?: RepositoryLinks | null } = {}
): string {
  const compressed = options.compressed ?? false
  const links = options.links ?? null
  return [...(compressed ? COMPRESSED_HEAD : TABLE_HEAD), ...images.map(image => row(image, compressed, links))].join(
    '\n'
  )
}

/**
 * What a rendering keeps. The full report keeps everything; report/fit.ts picks shorter
 * options, in its documented order, when the text must fit a limit. Nothing else shortens.
 */
export interface RenderOptions {
  /** The unchanged images: listed in a folded table, or only counted in the left-out note. */
  unchanged: 'listed' | 'counted'
  /** Why each image failed or warned (with its build output), and the "Why … changed" sections. */
  explanations: boolean
  /** Rows of the table, most important first; null: every changed image, in order. 0: no table, no footer. */
  rows: number | null
  /** Where the whole report is, said after what is left out; '' when nothing is. */
  pointer: string
}

const FULL_REPORT: RenderOptions = { unchanged: 'listed', explanations: true, rows: null, pointer: '' }

/** Failed builds first, then images past a limit, furthest first, then warnings, then the rest (order.ts). */
export const byImportance = byDistanceFromLimit

/** The comment's body (without its marker) and the job summary. */
export function renderMarkdown(
  comparison: Comparison,
  context: MarkdownContext,
  options: RenderOptions = FULL_REPORT
): string {
  const sections: string[] = [`**Docker image sizes** · ${summarizeOutcome(comparison, context.runError)}`]
  const links = context.links ?? null
  // Sorted once: the table, the sections and a shortened table all read in the same order.
  const loud = comparison.images.filter(image => !isQuiet(image)).sort(byImportance)
  const quiet = comparison.images.filter(isQuiet)
  const compressed = comparison.images.some(
    image => image.base?.compressedSize !== undefined || image.head?.compressedSize !== undefined
  )
  const explained = comparison.images.filter(image => image.verdict !== 'pass' || image.notes.length || image.logTail)
  if (options.rows === 0) {
    if (options.pointer) sections.push(options.pointer)
    return sections.join('\n\n')
  }
  const rows = options.rows === null ? loud : loud.slice(0, options.rows)
  if (rows.length) sections.push(sizeTable(rows, { compressed, links }))
  if (quiet.length && options.unchanged === 'listed') {
    const what = countOf(quiet.length, 'unchanged image')
    sections.push(`<details><summary>${what}</summary>\n\n${sizeTable(quiet, { compressed, links })}\n\n</details>`)
  }
  const leftOut: string[] = []
  if (loud.length > rows.length) leftOut.push(countOf(loud.length - rows.length, 'other image'))
  if (quiet.length && options.unchanged === 'counted') leftOut.push(countOf(quiet.length, 'unchanged image'))
  const leftOutCount = loud.length - rows.length + (options.unchanged === 'counted' ? quiet.length : 0)
  const note = [
    leftOut.length ? `${leftOut.join(' and ')} ${leftOutCount === 1 ? 'is' : 'are'} not listed here.` : '',
    !options.explanations && explained.length
      ? 'Why each image failed, warned or changed, and its build output, are left out.'
      : '',
    options.pointer
  ].filter(Boolean)
  if (note.length) sections.push(note.join(' '))
  if (options.explanations) {
    // One image at a time, in the table's order: why it failed or warned, then (folded) why it changed.
    for (const image of [...loud, ...quiet]) {
      if (explained.includes(image)) sections.push(explainImage(image, links))
      // Above the fold: the cause in one sentence, then what to do about each part of it.
      const cause = loud.includes(image) ? causeParagraph(image, links) : null
      if (cause) sections.push(cause)
      if (loud.includes(image)) sections.push(...adviceMarkdown(image))
      const growth = loud.includes(image) ? growthSection(image, links, context.paths) : null
      if (growth) sections.push(growth)
      const trend = loud.includes(image) ? trendSection(image, htmlCode(labelOf(image.target))) : null
      if (trend) sections.push(trend)
    }
  }
  sections.push(footer(comparison, context))
  return sections.join('\n\n')
}

function explainImage(image: ImageResult, links: RepositoryLinks | null = null): string {
  const lines = [`${statusOf(image)} ${targetName(image.target, links)}: ${prose(image.reason)}`]
  for (const note of image.notes) lines.push(`> ${prose(note)}`)
  const body = lines.join('\n\n')
  if (!image.logTail) return body
  const failure = failureSection(image, links)
  if (failure) return `${body}\n\n${failure}`
  return `${body}\n\n<details><summary>Last lines of the build output</summary>\n\n${preformatted(image.logTail)}\n\n</details>`
}

function footer(comparison: Comparison, context: MarkdownContext): string {
  const sha = (full: string) => {
    const short = full.slice(0, 7)
    const url = !full
      ? null
      : context.commitUrl
        ? context.commitUrl(full) || null
        : context.links
          ? commitLink(context.links.url, full)
          : null
    return url ? markdownLink(code(short), url) : code(short || 'unknown')
  }
  const pullHead = context.pullHeadSha
  // On a pull_request event the run checks GitHub's merge of the PR into its base, a commit the
  // PR's page never shows: name the PR's own head commit beside it.
  const merged =
    pullHead && pullHead !== comparison.revisions.headSha
      ? ` (the merge of the PR's head ${sha(pullHead)} into its base)`
      : ''
  const limits = [
    context.limits.maxIncrease ? `max-increase ${describeThreshold(context.limits.maxIncrease)}` : null,
    context.limits.warnIncrease ? `warn-increase ${describeThreshold(context.limits.warnIncrease)}` : null,
    context.limits.maxSize !== null ? `max-size ${formatSize(context.limits.maxSize)}` : null
  ].filter(Boolean)
  return (
    `<sub>Base ${sha(comparison.revisions.baseSha)} → head ${sha(comparison.revisions.headSha)}${merged}` +
    `${comparison.revisions.headUncommitted ? ' with uncommitted changes' : ''}. ` +
    `${sizeMeaning(context.engine, comparison.images)} ` +
    `${limits.length ? `Limits: ${limits.join(', ')}.` : 'No limits set.'}</sub>`
  )
}
