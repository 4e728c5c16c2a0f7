import { labelOf } from '../discover/discover.js'
import { ImageReferences, ImageTarget } from '../shared/types.js'
import { describeRecordedBaseline } from '../records/describe.js'
import { code, prose } from './escape.js'
import { blobUrl, markdownLink, RepositoryLinks } from './links.js'

const IN_TABLE = { table: true }

/**
 * The first cell of an image's row: its name, and below it in small type what a reader
 * needs to place it: the path it was renamed from, the Dockerfile behind a configured name,
 * and why it was checked when that was not a change of its own Dockerfile.
 */
export function targetCell(target: ImageTarget, links: RepositoryLinks | null = null): string {
  const notes: string[] = []
  if (target.reference) notes.push(referenceNote(target.reference))
  else if (target.name) notes.push(code(target.dockerfile, IN_TABLE))
  // Which stage was measured, where a config, compose or bake file chose one (none: the last).
  if (target.build?.target) notes.push(`stage ${code(target.build.target, IN_TABLE)}`)
  if (target.change === 'renamed') notes.push(`from ${code(target.baseDockerfile, IN_TABLE)}`)
  if (target.trigger === 'context' || target.trigger === 'watch') notes.push(prose(target.reason, IN_TABLE))
  if (target.baseline) notes.push(describeRecordedBaseline(target.baseline, short => code(short, IN_TABLE)))
  const name = markdownLink(code(labelOf(target), IN_TABLE), dockerfileUrl(target, links))
  return notes.length ? `${name}<br><sub>${notes.join(' · ')}</sub>` : name
}

/** What a registry image's row compares: the two references (or the record), read and never built. */
function referenceNote(reference: ImageReferences): string {
  const head = reference.head ? code(reference.head, IN_TABLE) : 'no head'
  const base = reference.base ? code(reference.base, IN_TABLE) : null
  return base ? `${base} → ${head}` : head
}

/** The image's name in a sentence, linked to its Dockerfile where there is one at the head. */
export function targetName(target: ImageTarget, links: RepositoryLinks | null = null): string {
  return markdownLink(code(labelOf(target)), dockerfileUrl(target, links))
}

/** The Dockerfile at the linked commit (and a line of it); none for an image the PR removed. */
export function dockerfileUrl(target: ImageTarget, links: RepositoryLinks | null, line?: number | null): string | null {
  if (!links || target.change === 'removed' || !target.dockerfile) return null
  return blobUrl(links, target.dockerfile, line)
}
