import { z } from 'zod'
import { FIELD_LIMITS } from '../shared/fields.js'
import { measurementSchema, recordedLayer } from '../shared/measurement.js'

// The baseline records, as stored in the repository. One schema both writes and reads them
// (a record run writes, every PR run and the command read), so a field can't be written
// and then dropped on read; the TypeScript types below are derived from it.

// The measurement is the run files' own (shared/measurement.ts), read and written as stored:
// the same fields and bounds, its text kept whole and unchecked (a record is the record run's
// own, signed), so that an instruction read back matches the head's by its text.
const recordedMeasurement = measurementSchema('stored')

const objectId = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/)
const recordedPaths = z.object({ layers: z.array(recordedLayer).max(FIELD_LIMITS.maxLayers) })

/** What decides an image, in parts, so that a mismatch can say which part moved. */
const fingerprintSchema = z.object({
  /** The Dockerfile's blob and the context as its dockerignore filters it (git object ids). */
  source: z.string().regex(/^[0-9a-f]{64}$/),
  /** target, build-args and platform. */
  build: z.string().regex(/^[0-9a-f]{64}$/),
  /** The platform built for (os/arch[/variant]): the one asked for, else the engine's. */
  platform: z.string().min(1).max(100),
  /** Each image the Dockerfile reads (FROM, COPY --from, RUN --mount from=) → the id or digest it resolved to. */
  from: z.record(z.string().max(500), z.string().max(200)),
  /** Each secret or ssh socket a RUN step mounts (`secret:<id>`, `ssh:<id>`) → whether the run gave it. */
  secrets: z.record(z.string().max(200), z.boolean()),
  /** How the figure was computed: size method and image store. */
  measure: z.string().max(100)
})

const recordedImage = z.object({
  /** The image's name: the config's `name`, else its Dockerfile path. */
  key: z.string().min(1).max(500),
  /** Empty for an image entry read by reference (`image`) that names no Dockerfile: nothing built it here. */
  dockerfile: z.string().max(1000),
  context: z.string().max(1000),
  fingerprint: fingerprintSchema,
  measurement: recordedMeasurement,
  /**
   * What a PR's path breakdown reads of this base (explain: paths): the layers, or, as the
   * store keeps them, the git blob that holds them (`paths/<blob>.json`), so that an image
   * carried over from record to record is stored once. Absent in older records.
   */
  paths: z.union([recordedPaths, z.object({ blob: objectId })]).optional()
})

/** The fingerprint's `measure` of an image entry read by reference: its pull size, read in its registry. */
export const REGISTRY_MEASURE = 'registry'

export const RECORD_SCHEMA = 'docker-size-check/record@1'
export const INDEX_SCHEMA = 'docker-size-check/records-index@1'

const baselineRecord = z.object({
  schema: z.literal(RECORD_SCHEMA),
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  recordedAt: z.string().max(40),
  images: z.array(recordedImage).max(FIELD_LIMITS.maxRecordedImages)
})

const indexEntry = z.object({
  commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  recordedAt: z.string().max(40),
  /** Each image's compared size at that commit, by key: what the trend reads without opening records. */
  sizes: z.record(z.string().max(500), z.number().int().nonnegative()),
  /** How those sizes were measured (see sizeMethodOf); a trend shows only figures of its own kind. */
  measure: z.string().max(100).optional(),
  /** The `paths/<blob>.json` files the record's images use: what pruning the record may free. */
  paths: z.array(objectId).optional()
})

const recordIndex = z.object({
  schema: z.literal(INDEX_SCHEMA),
  /** Newest first. */
  records: z.array(indexEntry)
})

export type RecordedMeasurement = z.infer<typeof recordedMeasurement>
export type Fingerprint = z.infer<typeof fingerprintSchema>
export type RecordedImage = z.infer<typeof recordedImage>
export type BaselineRecord = z.infer<typeof baselineRecord>
export type IndexEntry = z.infer<typeof indexEntry>
export type RecordedPaths = z.infer<typeof recordedPaths>
export type RecordIndex = z.infer<typeof recordIndex>

/** Parses a stored record; a malformed one is an error that names where it came from. */
export function parseRecord(text: string, source: string): BaselineRecord {
  return parseWith(baselineRecord, text, source)
}

export function parseIndex(text: string, source: string): RecordIndex {
  return parseWith(recordIndex, text, source)
}

export function parsePaths(text: string, source: string): RecordedPaths {
  return parseWith(recordedPaths, text, source)
}

function parseWith<T>(schema: z.ZodType<T>, text: string, source: string): T {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new Error(`The baseline record ${source} is not JSON (${(error as Error).message}).`, { cause: error })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(
      `The baseline record ${source} is malformed: ${issue?.path.join('.') || '(root)'}: ${issue?.message.replace(/\.$/, '')}.`
    )
  }
  return parsed.data
}
