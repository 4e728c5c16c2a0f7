import { labelOf } from '../changes/discover.js'
import { EngineInfo } from '../tools/docker.js'
import { growthOf } from '../explain/growth.js'
import { Shard } from '../inputs/shard.js'
import { Comparison, ImageMeasurement, ImageResult, PathBreakdown, Verdict } from '../shared/types.js'

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
  /** The slice of the affected images this run checked (`shard: 2/4`), or null for all of them. */
  shard: Shard | null
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
  /** The images config's name, or the Dockerfile path. */
  name: string
  baseContext: string
  /** What made the image affected: its Dockerfile, its build context, or a watched file. */
  trigger: 'dockerfile' | 'context' | 'watch'
  /** The Dockerfile and the build context were the same on both sides: built once, for both. */
  builtOnce: boolean
  /** The last lines of a failed build's output, or null. */
  logTail: string | null
  /** The instructions whose bytes changed, largest change first; null where the layers could not be read. */
  instructionChanges: JsonInstructionChange[] | null
  /**
   * Where the bytes went, folder by folder, from the layers the two images do not share;
   * null when not made (explain without paths, an image new or gone, the same size, a failure).
   */
  paths: PathBreakdown | null
}

export type JsonSide = Pick<
  ImageMeasurement,
  'size' | 'id' | 'layers' | 'sizeSource' | 'inspectSize' | 'compressedSize' | 'instructions'
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

export function toJsonReport(
  comparison: Comparison,
  engine: EngineInfo | null,
  error: string | null,
  shard: Shard | null = null
): JsonReport {
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
    shard,
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
    name: labelOf(image.target),
    baseContext: image.target.baseContext,
    trigger: image.target.trigger ?? 'dockerfile',
    builtOnce: image.target.identical === true && image.base !== null && image.base === image.head,
    logTail: image.logTail ?? null,
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
      }) ?? null,
    paths: image.paths ?? null
  }
}

/**
 * A side as measured. Its per-instruction sizes stay in, though `instructionChanges` sums
 * them up: the merge of shard reports explains each image from them, as a single run does.
 */
function sideOf(side: ImageMeasurement | null): JsonSide | null {
  if (!side) return null
  const { size, id, layers, sizeSource, inspectSize, compressedSize, instructions } = side
  return { size, id, layers, sizeSource, inspectSize, compressedSize, instructions }
}
