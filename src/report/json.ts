import { EngineInfo } from '../docker.js'
import { growthOf } from '../explain/growth.js'
import { Comparison, ImageMeasurement, ImageResult, Verdict } from '../types.js'

/**
 * The JSON report, documented in the README: other steps read it, so its shape only
 * grows. A change that removes or renames a field bumps `schemaVersion`.
 */
export interface JsonReport {
  schemaVersion: 1
  base: { sha: string }
  /** `uncommitted: true` when the head is a working tree with changes not committed yet (the local command). */
  head: { sha: string; uncommitted?: boolean }
  verdict: Verdict
  totalDelta: number
  /** Set when the run stopped before every image was measured. */
  error: string | null
  engine: EngineInfo | null
  images: JsonImage[]
}

export interface JsonImage {
  dockerfile: string
  context: string
  /** The Dockerfile's path at the base, where it differs (a rename). */
  baseDockerfile: string
  status: 'added' | 'modified' | 'removed' | 'renamed' | 'unchanged'
  /** Why the image was checked (the Dockerfile changed, its context changed). */
  checkedBecause: string
  base: JsonSide | null
  head: JsonSide | null
  delta: number | null
  deltaPercent: number | null
  verdict: Verdict
  /** Why the verdict, in one sentence. */
  reason: string
  notes: string[]
  /** The instructions whose bytes changed, largest change first; null where the layers could not be read. */
  instructionChanges: JsonInstructionChange[] | null
}

export type JsonSide = Pick<
  ImageMeasurement,
  'size' | 'id' | 'layers' | 'sizeSource' | 'inspectSize' | 'compressedSize'
>

export interface JsonInstructionChange {
  kind: 'grew' | 'shrank' | 'added' | 'removed' | 'same'
  /** The instruction as written (at the head, or at the base when it is gone). */
  instruction: string
  /** 1-based line in the head's Dockerfile; null when the instruction is gone. */
  line: number | null
  baseLine: number | null
  baseSize: number | null
  headSize: number | null
  delta: number
}

export function toJsonReport(comparison: Comparison, engine: EngineInfo | null, error: string | null): JsonReport {
  return {
    schemaVersion: 1,
    base: { sha: comparison.revisions.baseSha },
    head: {
      sha: comparison.revisions.headSha,
      ...(comparison.revisions.headUncommitted ? { uncommitted: true } : {})
    },
    verdict: error ? 'error' : comparison.verdict,
    totalDelta: comparison.totalDelta,
    error,
    engine,
    images: comparison.images.map(toJsonImage)
  }
}

function toJsonImage(image: ImageResult): JsonImage {
  return {
    dockerfile: image.target.dockerfile,
    context: image.target.context,
    baseDockerfile: image.target.baseDockerfile,
    status: image.target.change,
    checkedBecause: image.target.reason,
    base: sideOf(image.base),
    head: sideOf(image.head),
    delta: image.delta,
    deltaPercent: image.deltaPercent === null ? null : Math.round(image.deltaPercent * 100) / 100,
    verdict: image.verdict,
    reason: image.reason,
    notes: image.notes,
    instructionChanges:
      growthOf(image)?.changes.map(change => {
        const instruction = (change.head ?? change.base) as NonNullable<typeof change.head>
        return {
          kind: change.kind,
          instruction: `${instruction.keyword} ${instruction.args}`.trim(),
          line: change.head?.line ?? null,
          baseLine: change.base?.line ?? null,
          baseSize: change.base?.size ?? null,
          headSize: change.head?.size ?? null,
          delta: change.delta
        }
      }) ?? null
  }
}

/** A side without its per-instruction detail, which `instructionChanges` sums up. */
function sideOf(side: ImageMeasurement | null): JsonSide | null {
  if (!side) return null
  const { size, id, layers, sizeSource, inspectSize, compressedSize } = side
  return { size, id, layers, sizeSource, inspectSize, compressedSize }
}
