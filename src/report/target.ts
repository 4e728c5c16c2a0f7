import { labelOf } from '../changes/discover.js'
import { ImageTarget } from '../shared/types.js'
import { code, escapeCell } from './escape.js'

/**
 * The first cell of an image's row: its name, and below it in small type what a reader
 * needs to place it: the path it was renamed from, the Dockerfile behind a configured name,
 * and why it was checked when that was not a change of its own Dockerfile.
 */
export function targetCell(target: ImageTarget): string {
  const notes: string[] = []
  if (target.name) notes.push(code(target.dockerfile))
  if (target.change === 'renamed') notes.push(`from ${code(target.baseDockerfile)}`)
  if (target.trigger === 'context' || target.trigger === 'watch') notes.push(escapeCell(target.reason))
  const name = code(labelOf(target))
  return notes.length ? `${name}<br><sub>${notes.join(' · ')}</sub>` : name
}

/** The image's name in a sentence. */
export function targetName(target: ImageTarget): string {
  return code(labelOf(target))
}
