import { Growth, growthOf, instructionText } from '../explain/growth.js'
import { InstructionChange } from '../explain/match.js'
import { formatDelta, formatSize, countOf } from '../shared/sizes.js'
import { ImageResult } from '../shared/types.js'
import { code, htmlCode } from './escape.js'
import { pathsMarkdown } from './paths.js'

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
export function growthSections(images: ImageResult[]): string[] {
  const sections: string[] = []
  for (const image of images) {
    if (!image.delta && image.verdict === 'pass') continue
    const growth = growthOf(image)
    const paths = image.paths ? pathsMarkdown(image.paths) : ''
    if ((!growth || growth.changes.length === 0) && !paths) continue
    sections.push(growthDetails(image, growth, paths))
  }
  return sections
}

function growthDetails(image: ImageResult, growth: Growth | null, paths: string): string {
  const layers = (count: number | null) => (count === null ? '—' : String(count))
  if (!growth || growth.changes.length === 0) {
    return `<details><summary>Why ${htmlCode(image.target.dockerfile)} changed: the paths that moved the most bytes</summary>\n\n${paths}\n\n</details>`
  }
  const summary =
    `Why ${htmlCode(image.target.dockerfile)} changed: the instructions that moved the most bytes ` +
    `(layers ${layers(growth.baseLayers)} → ${layers(growth.headLayers)})`
  const rows = growth.changes.slice(0, TOP).map(change => {
    const instruction = change.head ?? change.base
    const line = change.head ? `L${change.head.line}` : `base L${change.base?.line}`
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
