// Typed fakes of measured images for the unit tests of compare and report.
import { MeasuredImage } from '../src/compare.js'
import { ImageChange, Revisions } from '../src/types.js'

export const REVISIONS: Revisions = {
  baseSha: '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  headSha: '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
}

/**
 * An image measured at `base` and `head` bytes; null for a side without the image. The
 * change follows from the sides unless given.
 */
export function measuredImage(
  dockerfile: string,
  base: number | null,
  head: number | null,
  change?: ImageChange
): MeasuredImage {
  const side = (size: number | null) => (size === null ? null : { size, id: `sha256:${size}`, layers: 2 })
  const inferred: ImageChange = change ?? (base === null ? 'added' : head === null ? 'removed' : 'modified')
  return {
    target: {
      dockerfile,
      context: '.',
      baseDockerfile: dockerfile,
      baseContext: '.',
      change: inferred,
      reason: `Dockerfile ${inferred}`
    },
    base: side(base),
    head: side(head),
    failedBuilds: []
  }
}
