import { constants } from 'node:fs'
import { mkdir, open, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import * as z from 'zod'
import { growthOf } from '../explain/instruction-growth.js'
import { Shard } from '../inputs/shard.js'
import { parseGrowthThreshold } from '../inputs/thresholds.js'
import { Comparison, EngineInfo, ImageResult, labelOf, MeasuredImage, RunState } from '../shared/types.js'
import { describeIssue, Direction, FIELD_LIMITS, genericError, short } from '../shared/fields.js'
import {
  ARTIFACT_SCHEMA_VERSION,
  artifactSchema,
  JsonImage,
  JsonReport,
  REPORT_SCHEMA_VERSION,
  reportSchema,
  SerializedImage,
  SizeArtifact
} from './schema.js'
import { ArtifactError, RunFileError, ThresholdError } from '../shared/errors.js'

// The one writer and the one reader of each run file: the JSON report (and the shards'
// copies that `mode: merge` reads) and the fork artifact. Every conversion between the
// pipeline's data and a file is here, and every file goes through its schema both ways.

export type { JsonImage, JsonReport, SizeArtifact } from './schema.js'

export const ARTIFACT_FILE = 'docker-size-check.json'

/** Where the artifact goes when the `artifact-path` input is empty. */
export function defaultArtifactDir(runnerTemp: string): string {
  return join(runnerTemp, 'docker-size-check-artifact')
}

// ---- the image, both ways -------------------------------------------------------------------

function serializeImage(image: MeasuredImage): SerializedImage {
  const { target } = image
  return {
    dockerfile: target.dockerfile,
    context: target.context,
    baseDockerfile: target.baseDockerfile,
    baseContext: target.baseContext,
    platform: target.reference?.platform || null,
    reference: target.reference
      ? {
          head: target.reference.head,
          base: target.reference.base,
          headDigest: target.reference.headDigest,
          baseDigest: target.reference.baseDigest
        }
      : null,
    status: target.change,
    checkedBecause: target.reason,
    // A registry image's platform has a field of its own.
    name: target.reference ? (target.name ?? '') : labelOf(target),
    target: target.build?.target ?? null,
    trigger: target.trigger ?? 'dockerfile',
    builtOnce: target.identical === true && image.base !== null && image.base === image.head,
    baselineSource: target.baseline ?? { source: 'build' },
    trend: target.trend ?? [],
    // A side as measured, its own fields alone (the schema drops any other). Its per-instruction
    // sizes stay in, though the report's `instructionChanges` sums them up: a merge or a
    // comment run explains each image from them.
    base: image.base,
    head: image.head,
    paths: image.paths ?? null,
    failedBuilds: image.failedBuilds.map(build => ({
      side: build.side,
      error: build.error ?? '',
      logTail: build.logTail ?? '',
      line: build.failedLine ?? null
    }))
  }
}

/** The image as the pipeline holds it, without limits: whoever reads the file decides those. */
function measuredImageOf(image: SerializedImage): MeasuredImage {
  const base = image.base ? { ...image.base } : null
  return {
    target: {
      dockerfile: image.dockerfile,
      context: image.context,
      baseDockerfile: image.baseDockerfile,
      baseContext: image.baseContext,
      change: image.status,
      reason: image.checkedBecause,
      ...(image.name && image.name !== image.dockerfile ? { name: image.name } : {}),
      ...(image.target ? { build: { target: image.target } } : {}),
      trigger: image.trigger,
      ...(image.builtOnce ? { identical: true } : {}),
      ...(image.baselineSource.source === 'record' ? { baseline: image.baselineSource } : {}),
      ...(image.trend.length ? { trend: image.trend } : {}),
      ...(image.reference ? { reference: { ...image.reference, platform: image.platform ?? '' } } : {})
    },
    base,
    // Built once for both sides: one measurement, as the run that built it had.
    head: image.builtOnce && base ? base : image.head ? { ...image.head } : null,
    ...(image.paths ? { paths: image.paths } : {}),
    failedBuilds: image.failedBuilds.map(build => ({
      side: build.side,
      ok: false,
      durationMs: 0,
      ...(build.error ? { error: build.error } : {}),
      ...(build.logTail ? { logTail: build.logTail } : {}),
      ...(build.line ? { failedLine: build.line } : {})
    }))
  }
}

// ---- the JSON report ------------------------------------------------------------------------

export function toJsonReport(
  comparison: Comparison,
  engine: EngineInfo | null,
  error: string | null,
  shard: Shard | null = null
): JsonReport {
  const report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    base: { sha: comparison.revisions.baseSha },
    head: {
      sha: comparison.revisions.headSha,
      ...(comparison.revisions.headUncommitted ? { uncommitted: true as const } : {})
    },
    verdict: error ? 'error' : comparison.verdict,
    totalDelta: comparison.totalDelta,
    error,
    engine,
    shard,
    images: comparison.images.map(toJsonImage)
  }
  return encode(reportSchema, report)
}

