import { formatDelta, formatPercent, formatSize, countOf } from '../shared/sizes.js'
import { describeThreshold } from '../inputs/thresholds.js'
import { Comparison, ImageResult } from '../shared/types.js'
import { Limits } from '../judge/judge.js'
import { EngineInfo } from '../tools/docker.js'
import { escapeCell, preformatted } from './escape.js'
import { growthSections } from './growth.js'
import { sizeMeaning } from './size-meaning.js'
import { targetCell, targetName } from './target.js'

export interface MarkdownContext {
  limits: Limits
  /** Link target for a commit, or null to show the short SHA alone. */
  commitUrl?: (sha: string) => string
  /** A run-level error that stopped the check before every image was measured. */
  runError?: string
  /** The engine that measured, for the footer's word on what the sizes are. */
  engine?: EngineInfo | null
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
  if (runError) parts.push(`❌ The check could not finish: ${escapeCell(runError)}`)
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
    return `✅ ${count(images.length)} checked, all within the limit: ${formatDelta(comparison.totalDelta)} in all`
  }
  return `✅ ${count(images.length)} checked, no size changed`
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

export function isQuiet(image: ImageResult): boolean {
  return image.verdict === 'pass' && image.delta === 0
}

function row(image: ImageResult, compressed: boolean): string {
  const cells = [
    targetCell(image.target),
    image.base ? formatSize(image.base.size) : '—',
    image.head ? formatSize(image.head.size) : '—',
    image.delta === null ? '—' : formatDelta(image.delta),
    image.deltaPercent === null ? '—' : formatPercent(image.deltaPercent),
    ...(compressed ? compressedCells(image) : []),
    statusOf(image)
  ]
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

export function sizeTable(images: ImageResult[], options: { compressed?: boolean } = {}): string {
  const compressed = options.compressed ?? false
  return [...(compressed ? COMPRESSED_HEAD : TABLE_HEAD), ...images.map(image => row(image, compressed))].join('\n')
}

/** The comment's body (without its marker) and the job summary. */
export function renderMarkdown(comparison: Comparison, context: MarkdownContext): string {
  const sections: string[] = [`**Docker image sizes** · ${summarizeOutcome(comparison, context.runError)}`]
  const loud = comparison.images.filter(image => !isQuiet(image))
  const quiet = comparison.images.filter(isQuiet)
  const compressed = comparison.images.some(
    image => image.base?.compressedSize !== undefined || image.head?.compressedSize !== undefined
  )
  if (loud.length) sections.push(sizeTable(loud, { compressed }))
  if (quiet.length) {
    const what = countOf(quiet.length, 'unchanged image')
    sections.push(`<details><summary>${what}</summary>\n\n${sizeTable(quiet, { compressed })}\n\n</details>`)
  }
  const explained = comparison.images.filter(image => image.verdict !== 'pass' || image.notes.length || image.logTail)
  for (const image of explained) sections.push(explainImage(image))
  sections.push(...growthSections(loud))
  sections.push(footer(comparison, context))
  return sections.join('\n\n')
}

export function explainImage(image: ImageResult): string {
  const lines = [`${statusOf(image)} ${targetName(image.target)}: ${escapeCell(image.reason)}`]
  for (const note of image.notes) lines.push(`> ${escapeCell(note)}`)
  const body = lines.join('\n\n')
  if (!image.logTail) return body
  return `${body}\n\n<details><summary>Last lines of the build output</summary>\n\n${preformatted(image.logTail)}\n\n</details>`
}

export function footer(comparison: Comparison, context: MarkdownContext): string {
  const sha = (full: string) => {
    const short = full.slice(0, 7)
    return context.commitUrl && full ? `[\`${short}\`](${context.commitUrl(full)})` : `\`${short || 'unknown'}\``
  }
  const limits = [
    context.limits.maxIncrease ? `max-increase ${describeThreshold(context.limits.maxIncrease)}` : null,
    context.limits.warnIncrease ? `warn-increase ${describeThreshold(context.limits.warnIncrease)}` : null,
    context.limits.maxSize !== null ? `max-size ${formatSize(context.limits.maxSize)}` : null
  ].filter(Boolean)
  return (
    `<sub>Base ${sha(comparison.revisions.baseSha)} → head ${sha(comparison.revisions.headSha)}` +
    `${comparison.revisions.headUncommitted ? ' with uncommitted changes' : ''}. ` +
    `${sizeMeaning(context.engine, comparison.images)} ` +
    `${limits.length ? `Limits: ${limits.join(', ')}.` : 'No limits set.'}</sub>`
  )
}
