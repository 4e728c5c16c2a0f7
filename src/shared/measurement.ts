import * as z from 'zod'
import { Direction, FIELD_LIMITS, oneOf, text, wholeNumber } from './fields.js'

// The one schema of an image's measurement: what `docker image inspect`, its history and the
// Dockerfile tell of one side of an image. The pipeline's types (ImageMeasurement,
// InstructionSize, StageSummary), the run files' sides (serialized/schema.ts) and the baseline
// records' measurement (records/schema.ts) are all derived from it, so a field or a bound
// changed here changes every one of them. Made for a direction (fields.ts): the run files are
// written with `write` and read with `read`, the records both ways with `stored`.

/** A list of at most `max` entries; the message says how many it holds. */
export function listOf<T extends z.ZodType>(item: T, max: number) {
  return z.array(item).max(max, {
    error: issue => `lists ${Array.isArray(issue.input) ? issue.input.length : '?'}, over the limit of ${max}.`
  })
}

/** A 1-based line of a Dockerfile. */
export function lineNumber() {
  return wholeNumber(1, FIELD_LIMITS.maxLine)
}

/** The bytes of an image, a layer or a side (zod's whole numbers stop at the largest safe integer). */
export function byteCount() {
  return wholeNumber(0, FIELD_LIMITS.maxSize)
}

/** One instruction of a Dockerfile, where it stands and what it says. */
function dockerInstruction(direction: Direction) {
  const keyword = text(direction, FIELD_LIMITS.maxKeyword)
  return z.object({
    /** Upper case: FROM, RUN, COPY… (a run file's reader refuses anything else: it is shown). */
    keyword:
      direction === 'read'
        ? keyword.refine(value => /^[A-Z]+$/.test(value), { error: 'is not a Dockerfile instruction.' })
        : keyword,
    /** The arguments on one line, flags included (`--from=build /out /app`), continuations joined. */
    args: text(direction, direction === 'stored' ? FIELD_LIMITS.maxStoredArgs : FIELD_LIMITS.maxText),
    /** 1-based lines of the instruction's first and last line in the Dockerfile. */
    line: lineNumber(),
    endLine: lineNumber()
  })
}

/** An instruction of the built stage with the bytes of the layers it made. */
function instructionSize(direction: Direction) {
  return dockerInstruction(direction)
    .extend({
      /** Unpacked bytes; for the FROM, the whole image the stage starts from. */
      size: byteCount()
    })
    .check(ctx => {
      if (ctx.value.endLine < ctx.value.line) {
        ctx.issues.push({
          code: 'custom',
          input: ctx.value.endLine,
          path: ['endLine'],
          message: `is ${ctx.value.endLine}; expected a whole number from ${ctx.value.line} to ${FIELD_LIMITS.maxLine}.`
        })
      }
    })
}

/** One stage of a Dockerfile, as the cause sentence reads it. */
function stageSummary(direction: Direction) {
  return z.object({
    /** The name after `AS`, lower case; null for an unnamed stage. */
    name: text(direction, FIELD_LIMITS.maxName).nullable(),
    /** What follows FROM, without flags (`--platform=…`) and the `AS name`: `debian:bookworm`, `scratch`, `build`. */
    from: text(direction, FIELD_LIMITS.maxFrom),
    /** 1-based line of its FROM. */
    line: lineNumber()
  })
}

const IMAGE_ID = /^[a-z0-9]+:[0-9a-f]{32,128}$/

/**
 * An image id. A run file holds one of the id's form or '' (its writer never fails on an
 * engine's odd id: it writes ''); a record keeps what the engine or registry gave.
 */
function imageId(direction: Direction) {
  const error = 'is not an image id such as sha256:<64 hex digits>.'
  if (direction === 'write') return z.string().transform(id => (IMAGE_ID.test(id) ? id : ''))
  if (direction === 'stored') return text(direction, FIELD_LIMITS.maxId)
  return z.string({ error }).refine(id => id === '' || IMAGE_ID.test(id), { error })
}

