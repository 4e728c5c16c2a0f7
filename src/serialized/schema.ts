import * as z from 'zod'
import { Direction, FIELD_LIMITS, log, oneOf, path, sha, text, wholeNumber } from '../shared/fields.js'
import { byteCount, lineNumber, listOf, measurementSchema } from '../shared/measurement.js'

// The one schema of a run as written to JSON: the JSON report (whose shard copies `mode:
// merge` reads back) and the fork artifact (`mode: measure` writes it, `mode: comment` reads
// it). Both hold the same image: what was built and measured; the report adds the verdict.
// Each schema is made for one direction (fields.ts): the writer's and the reader's limits
// are the same by construction, and the types below are derived from it, so a field cannot
// be written and then forgotten on read. Each side's measurement is the shared one
// (shared/measurement.ts), the same as a baseline record's.

export const REPORT_SCHEMA_VERSION = 1 as const
export const ARTIFACT_SCHEMA_VERSION = 2 as const

const IMAGE_STATUSES = ['added', 'modified', 'removed', 'renamed', 'unchanged'] as const
const VERDICTS = ['pass', 'warn', 'fail', 'error'] as const

function engine(direction: Direction) {
  return z.object({
    serverVersion: text(direction, 100),
    apiVersion: text(direction, 100),
    storageDriver: text(direction, 100),
    builder: oneOf(['buildx', 'legacy']),
    imageStore: oneOf(['containerd', 'graphdriver'])
  })
}

function failedBuild(direction: Direction) {
  return z.object({
    side: oneOf(['base', 'head']),
    error: text(direction),
    logTail: log(direction),
    /** The Dockerfile line of the step that failed; absent or null where it is not known. */
    line: lineNumber().nullable().optional()
  })
}

function pathSource(direction: Direction) {
  return z.object({
    side: oneOf(['base', 'head']),
    line: lineNumber().nullable(),
    instruction: text(direction)
  })
}

/** Where an image's bytes went (src/explain/path-breakdown.ts); paths inside the image are text from the build. */
function pathBreakdown(direction: Direction) {
  const bytes = byteCount()
  const layer = z.object({
    diffId: text(direction, 200).nullable(),
    state: oneOf(['read', 'shared', 'recorded', 'unreadable']),
    note: text(direction).optional()
  })
  return z.object({
    paths: z
      .array(
        z.object({
          path: text(direction, FIELD_LIMITS.maxPath),
          kind: oneOf(['folder', 'file']),
          base: bytes,
          head: bytes,
          delta: wholeNumber(-FIELD_LIMITS.maxSize, FIELD_LIMITS.maxSize),
          source: pathSource(direction).nullable()
        })
      )
      .max(100),
    hints: z
      .array(
        z.discriminatedUnion('kind', [
          z.object({
            kind: z.literal('cache'),
            path: text(direction, FIELD_LIMITS.maxPath),
            bytes,
            source: pathSource(direction).nullable()
          }),
          z.object({
            kind: z.literal('deleted-later'),
            path: text(direction, FIELD_LIMITS.maxPath),
            bytes,
            files: wholeNumber(0, 1e9),
            source: pathSource(direction).nullable(),
            deletedBy: pathSource(direction).nullable()
          })
        ])
      )
      .max(100),
    layers: z.object({
      base: z.array(layer).max(FIELD_LIMITS.maxLayers),
      head: z.array(layer).max(FIELD_LIMITS.maxLayers)
    }),
    bytesRead: bytes,
    bytesSkipped: bytes,
    durationMs: wholeNumber(0, 1e12),
    folded: z
      .object({ depth: wholeNumber(0, 10_000), entries: wholeNumber(1, 1e12), limit: wholeNumber(1, 1e9) })
      .optional()
  })
}

/** What was built and measured for one image: the same in the artifact and in the report. */
/** A path, or '' where a registry image has no Dockerfile or context. */
function optionalPath(direction: Direction) {
  return path(direction, true)
}

