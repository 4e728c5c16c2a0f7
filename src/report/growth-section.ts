import { growthOf, instructionText } from '../explain/instruction-growth.js'
import { formatDelta, formatSize, countOf } from '../shared/sizes.js'
import { Growth, ImageResult, InstructionChange } from '../shared/types.js'
import { code, htmlCode } from './escape.js'
import { htmlLink, markdownLink, RepositoryLinks } from './links.js'
import { dockerfileUrl } from './target.js'
import { pathsMarkdown } from './paths-table.js'

const TOP = 5

const KIND: Record<InstructionChange['kind'], string> = {
  grew: 'grew',
  shrank: 'shrank',
  added: '🆕 new',
  removed: '🗑️ gone',
  same: 'same'
}

/**
 * For each image whose size changed, a folded list of the instructions that moved the
 * most bytes (top 5), so the reader sees why without opening the log.
 */
export function growthSections(images: ImageResult[], links: RepositoryLinks | null = null): string[] {
  return images.map(image => growthSection(image, links)).filter(section => section !== null)
}

/**
 * One image's section, or null. Only where both sides were measured: a failed build's
 * layers did not vanish (every base instruction would read "gone"), and a new image's
 * every instruction is new, which the table says already.
 */
export function growthSection(image: ImageResult, links: RepositoryLinks | null = null): string | null {
  if (image.verdict === 'error' || !image.base || !image.head) return null
  if (!image.delta && image.verdict === 'pass') return null
  const growth = growthOf(image)
  const paths = image.paths ? pathsMarkdown(image.paths) : ''
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
  const summary =
    `Why ${name} changed: the instructions that moved the most bytes ` +
    `(layers ${layers(growth.baseLayers)} → ${layers(growth.headLayers)})`
  const rows = growth.changes.slice(0, TOP).map(change => {
    const instruction = change.head ?? change.base
    // A head line links to that line of the Dockerfile; a base line is on no page we link.
    const line = change.head
      ? markdownLink(`L${change.head.line}`, dockerfileUrl(image.target, links, change.head.line))
      : `base L${change.base?.line}`
    return `| ${line} | ${code(instructionText(instruction as NonNullable<typeof instruction>), { table: true })} | ${
      change.base ? formatSize(change.base.size) : '—'
    } | ${change.head ? formatSize(change.head.size) : '—'} | ${formatDelta(change.delta)} | ${KIND[change.kind]} |`
  })
  const more = growth.changes.length - TOP
  const table = [
    '| Line | Instruction | Base | Head | Δ | |',
    '| --: | :-- | --: | --: | --: | :-- |',
    ...rows,
    ...(more > 0 ? [`\n${countOf(more, 'more instruction')} changed size: see the JSON report.`] : [])
  ].join('\n')
  // `<details>` opens an HTML block, where markdown is not parsed: the path is an HTML <code>.
  return `<details><summary>${summary}</summary>\n\n${table}${paths ? `\n\n${paths}` : ''}\n\n</details>`
}
