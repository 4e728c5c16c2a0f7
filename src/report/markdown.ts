import { formatDelta, formatPercent, formatSize } from '../sizes.js'
import { describeThreshold } from '../thresholds.js'
import { Comparison, ImageResult } from '../types.js'
import { Limits } from '../compare.js'
import { escapeCell, preformatted } from './escape.js'
import { targetCell, targetName } from './target.js'

export interface MarkdownContext {
  limits: Limits
  /** Link target for a commit, or null to show the short SHA alone. */
  commitUrl?: (sha: string) => string
  /** A run-level error that stopped the check before every image was measured. */
  runError?: string
}

/** The one-line outcome that opens the comment, e.g. "1 image grew past the limit: +1.25 GB". */
export function summarizeOutcome(comparison: Comparison, runError?: string): string {
  const images = comparison.images
  const count = (n: number, what = 'image') => `${n} ${what}${n === 1 ? '' : 's'}`
  const sum = (list: ImageResult[]) => formatDelta(list.reduce((total, image) => total + (image.delta ?? 0), 0))
  const errored = images.filter(image => image.verdict === 'error')
  const failed = images.filter(image => image.verdict === 'fail')
  const warned = images.filter(image => image.verdict === 'warn')
  const parts: string[] = []
  if (runError) parts.push(`❌ The check could not finish: ${escapeCell(runError)}`)
  if (errored.length) parts.push(`❌ ${count(errored.length)} failed to build`)
  if (failed.length) parts.push(`❌ ${count(failed.length)} grew past the limit: ${sum(failed)}`)
  if (warned.length) parts.push(`⚠️ ${count(warned.length)} grew past the warning threshold: ${sum(warned)}`)
  if (parts.length) return parts.join(' · ')
  if (images.length === 0) return '✅ No Dockerfile is affected by this PR.'
  const compared = images.filter(image => image.delta !== null)
  const shrunk = compared.filter(image => (image.delta ?? 0) < 0)
  const grown = compared.filter(image => (image.delta ?? 0) > 0)
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

function statusOf(image: ImageResult): string {
  if (image.verdict !== 'pass') return STATUS[image.verdict]
  if (image.target.change === 'added') return '🆕 new'
  if (image.target.change === 'removed') return '🗑️ removed'
  if (image.delta !== null && image.delta < 0) return '📉 smaller'
  return STATUS.pass
}

function isQuiet(image: ImageResult): boolean {
  return image.verdict === 'pass' && image.delta === 0
}

function row(image: ImageResult): string {
  const cells = [
    targetCell(image.target),
    image.base ? formatSize(image.base.size) : '—',
    image.head ? formatSize(image.head.size) : '—',
    image.delta === null ? '—' : formatDelta(image.delta),
    image.deltaPercent === null ? '—' : formatPercent(image.deltaPercent),
    statusOf(image)
  ]
  return `| ${cells.join(' | ')} |`
}

const TABLE_HEAD = ['| Dockerfile | Base | Head | Δ | % | Status |', '| :-- | --: | --: | --: | --: | :-- |']

export function sizeTable(images: ImageResult[]): string {
  return [...TABLE_HEAD, ...images.map(row)].join('\n')
}

/** The comment's body (without its marker) and the job summary. */
export function renderMarkdown(comparison: Comparison, context: MarkdownContext): string {
  const sections: string[] = [`**Docker image sizes** · ${summarizeOutcome(comparison, context.runError)}`]
  const loud = comparison.images.filter(image => !isQuiet(image))
  const quiet = comparison.images.filter(isQuiet)
  if (loud.length) sections.push(sizeTable(loud))
  if (quiet.length) {
    const what = `${quiet.length} unchanged image${quiet.length === 1 ? '' : 's'}`
    sections.push(`<details><summary>${what}</summary>\n\n${sizeTable(quiet)}\n\n</details>`)
  }
  const explained = comparison.images.filter(image => image.verdict !== 'pass' || image.notes.length || image.logTail)
  for (const image of explained) sections.push(explainImage(image))
  sections.push(footer(comparison, context))
  return sections.join('\n\n')
}

function explainImage(image: ImageResult): string {
  const lines = [`${statusOf(image)} ${targetName(image.target)}: ${escapeCell(image.reason)}`]
  for (const note of image.notes) lines.push(`> ${escapeCell(note)}`)
  const body = lines.join('\n\n')
  if (!image.logTail) return body
  return `${body}\n\n<details><summary>Last lines of the build output</summary>\n\n${preformatted(image.logTail)}\n\n</details>`
}

function footer(comparison: Comparison, context: MarkdownContext): string {
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
    `<sub>Base ${sha(comparison.revisions.baseSha)} → head ${sha(comparison.revisions.headSha)}. ` +
    'Sizes are the uncompressed image size that `docker image inspect` reports, in decimal units (1 MB = 1,000,000 bytes). ' +
    `${limits.length ? `Limits: ${limits.join(', ')}.` : 'No limits set.'}</sub>`
  )
}
