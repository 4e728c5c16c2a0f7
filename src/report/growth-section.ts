import { growthOf, instructionText } from '../explain/instruction-growth.js'
import { formatDelta, formatSize, countOf, oneLine, unbreakable } from '../shared/sizes.js'
import { Growth, ImageResult, InstructionChange } from '../shared/types.js'
import { code, htmlCode } from './escape.js'
import { htmlLink, markdownLink, RepositoryLinks } from './links.js'
import { dockerfileUrl } from './target.js'
import { PathRows, pathsMarkdown } from './paths-table.js'

const TOP = 5

/** Each with its mark, on one line (the spaces non-breaking): a status never wraps. */
const KIND: Record<InstructionChange['kind'], string> = {
  grew: oneLine('📈 grew'),
  shrank: oneLine('📉 shrank'),
  added: oneLine('🆕 new'),
  removed: oneLine('🗑️ gone'),
  same: oneLine('= same')
}

/**
 * One image's section, or null. Only where both sides were measured: a failed build's
 * layers did not vanish (every base instruction would read "gone"), and a new image's
 * every instruction is new, which the table says already.
 */
export function growthSection(
  image: ImageResult,
  links: RepositoryLinks | null = null,
  pathRows: PathRows = {}
): string | null {
  if (image.verdict === 'error' || !image.base || !image.head) return null
  if (!image.delta && image.verdict === 'pass') return null
  const growth = growthOf(image)
  const paths = image.paths ? pathsMarkdown(image.paths, pathRows) : ''
  if ((!growth || growth.changes.length === 0) && !paths) return null
  return growthDetails(image, growth, paths, links)
}

function growthDetails(
  image: ImageResult,
  growth: Growth | null,
  paths: string,
  links: RepositoryLinks | null
): string {
  const layers = (count: number | null) => (count === null ? '—' : String(count))
  const name = htmlLink(htmlCode(image.target.dockerfile), dockerfileUrl(image.target, links))
  if (!growth || growth.changes.length === 0) {
    return `<details><summary>Why ${name} changed: the paths that moved the most bytes</summary>\n\n${paths}\n\n</details>`
  }
  const summary = `Why ${name} changed: instructions (layers ${layers(growth.baseLayers)} → ${layers(growth.headLayers)})${paths ? ' and paths' : ''}`
  const size = (bytes: number) => unbreakable(formatSize(bytes))
  const rows = growth.changes.slice(0, TOP).map(change => {
    const headLine = change.head
      ? markdownLink(`L${change.head.line}`, dockerfileUrl(image.target, links, change.head.line))
      : null
    // Two instructions paired as one (a stage's FROM, an edited RUN) are shown as the change
    // they are, both lines and both texts: never one text standing for the other.
    const baseText = change.base ? instructionText(change.base) : null
    const headText = change.head ? instructionText(change.head) : null
    const edited = baseText !== null && headText !== null && baseText !== headText
    const line =
      headLine === null
        ? oneLine(`base L${change.base?.line}`)
        : edited
          ? `${oneLine(`base L${change.base?.line} → `)}${headLine}`
          : headLine
    const text = edited
      ? `${code(baseText, { table: true })} → ${code(headText, { table: true })}`
      : code((headText ?? baseText) as string, { table: true })
    return `| ${line} | ${text} | ${change.base ? size(change.base.size) : '—'} | ${
      change.head ? size(change.head.size) : '—'
    } | ${unbreakable(formatDelta(change.delta))} | ${KIND[change.kind]} |`
  })
  const more = growth.changes.length - TOP
  const table = [
    '| Line | Instruction | Base | Head | Δ | Change |',
    '| --: | :-- | --: | --: | --: | :-- |',
    ...rows,
    ...(more > 0 ? [`\n${countOf(more, 'more instruction')} changed size: see the JSON report.`] : [])
  ].join('\n')
  // `<details>` opens an HTML block, where markdown is not parsed: the path is an HTML <code>.
  return `<details><summary>${summary}</summary>\n\n${table}${paths ? `\n\n${paths}` : ''}\n\n</details>`
}