function toJsonImage(image: ImageResult): z.input<ReturnType<typeof reportSchema>>['images'][number] {
  return {
    ...serializeImage({
      target: image.target,
      base: image.base,
      head: image.head,
      failedBuilds: image.failedBuilds,
      ...(image.paths ? { paths: image.paths } : {})
    }),
    delta: image.delta,
    deltaPercent: image.deltaPercent === null ? null : Math.round(image.deltaPercent * 100) / 100,
    verdict: image.verdict,
    reason: image.reason,
    notes: image.notes,
    limits: {
      // As the user wrote them, which parse back to the same limits (a description would round sizes).
      maxIncrease: image.limits.maxIncrease?.text ?? null,
      warnIncrease: image.limits.warnIncrease?.text ?? null,
      maxSize: image.limits.maxSize
    },
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
      }) ?? null
  }
}

export async function writeJsonReport(path: string, report: JsonReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`)
}

/** Reads one shard's report and checks every field, as the artifact's are (a shard runs the PR's code). */
export function parseShardReport(text: string, path: string): JsonReport {
  const bad = (what: string) =>
    new RunFileError(`${path} is not a docker-size-check report this version can merge: ${what}`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new RunFileError(`${path} is not JSON: expected a docker-size-check report.`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw bad('not a JSON object.')
  const version = (json as { schemaVersion?: unknown }).schemaVersion
  if (version !== REPORT_SCHEMA_VERSION) {
    throw bad(`schemaVersion is ${short(version)}, expected ${REPORT_SCHEMA_VERSION}.`)
  }
  if ((json as { shard?: unknown }).shard == null) {
    throw bad('it names no shard; run each matrix job with shard: INDEX/TOTAL (such as shard: ${{ matrix.shard }}/4).')
  }
  return decode(reportSchema, json, 'the report', bad)
}

/**
 * A shard's image as it was measured and the limits it was judged by, for the merge to judge
 * again with the one judge (the same verdict, from the same figures and limits).
 */
export function measuredFromReport(image: JsonImage, at: string): MeasuredImage {
  const measured = measuredImageOf(image)
  const threshold = (name: string, value: string | null) => {
    try {
      return value === null ? null : parseGrowthThreshold(name, value)
    } catch (error) {
      if (error instanceof ThresholdError) throw new RunFileError(`${at}.limits: ${error.message}`)
      throw error
    }
  }
  measured.target.limits = {
    maxIncrease: threshold('maxIncrease', image.limits.maxIncrease),
    warnIncrease: threshold('warnIncrease', image.limits.warnIncrease),
    maxSize: image.limits.maxSize
  }
  return measured
}

// ---- the artifact ---------------------------------------------------------------------------

export interface ArtifactTrigger {
  /** The commit the run was triggered for: the PR's head, or the pushed commit. */
  headSha: string
  /** The PR's number, when the event named one. */
  pullNumber: number | null
}

export function toArtifact(state: RunState, trigger: ArtifactTrigger): SizeArtifact {
  return encode(artifactSchema, {
    schemaVersion: ARTIFACT_SCHEMA_VERSION,
    tool: 'docker-size-check',
    headSha: trigger.headSha,
    pullRequest: trigger.pullNumber === null ? null : { number: trigger.pullNumber },
    revisions: { baseSha: state.revisions.baseSha, headSha: state.revisions.headSha },
    engine: state.engine,
    error: state.error,
    images: state.measured.map(serializeImage)
  })
}

/** Writes the artifact file into `dir` (made if missing) and returns the file's path. */
export async function writeArtifact(dir: string, artifact: SizeArtifact): Promise<string> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, ARTIFACT_FILE)
  await writeFile(path, `${JSON.stringify(artifact, null, 2)}\n`)
  return path
}

/**
 * Reads the artifact file in `dir`. It must be a regular file (a link could point at a file
 * of the runner's) of at most `maxBytes`; it is read through one descriptor opened without
 * following links, so it cannot be swapped between the check and the read.
 */
export async function readArtifact(dir: string): Promise<SizeArtifact> {
  const path = join(dir, ARTIFACT_FILE)
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new ArtifactError(
        `No ${ARTIFACT_FILE} in ${dir}. Download the measure run's artifact there first ` +
          '(actions/download-artifact with run-id: ${{ github.event.workflow_run.id }}), or point artifact-path at it.'
      )
    }
    if (code === 'ELOOP') throw new ArtifactError(`${path} is a symbolic link; the artifact must be a plain file.`)
    throw new ArtifactError(`Could not open ${path}: ${(error as Error).message}`)
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) throw new ArtifactError(`${path} is not a plain file.`)
    if (stats.size > FIELD_LIMITS.maxBytes) {
      throw new ArtifactError(`${path} is ${stats.size} bytes, over the limit of ${FIELD_LIMITS.maxBytes}.`)
    }
    const buffer = Buffer.alloc(FIELD_LIMITS.maxBytes + 1)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    if (bytesRead > FIELD_LIMITS.maxBytes) {
      throw new ArtifactError(`${path} grew past the limit of ${FIELD_LIMITS.maxBytes} bytes while read.`)
    }
    return parseArtifact(buffer.subarray(0, bytesRead).toString('utf8'))
  } finally {
    await handle.close()
  }
}