/** What `docker image inspect` tells about one image, and what its layers add to that. */
export function measurementSchema(direction: Direction) {
  return z.object({
    /** Bytes: the figure compared; how it was computed is in `sizeSource`. */
    size: byteCount(),
    id: imageId(direction),
    layers: wholeNumber(0, FIELD_LIMITS.maxLayers),
    // What explains the size is optional: a measure run without it is still a measure run.
    /**
     * How `size` was computed, always the bytes of the files in the layers as overlay2 counts
     * them: `inspect`, `docker image inspect`'s Size (a graph driver such as overlay2);
     * `layer-files`, the files of the saved layers summed (the containerd image store);
     * `registry`, the manifests' compressed layers (an image read from a registry).
     * `layers` (the sum of `docker history`, disk blocks) is what earlier versions wrote.
     */
    sizeSource: oneOf(['inspect', 'layers', 'layer-files', 'registry']).optional(),
    /** `docker image inspect`'s own Size, whatever it means on this engine. */
    inspectSize: byteCount().optional(),
    /** Sum of the layers' sizes per instruction (docker history's rows, file bytes on the containerd store). */
    layerBytes: byteCount().optional(),
    /**
     * Bytes of the layers compressed, as a registry stores them (compressed-size: true): the
     * stored blobs' sizes on the containerd store, a gzip estimate on a graph driver.
     */
    compressedSize: byteCount().optional(),
    /** The built stage's instructions, each with the bytes its layers add. */
    instructions: listOf(instructionSize(direction), FIELD_LIMITS.maxInstructions).optional(),
    /**
     * Every stage of the Dockerfile that built it (name and FROM), the built one last unless a
     * target picks another: what a change of stages explains (explain/cause.ts).
     */
    stages: listOf(stageSummary(direction), FIELD_LIMITS.maxInstructions).optional()
  })
}

/**
 * One layer of an image as a baseline record keeps it, for a later PR's path breakdown to read
 * (explain/layer-summary.ts). Only records hold it, written and read as they are.
 */
const pathEntry = z.tuple([z.string().min(1).max(4096), z.number().int().nonnegative()])
export const recordedLayer = z.object({
  diffId: z.string().max(FIELD_LIMITS.maxId).nullable(),
  /**
   * The layer's name in the `docker save` archive (content-addressed where the archive layout
   * is): a head archive that holds the same name holds the same layer, and passes it over.
   */
  blob: z.string().max(300).nullable(),
  /** The instruction that made it, as the breakdown names it (a PathSource without its side). */
  source: z
    .object({ line: z.number().int().positive().nullable(), instruction: z.string().max(FIELD_LIMITS.maxStoredArgs) })
    .nullable(),
  /**
   * Its files as [path, bytes], and its folders as [path, bytes] where a folder's entry sums
   * the files below it that no other entry lists; null for a layer that could not be read.
   */
  summary: z.object({ files: z.array(pathEntry).max(5000), folders: z.array(pathEntry).max(5000) }).nullable()
})

const MEASUREMENT_FIELDS = measurementSchema('stored').keyof().options

/** The measurement's own fields of `side`, and nothing else an object holding it may carry. */
export function measurementOnly(side: ImageMeasurement): ImageMeasurement {
  return Object.fromEntries(
    MEASUREMENT_FIELDS.filter(field => side[field] !== undefined).map(field => [field, side[field]])
  ) as ImageMeasurement
}

// The pipeline's types, as every direction reads them (only the strings' checks differ).
export type ImageMeasurement = z.output<ReturnType<typeof measurementSchema>>
export type InstructionSize = z.output<ReturnType<typeof instructionSize>>
export type DockerInstruction = Omit<InstructionSize, 'size'>
export type StageSummary = z.output<ReturnType<typeof stageSummary>>
export type RecordedLayer = z.output<typeof recordedLayer>
