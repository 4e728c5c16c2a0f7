// The images the command's unit tests judge and print: two fixed commits, a 10% limit, and
// images measured at given sizes, whose head build may have failed.
import { measuredImage } from '../../__fixtures__/images.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { Limits, MeasuredImage } from '../../src/shared/types.js'

export const revisions = {
  baseSha: '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  headSha: '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
}

export const limits: Limits = {
  maxIncrease: parseGrowthThreshold('max-increase', '10%'),
  warnIncrease: null,
  maxSize: null
}

/** An image measured at `base` and `head` bytes; `headFailed`: its head build failed. */
export function measured(
  dockerfile: string,
  base: number | null,
  head: number | null,
  headFailed = false
): MeasuredImage {
  const image = measuredImage(dockerfile, base, head, headFailed ? 'modified' : undefined)
  if (headFailed) {
    image.failedBuilds.push({
      side: 'head',
      ok: false,
      durationMs: 10,
      error: 'COPY failed: no such file',
      logTail: '#4 ERROR\nCOPY failed: no such file'
    })
  }
  return image
}
