// The local command's pure parts: its exit statuses.
import { measuredImage } from '../../__fixtures__/images.js'
import { describe, expect, it } from '@jest/globals'
import { UsageError } from '../../src/cli/args.js'
import { EXIT, exitCodeFor, exitCodeForError } from '../../src/cli/main.js'
import { compareImages } from '../../src/judge/judge.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { Limits, MeasuredImage } from '../../src/shared/types.js'
import { EngineUnavailableError, InterruptedError } from '../../src/shared/errors.js'

const revisions = {
  baseSha: '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  headSha: '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
}
const limits: Limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }

/** An image measured at `base` and `head` bytes; `headFailed`: its head build failed. */
function measured(dockerfile: string, base: number | null, head: number | null, headFailed = false): MeasuredImage {
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

describe('exit statuses', () => {
  it('is 1 for a broken limit or a failed head build, 0 otherwise', () => {
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 100, 400)], limits))).toBe(1)
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 100, null, true)], limits))).toBe(1)
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 400, 100)], limits))).toBe(0)
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 100, 105)], limits))).toBe(0)
    expect(exitCodeFor(compareImages(revisions, [], limits))).toBe(0)
    const warnOnly: Limits = { ...limits, maxIncrease: null, warnIncrease: parseGrowthThreshold('w', '1%') }
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 100, 400)], warnOnly))).toBe(0)
  })

  it('is 2 for bad usage, 3 without an engine, 130 on Ctrl-C and 1 for anything else', () => {
    expect(exitCodeForError(new UsageError('x'))).toBe(EXIT.usage)
    expect(exitCodeForError(new EngineUnavailableError('x'))).toBe(3)
    expect(exitCodeForError(new InterruptedError('SIGINT'))).toBe(130)
    expect(exitCodeForError(new InterruptedError('SIGTERM'))).toBe(143)
    expect(exitCodeForError(new Error('git broke'))).toBe(1)
    expect(exitCodeForError('a string')).toBe(1)
  })
})
