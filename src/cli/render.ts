import { Limits } from '../judge/judge.js'
import { labelOf } from '../discover/discover.js'
import { growthOf, instructionText } from '../explain/instruction-growth.js'
import { byImportance, statusOf, summarizeOutcome } from '../report/markdown.js'
import { parseFailedStep } from '../scheduler/failed-step.js'
import { formatDelta, formatPercent, formatSize } from '../shared/sizes.js'
import { describeThreshold } from '../inputs/thresholds.js'
import { Comparison, ImageResult } from '../shared/types.js'
import { foldedText, pathsText } from '../report/paths-table.js'
import { adviceFor, causeLine } from '../report/cause.js'
import { recordPoints, trendLine } from '../report/trend.js'
import { painter, Paint, VERDICT_STYLE } from './terminal.js'
import { inertLine } from '../shared/inert.js'

export interface TerminalReportContext {
  limits: Limits
  /** What the base is the merge-base with ("main") and what the head is ("the working tree (…)"). */
  baseName: string
  headName: string
  runError: string | null
  colour: boolean
}

/** Pads columns to one width; 'right' for numbers. The last column is never padded. */
export function alignColumns(rows: string[][], align: ('left' | 'right')[]): string[] {
  const widths = align.map((_, column) => Math.max(...rows.map(row => [...(row[column] ?? '')].length)))
  return rows.map(row =>
    row
      .map((cell, column) => {
        if (column === row.length - 1) return cell
        const pad = ' '.repeat((widths[column] ?? 0) - [...cell].length)
        return align[column] === 'right' ? pad + cell : cell + pad
      })
      .join('  ')
      .trimEnd()
  )
}

/** The comment's table, as text: the same rows and statuses, every image included. */
export function textTable(images: ImageResult[]): string[] {
  const rows = images.map(image => [
    inertLine(
      [
        labelOf(image.target),
        image.target.build?.target ? ` [stage ${image.target.build.target}]` : '',
        image.target.change === 'renamed' ? ` (from ${image.target.baseDockerfile})` : ''
      ].join('')
    ),
    image.base ? formatSize(image.base.size) : '—',
    image.head ? formatSize(image.head.size) : '—',
    image.delta === null ? '—' : formatDelta(image.delta),
    image.deltaPercent === null ? '—' : formatPercent(image.deltaPercent),
    statusOf(image)
  ])
  return alignColumns(
    [['Dockerfile', 'Base', 'Head', 'Δ', '%', 'Status'], ...rows],
    ['left', 'right', 'right', 'right', 'right', 'left']
  )
}

/** What the command prints at the end, on stdout: the table, the reasons, the footer, the verdict. */
export function renderTerminalReport(comparison: Comparison, context: TerminalReportContext): string {
  const paint = painter(context.colour)
  const lines: string[] = []
  if (comparison.images.length) {
    // In the comment's order: failed builds, then the furthest past a limit, then the rest.
    const images = [...comparison.images].sort(byImportance)
    const [head, ...rows] = textTable(images)
    lines.push(paint('bold', head ?? ''))
    // textTable gives one row per image, in their order.
    images.forEach((image, i) => lines.push(paint(VERDICT_STYLE[image.verdict], rows[i] ?? '')))
    const explained = images.filter(image => image.verdict !== 'pass' || image.notes.length || (image.delta ?? 0) !== 0)
    for (const image of explained) lines.push('', ...explain(image, paint))
    lines.push('')
  }
  lines.push(paint('dim', footer(comparison, context)))
  lines.push(paint(outcomeStyle(comparison, context.runError), outcome(comparison, context)))
  return `${lines.join('\n')}\n`
}

/** How many instructions the terminal lists per image; the comment's details show five. */
const TOP_INSTRUCTIONS = 3
/** And how many paths; the comment's details show five, the JSON report up to 50. */
const TOP_PATHS = 3

