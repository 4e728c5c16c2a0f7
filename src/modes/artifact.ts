import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { MeasuredImage } from '../judge/judge.js'
import { EngineInfo } from '../tools/docker.js'
import { RunState } from './check.js'
import { ImageChange, ImageMeasurement, Revisions, Side } from '../shared/types.js'

/**
 * What `mode: measure` leaves for `mode: comment`: the measurements, not the verdicts and not
 * the markdown. The comment run treats every byte of it as written by the PR's author (a fork
 * PR's workflow can write anything into it), so it carries plain data only; the limits, the
 * verdicts, the comment's key and its text are decided by the comment run itself.
 */
export interface SizeArtifact {
  schemaVersion: 1
  tool: 'docker-size-check'
  /** The PR as the measure run's event named it: a hint, checked against the API before use. */
  pullRequest: { number: number; headSha: string } | null
  revisions: Revisions
  engine: EngineInfo | null
  /** Why the measure run stopped early, when it did. */
  error: string | null
  images: ArtifactImage[]
}

export interface ArtifactImage {
  dockerfile: string
  context: string
  baseDockerfile: string
  baseContext: string
  change: ImageChange
  checkedBecause: string
  base: ImageMeasurement | null
  head: ImageMeasurement | null
  failedBuilds: Array<{ side: Side; error: string; logTail: string }>
}

export const ARTIFACT_FILE = 'docker-size-check.json'
export const ARTIFACT_SCHEMA_VERSION = 1

/** Where the artifact goes when the `artifact-path` input is empty. */
export function defaultArtifactDir(runnerTemp: string): string {
  return join(runnerTemp, 'docker-size-check-artifact')
}

export function toArtifact(state: RunState, pullRequest: SizeArtifact['pullRequest']): SizeArtifact {
  return {
    schemaVersion: ARTIFACT_SCHEMA_VERSION,
    tool: 'docker-size-check',
    pullRequest,
    revisions: state.revisions,
    engine: state.engine,
    error: state.error,
    images: state.measured.map(toArtifactImage)
  }
}

function toArtifactImage(image: MeasuredImage): ArtifactImage {
  return {
    dockerfile: image.target.dockerfile,
    context: image.target.context,
    baseDockerfile: image.target.baseDockerfile,
    baseContext: image.target.baseContext,
    change: image.target.change,
    checkedBecause: image.target.reason,
    base: image.base,
    head: image.head,
    failedBuilds: image.failedBuilds.map(build => ({
      side: build.side,
      error: build.error ?? '',
      logTail: build.logTail ?? ''
    }))
  }
}

/** Writes the artifact file into `dir` (made if missing) and returns the file's path. */
export async function writeArtifact(dir: string, artifact: SizeArtifact): Promise<string> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, ARTIFACT_FILE)
  await writeFile(path, `${JSON.stringify(artifact, null, 2)}\n`)
  return path
}

/** The measure run's state, rebuilt from a validated artifact, for the comment run to judge and report. */
export function stateFromArtifact(artifact: SizeArtifact): RunState {
  return {
    revisions: artifact.revisions,
    engine: artifact.engine,
    error: artifact.error,
    measured: artifact.images.map(image => ({
      target: {
        dockerfile: image.dockerfile,
        context: image.context,
        baseDockerfile: image.baseDockerfile,
        baseContext: image.baseContext,
        change: image.change,
        reason: image.checkedBecause
      },
      base: image.base,
      head: image.head,
      failedBuilds: image.failedBuilds.map(build => ({
        side: build.side,
        ok: false,
        durationMs: 0,
        ...(build.error ? { error: build.error } : {}),
        ...(build.logTail ? { logTail: build.logTail } : {})
      }))
    }))
  }
}
