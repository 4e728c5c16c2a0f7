// Typed fakes of measured images for the unit tests of compare and report.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { attributeLayers } from '../src/measure/attribute.js'
import { stageInstructions } from '../src/tools/dockerfile.js'
import { parseHistory } from '../src/measure/history.js'
import { ImageChange, ImageMeasurement, InstructionSize, MeasuredImage, Revisions } from '../src/shared/types.js'

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
  const side = (size: number | null) =>
    size === null ? null : { size, id: `sha256:${String(size).padStart(64, '0')}`, layers: 2 }
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

const root = join(import.meta.dirname, '..')
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8')

/**
 * The calculator's regression as measured here: the head is `Dockerfile.single`, its layers
 * from a recorded `docker history` (Docker 20.10, BuildKit); the base is the multi-stage
 * `Dockerfile`, whose final stage holds the 1,269,760-byte binary alone.
 */
export function calculatorRegression(): MeasuredImage {
  const single = attributeLayers(
    stageInstructions(read('examples', 'calculator', 'Dockerfile.single')),
    parseHistory(read('__fixtures__', 'history', 'docker-20.10-buildkit-calculator-single.jsonl'))
  )!
  const multi = stageInstructions(read('examples', 'calculator', 'Dockerfile')).map(i => ({
    ...i,
    size: i.keyword === 'COPY' ? 1_269_760 : 0
  }))
  const total = (stage: InstructionSize[]) => stage.reduce((sum, i) => sum + i.size, 0)
  return {
    target: {
      dockerfile: 'calculator/Dockerfile',
      context: 'calculator',
      baseDockerfile: 'calculator/Dockerfile',
      baseContext: 'calculator',
      change: 'modified',
      reason: 'Dockerfile modified'
    },
    base: { size: total(multi), id: `sha256:${'a'.repeat(64)}`, layers: 1, instructions: multi },
    head: { size: total(single), id: `sha256:${'b'.repeat(64)}`, layers: 5, instructions: single },
    failedBuilds: []
  }
}

/** The same image grown by `factor` of its base, to land on a chosen verdict. */
export function grownBy(factor: number, instructions = true): MeasuredImage {
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
