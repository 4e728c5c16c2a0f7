import { describe, expect, it } from '@jest/globals'
import { calculatorRegression } from '../../__fixtures__/images.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { compareImages } from '../../src/judge/judge.js'
import { annotationsFor } from '../../src/report/annotations.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { ImageMeasurement, InstructionSize, Limits, MeasuredImage } from '../../src/shared/types.js'
import { nth, only } from '../support/lists.js'

const root = join(import.meta.dirname, '..', '..')
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8')
const revisions = { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) }
const limits: Limits = {
  maxIncrease: parseGrowthThreshold('max-increase', '50%'),
  warnIncrease: parseGrowthThreshold('warn-increase', '10%'),
  maxSize: null
}

/** The calculator's two Dockerfiles as measured from the recorded single-stage history. */

/** The same image grown by `factor` of its base, to land on a chosen verdict. */
function grownBy(factor: number, instructions = true): MeasuredImage {
  const line = (n: number, keyword: string, args: string, size: number): InstructionSize => ({
    keyword,
    args,
    size,
    line: n,
    endLine: n
  })
  const [from, copy] = [line(1, 'FROM', 'busybox:local', 1_000_000), line(2, 'COPY', 'app | <b>x</b> /app', 0)]
  const base = [from, copy]
  const head = [from, line(2, 'RUN', 'echo `grow` > /x', 1_000_000 * factor), copy]
  const side = (stage: InstructionSize[]): ImageMeasurement => ({
    size: stage.reduce((sum, i) => sum + i.size, 0),
    id: `sha256:${'a'.repeat(64)}`,
    layers: stage.length,
    ...(instructions ? { instructions: stage } : {})
  })
  return {
    target: {
      dockerfile: 'svc/Dockerfile',
      context: 'svc',
      baseDockerfile: 'svc/Dockerfile',
      baseContext: 'svc',
      change: 'modified',
      reason: 'Dockerfile modified'
    },
    base: side(base),
    head: side(head),
    failedBuilds: []
  }
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