function explain(image: ImageResult, paint: Paint): string[] {
  // Every string of the image but our own words is from outside: one line each, inert.
  const lines = [inertLine(`${statusOf(image)} ${labelOf(image.target)}: ${image.reason}`)]
  for (const note of image.notes) lines.push(`   ${inertLine(note)}`)
  // The cause and what to do, as the comment says them above its folded sections.
  const cause = causeLine(image)
  if (cause) lines.push(`   ${inertLine(cause)}`)
  for (const advice of adviceFor(image, 'text')) {
    lines.push(paint('yellow', `   ${advice.level}: ${inertLine(advice.text)}`))
  }
  // Only with both sides measured: a failed build's instructions did not vanish.
  const growth = image.verdict !== 'error' && image.base && image.head ? growthOf(image) : null
  if (growth && growth.changes.length) {
    const rows = growth.changes.slice(0, TOP_INSTRUCTIONS).map(change => {
      const instruction = (change.head ?? change.base) as NonNullable<typeof change.head>
      // Two instructions paired as one (a stage's FROM, an edited RUN) read as the change they are.
      const edited = change.base && change.head && instructionText(change.base) !== instructionText(change.head)
      const line = !change.head
        ? `base L${change.base?.line}`
        : edited
          ? `base L${change.base?.line} → L${change.head.line}`
          : `L${change.head.line}`
      const kind = change.kind === 'added' ? ' (new)' : change.kind === 'removed' ? ' (gone)' : ''
      const text =
        edited && change.base
          ? `${instructionText(change.base, 34)} → ${instructionText(instruction, 34)}`
          : instructionText(instruction, 70)
      return [`   ${line}`, formatDelta(change.delta), `${inertLine(text)}${kind}`]
    })
    lines.push('   The instructions that moved the most bytes:')
    lines.push(...alignColumns(rows, ['left', 'right', 'left']))
  }
  if (image.head && image.target.trend?.length) {
    const line = trendLine(recordPoints(image.target.trend), { label: 'this PR', bytes: image.head.size })
    if (line) lines.push(`   On the default branch: ${inertLine(line)}`)
  }
  if (image.paths && image.paths.paths.length) {
    lines.push('   The paths that moved the most bytes:')
    lines.push(
      ...alignColumns(
        pathsText(image.paths, TOP_PATHS).map(row => row.map(inertLine)),
        ['left', 'right', 'left']
      )
    )
    if (image.paths.folded) lines.push(paint('yellow', `   note: ${foldedText(image.paths.folded)}`))
  }
  if (image.logTail && image.verdict === 'error') {
    // The failing step first, as in the comment (report/failure.ts reads it from the log).
    const step = parseFailedStep(image.logTail)
    if (step?.instruction) {
      const line = step.line ?? image.failedBuilds.find(build => build.side === 'head')?.failedLine ?? null
      const where = [step.step ? `step ${step.step}` : '', line !== null ? `line ${line}` : '']
        .filter(Boolean)
        .join(', ')
      lines.push(
        `   The failing step${where ? ` (${where})` : ''}: ${inertLine(instructionText({ keyword: '', args: step.instruction }, 100))}`
      )
      for (const line of step.output) lines.push(paint('dim', `   │ ${line}`))
    }
    lines.push('   Last lines of the build output:')
    for (const line of image.logTail.split('\n')) lines.push(paint('dim', `   │ ${line}`))
  }
  return lines
}

function footer(comparison: Comparison, context: TerminalReportContext): string {
  const limits = [
    context.limits.maxIncrease ? `max-increase ${describeThreshold(context.limits.maxIncrease)}` : null,
    context.limits.warnIncrease ? `warn-increase ${describeThreshold(context.limits.warnIncrease)}` : null,
    context.limits.maxSize !== null ? `max-size ${formatSize(context.limits.maxSize)}` : null
  ].filter(Boolean)
  const base = comparison.revisions.baseSha.slice(0, 7) || 'unknown'
  const registry = comparison.images.length > 0 && comparison.images.every(image => image.target.reference)
  const compared = registry
    ? `Base ${context.baseName} → head ${context.headName}, read in the registry: each platform's size is its config and layers compressed, as its manifest lists them (what a pull transfers). `
    : `Base ${base} (merge-base with ${context.baseName}) → head ${context.headName}. `
  return compared + `${limits.length ? `Limits: ${limits.join(', ')}.` : 'No limits set.'}`
}

function outcome(comparison: Comparison, context: TerminalReportContext): string {
  const summary = summarizeOutcome(comparison)
  if (context.runError) {
    const finished = comparison.images.length ? `${summary}\n` : ''
    return `${finished}❌ The check could not finish: ${context.runError}`
  }
  if (comparison.images.length === 0) {
    return `✅ No Dockerfile changed between the base and ${context.headName}.`
  }
  return summary
}

function outcomeStyle(comparison: Comparison, runError: string | null) {
  if (runError) return 'red' as const
  return VERDICT_STYLE[comparison.verdict]
}