/**
 * Checks every field of the artifact and builds a new object from the known ones alone:
 * unknown fields are dropped, strings are capped, checked for control characters and
 * neutralized for markdown, numbers must be whole and in range.
 */
export function parseArtifact(text: string): SizeArtifact {
  if (text.length > FIELD_LIMITS.maxBytes) throw new ArtifactError('The artifact is too large.')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new ArtifactError('The artifact is not valid JSON.')
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ArtifactError('The artifact is not an object.')
  }
  const root = json as { tool?: unknown; schemaVersion?: unknown }
  if (root.tool !== 'docker-size-check') {
    throw new ArtifactError("The artifact's `tool` is not docker-size-check: it is not a docker-size-check artifact.")
  }
  if (root.schemaVersion !== ARTIFACT_SCHEMA_VERSION) {
    throw new ArtifactError(
      `The artifact's schemaVersion is ${short(root.schemaVersion)}; this version reads ${ARTIFACT_SCHEMA_VERSION}. ` +
        'Use the same version of docker-size-check in the measure and the comment workflows.'
    )
  }
  return decode(artifactSchema, json, 'the artifact', message => new ArtifactError(message))
}

/** The measure run's state, rebuilt from a validated artifact, for the comment run to judge and report. */
export function stateFromArtifact(artifact: SizeArtifact): RunState {
  return {
    revisions: artifact.revisions,
    engine: artifact.engine,
    error: artifact.error,
    measured: artifact.images.map(measuredImageOf)
  }
}

// ---- both directions through one schema -------------------------------------------------------

type SchemaOf = (direction: Direction) => z.ZodType

/** Our own data through the writer's schema: cleaned and bounded, as the reader will want it. */
function encode<S extends SchemaOf>(schema: S, value: z.input<ReturnType<S>>): z.output<ReturnType<S>> {
  const result = schema('write').safeParse(value, { error: genericError })
  // Our own data breaking its schema is a bug of ours, not the user's: say where.
  if (!result.success) throw new Error(`Could not write the run file: ${describeIssue(result.error, 'it')}`)
  return result.data as z.output<ReturnType<S>>
}

function decode<S extends SchemaOf>(
  schema: S,
  value: unknown,
  root: string,
  refuse: (message: string) => Error
): z.output<ReturnType<S>> {
  const result = schema('read').safeParse(value, { error: genericError })
  if (!result.success) throw refuse(describeIssue(result.error, root))
  return result.data as z.output<ReturnType<S>>
}
