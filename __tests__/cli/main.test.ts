// The local command's pure parts: its exit statuses.
import { describe, expect, it } from '@jest/globals'
import { UsageError } from '../../src/cli/args.js'
import { EXIT, exitCodeFor, exitCodeForError } from '../../src/cli/main.js'
import { compareImages } from '../../src/judge/judge.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { EngineUnavailableError, InterruptedError } from '../../src/shared/errors.js'
import { Limits } from '../../src/shared/types.js'
import { limits, measured, revisions } from '../support/command-images.js'

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
