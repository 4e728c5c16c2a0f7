import { labelOf } from '../discover.js'
import { EngineInfo } from '../docker.js'
import { Shard } from '../shard.js'
import { Comparison, ImageMeasurement, ImageResult, Verdict } from '../types.js'

/**
 * The JSON report, documented in the README: other steps read it, so its shape only
 * grows. A change that removes or renames a field bumps `schemaVersion`.
 */
export interface JsonReport {
  schemaVersion: 1
  base: { sha: string }
  head: { sha: string }
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
  base: ImageMeasurement | null
  head: ImageMeasurement | null
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
    head: { sha: comparison.revisions.headSha },
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
    base: image.base,
    head: image.head,
    delta: image.delta,
    deltaPercent: image.deltaPercent === null ? null : Math.round(image.deltaPercent * 100) / 100,
    verdict: image.verdict,
    reason: image.reason,
    notes: image.notes,
    name: labelOf(image.target),
    baseContext: image.target.baseContext,
    trigger: image.target.trigger ?? 'dockerfile',
    builtOnce: image.target.identical === true && image.base !== null && image.base === image.head,
    logTail: image.logTail ?? null
  }
}