/** A registry image's row: the references compared, the platform, each side's manifest digest. */
function reference(direction: Direction) {
  const digest = z
    .string()
    .regex(/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,128}$/, {
      error: 'is not a digest such as sha256:<64 hex digits>.'
    })
    .nullable()
  return z.object({
    head: text(direction, 1000).nullable(),
    base: text(direction, 1000).nullable(),
    headDigest: digest,
    baseDigest: digest
  })
}

function measuredImage(direction: Direction) {
  return z.object({
    dockerfile: optionalPath(direction),
    context: optionalPath(direction),
    /** The Dockerfile's path at the base, where it differs (a rename). */
    baseDockerfile: optionalPath(direction),
    baseContext: optionalPath(direction),
    /** The platform a registry image's row is (linux/arm64); null for an image built here. */
    platform: text(direction, 100).nullable().default(null),
    /** The references a registry image's row compares (read, never built); null for an image built here. */
    reference: reference(direction).nullable().default(null),
    status: oneOf(IMAGE_STATUSES),
    /** Why the image was checked (the Dockerfile changed, its context changed). */
    checkedBecause: text(direction),
    /** The images config's name, or the Dockerfile path. */
    name: text(direction, FIELD_LIMITS.maxName),
    /** The stage built (`--target`), from the config, compose or bake file; null: the Dockerfile's last stage. */
    target: text(direction, FIELD_LIMITS.maxName).nullable().default(null),
    /** What made the image affected: its Dockerfile, its build context, or a watched file. */
    trigger: oneOf(['dockerfile', 'context', 'watch']),
    /** The Dockerfile and the build context were the same on both sides: built once, for both. */
    builtOnce: z.boolean({ error: 'is not true or false.' }),
    /** Where the base's figures came from: a build in this run, or a baseline record (its commit, and how far behind the merge-base). */
    baselineSource: z
      .discriminatedUnion('source', [
        z.object({ source: z.literal('build') }),
        z.object({ source: z.literal('record'), commit: sha(), behind: wholeNumber(0, 1_000_000) })
      ])
      .default({ source: 'build' }),
    base: measurementSchema(direction).nullable(),
    head: measurementSchema(direction).nullable(),
    /**
     * Where the bytes went, folder by folder, from the layers the two images do not share;
     * null when not made (explain without paths, an image new or gone, the same size, a recorded base without layers, a failure).
     */
    paths: pathBreakdown(direction).nullable().default(null),
    /** The image's size on the default branch in its last baseline records, oldest first (empty without records). */
    trend: z
      .array(z.object({ commit: sha(), recordedAt: text(direction, 40), bytes: byteCount() }))
      .max(FIELD_LIMITS.maxTrend)
      .default([]),
    /** The builds that failed, by side, with their error and the last lines of their output. */
    failedBuilds: z
      .array(failedBuild(direction))
      .max(2, { error: issue => `has ${lengthOf(issue.input)} entries; an image has two sides.` })
  })
}

/** Limits as the user wrote them (`10%, 5MB`), each null where none applies. */
function limits(direction: Direction) {
  return z.object({
    maxIncrease: text(direction, 100).nullable(),
    warnIncrease: text(direction, 100).nullable(),
    maxSize: byteCount().nullable()
  })
}

function instructionChange(direction: Direction) {
  const bytes = byteCount()
  return z.object({
    kind: oneOf(['grew', 'shrank', 'added', 'removed', 'same']),
    /** The instruction as written (at the head, or at the base when it is gone). */
    instruction: text(direction),
    /** 1-based line in the head's Dockerfile; null when the instruction is gone. */
    line: lineNumber().nullable(),
    baseLine: lineNumber().nullable(),
    baseSize: bytes.nullable(),
    headSize: bytes.nullable(),
    delta: wholeNumber(-FIELD_LIMITS.maxSize, FIELD_LIMITS.maxSize)
  })
}

