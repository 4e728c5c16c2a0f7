import { ImageResult } from '../shared/types.js'
import { code, preformatted } from './escape.js'
import { parseFailedStep } from '../scheduler/failed-step.js'
import { markdownLink, RepositoryLinks } from './links.js'
import { dockerfileUrl } from './target.js'

/**
 * What failed, first: the failing step's instruction and Dockerfile line, its own last lines
 * of output, then the rest of the log folded. Null where the log names no step (the caller
 * shows the log's last lines as they are). Build output stays inside `<pre>` and code spans.
 */
export function failureSection(image: ImageResult, links: RepositoryLinks | null): string | null {
  if (!image.logTail) return null
  const step = parseFailedStep(image.logTail)
  if (!step || (!step.instruction && step.output.length === 0)) return null
  const headFailed = image.failedBuilds.some(build => build.side === 'head')
  const side = headFailed ? 'head' : 'base'
  // The builder's quote of the Dockerfile, else the line the build step found by the instruction.
  const line = step.line ?? image.failedBuilds.find(build => build.side === side)?.failedLine ?? null
  const where: string[] = []
  if (step.step) where.push(`step ${code(step.step)}`)
  if (line !== null) {
    // The line is in the head's Dockerfile only when the head failed.
    const url = headFailed ? dockerfileUrl(image.target, links, line) : null
    where.push(markdownLink(`line ${line}`, url))
  }
  const heading =
    `**The failing step** of the ${side} build${where.length ? ` (${where.join(', ')})` : ''}: ` +
    (step.instruction ? code(step.instruction, { max: 300 }) : 'not named in the output')
  const parts = [heading]
  if (step.output.length) parts.push(preformatted(step.output.join('\n')))
  parts.push(
    `<details><summary>The rest of the build output (its last lines)</summary>\n\n${preformatted(image.logTail)}\n\n</details>`
  )
  return parts.join('\n\n')
}
