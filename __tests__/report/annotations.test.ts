import { describe, expect, it } from '@jest/globals'
import { calculatorRegression, grownBy } from '../../__fixtures__/images.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { compareImages } from '../../src/judge/judge.js'
import { annotationsFor } from '../../src/report/annotations.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { Limits } from '../../src/shared/types.js'
import { nth, only } from '../support/lists.js'

const root = join(import.meta.dirname, '..', '..')
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8')
const revisions = { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) }
const limits: Limits = {
  maxIncrease: parseGrowthThreshold('max-increase', '50%'),
  warnIncrease: parseGrowthThreshold('warn-increase', '10%'),
  maxSize: null
}

describe('annotationsFor', () => {
  it('puts an error on the RUN that installs the Go toolchain', () => {
    const comparison = compareImages(revisions, [calculatorRegression()], limits)
    const annotation = only(annotationsFor(comparison), 'annotation')
    const runLine =
      read('examples', 'calculator', 'Dockerfile.single')
        .split('\n')
        .findIndex(l => l.startsWith('RUN apt-get')) + 1
    expect(annotation).toMatchObject({ level: 'error', file: 'calculator/Dockerfile', startLine: runLine })
    expect(annotation.message).toMatch(
      /^Grew \+840 MB .* This instruction adds the most: \+618 MB \(RUN apt-get update/
    )
  })

  it('warns past warn-increase, and says nothing within it', () => {
    expect(annotationsFor(compareImages(revisions, [grownBy(0.2)], limits))).toEqual([
      expect.objectContaining({ level: 'warning', file: 'svc/Dockerfile', startLine: 2, endLine: 2 })
    ])
    expect(annotationsFor(compareImages(revisions, [grownBy(0.05)], limits))).toEqual([])
  })

  it('names the file alone when the layers could not be read', () => {
    const annotation = nth(annotationsFor(compareImages(revisions, [grownBy(2, false)], limits)), 0)
    expect(annotation).toMatchObject({ level: 'error', file: 'svc/Dockerfile' })
    expect(annotation.startLine).toBeUndefined()
  })
})