/** An image in the JSON report: as measured, then as judged. */
function reportImage(direction: Direction) {
  return measuredImage(direction).extend({
    delta: wholeNumber(-FIELD_LIMITS.maxSize, FIELD_LIMITS.maxSize).nullable(),
    deltaPercent: z.number({ error: 'is not a number.' }).nullable(),
    verdict: oneOf(VERDICTS),
    /** Why the verdict, in one sentence. */
    reason: text(direction),
    notes: z.array(text(direction)).max(FIELD_LIMITS.maxNotes),
    /** The limits this image was judged by: its own from the images config, else the run's. */
    limits: limits(direction),
    /** The last lines of a failed build's output, or null. */
    logTail: log(direction).nullable(),
    /** The instructions whose bytes changed, largest change first; null where the layers could not be read. */
    instructionChanges: listOf(instructionChange(direction), FIELD_LIMITS.maxInstructions * 2).nullable()
  })
}

const imageCount = {
  error: (issue: { input?: unknown }) =>
    `The run file lists ${lengthOf(issue.input)} images, over the limit of ${FIELD_LIMITS.maxImages}.`
}

/**
 * The JSON report, documented in docs/json-report.md: other steps read it, so its shape only grows. A
 * change that removes or renames a field bumps `schemaVersion`.
 */
export function reportSchema(direction: Direction) {
  return z.object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    base: z.object({ sha: sha(true) }),
    /** `uncommitted: true` when the head is a working tree with changes not committed yet (the local command). */
    head: z.object({ sha: sha(true), uncommitted: z.literal(true).optional() }),
    verdict: oneOf(VERDICTS),
    totalDelta: wholeNumber(-FIELD_LIMITS.maxSize, FIELD_LIMITS.maxSize),
    /** Set when the run stopped before every image was measured. */
    error: text(direction).nullable(),
    engine: engine(direction).nullable(),
    /** The slice of the affected images this run checked (`shard: 2/4`), or null for all of them. */
    shard: z.object({ index: wholeNumber(1, 256), total: wholeNumber(1, 256) }).nullable(),
    images: z.array(reportImage(direction)).max(FIELD_LIMITS.maxImages, imageCount)
  })
}

/**
 * What `mode: measure` leaves for `mode: comment`: the measurements, not the verdicts and not
 * the markdown. The comment run treats every byte of it as written by the PR's author (a fork
 * PR's workflow can write anything into it), so it carries plain data only; the limits, the
 * verdicts, the comment's key and its text are decided by the comment run itself.
 */
export function artifactSchema(direction: Direction) {
  return z.object({
    schemaVersion: z.literal(ARTIFACT_SCHEMA_VERSION),
    tool: z.literal('docker-size-check'),
    /** The commit the measure run was triggered for (the PR's head): the comment run checks it against its event. */
    headSha: sha(),
    /** The PR as the measure run's event named it: a hint, checked against the API before use. */
    pullRequest: z.object({ number: wholeNumber(1, 1e9) }).nullable(),
    revisions: z.object({ baseSha: sha(true), headSha: sha(true) }),
    engine: engine(direction).nullable(),
    /** Why the measure run stopped early, when it did. */
    error: text(direction).nullable(),
    images: z.array(measuredImage(direction)).max(FIELD_LIMITS.maxImages, imageCount)
  })
}

export type JsonReport = z.output<ReturnType<typeof reportSchema>>
export type JsonImage = JsonReport['images'][number]
export type JsonSide = NonNullable<JsonImage['base']>
export type SizeArtifact = z.output<ReturnType<typeof artifactSchema>>
/** The measured part of an image, the same in both files. */
export type SerializedImage = z.output<ReturnType<typeof measuredImage>>

function lengthOf(value: unknown): number | string {
  return Array.isArray(value) ? value.length : '?'
}
