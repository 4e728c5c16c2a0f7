import { EngineInfo } from '../docker.js'
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
  base: ImageMeasurement | null
  head: ImageMeasurement | null
  delta: number | null
  deltaPercent: number | null
  verdict: Verdict
  /** Why the verdict, in one sentence. */
  reason: string
  notes: string[]
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
    base: image.base,
    head: image.head,
    delta: image.delta,
    deltaPercent: image.deltaPercent === null ? null : Math.round(image.deltaPercent * 100) / 100,
    verdict: image.verdict,
    reason: image.reason,
    notes: image.notes
  }
}
