import { describe, expect, it } from '@jest/globals'
import { parseRecord, RECORD_SCHEMA, RecordedMeasurement } from '../../src/records/schema.js'
import { newRunState } from '../../src/modes/pipeline.js'
import { parseArtifact, toArtifact } from '../../src/serialized/run-file.js'
import { JsonSide } from '../../src/serialized/schema.js'
import { FIELD_LIMITS } from '../../src/shared/fields.js'
import { ImageMeasurement, measurementOnly } from '../../src/shared/measurement.js'
import { ArtifactError } from '../../src/shared/errors.js'
import { nth } from '../support/lists.js'

// One schema of a measurement (src/shared/measurement.ts): the run files (the fork artifact,
// the JSON report) and the baseline records hold the same side of an image, with the same
// fields and the same bound on each list. What one accepts the other accepts; what one
// refuses for its size, the other refuses at the same count.

const COMMIT = 'a'.repeat(40)
const HASH = 'f'.repeat(64)

function measurement(instructions: number, stages = 1): ImageMeasurement {
  return {
    size: 3_000_000,
    id: `sha256:${'2'.repeat(64)}`,
    layers: 3,
    sizeSource: 'inspect',
    inspectSize: 3_000_000,
    layerBytes: 3_000_000,
    compressedSize: 1_200_000,
    instructions: Array.from({ length: instructions }, (_, i) => ({
      keyword: i === 0 ? 'FROM' : 'RUN',
      args: i === 0 ? 'debian:bookworm' : `echo ${i} > /step-${i}`,
      line: i + 1,
      endLine: i + 1,
      size: i === 0 ? 1_000_000 : 10
    })),
    stages: Array.from({ length: stages }, (_, i) => ({ name: `s${i}`, from: 'debian:bookworm', line: i + 1 }))
  }
}

/** A run that measured one image, added at the head. */
function stateWith(head: ImageMeasurement | null) {
  const state = newRunState()
  state.revisions = { baseSha: COMMIT, headSha: 'b'.repeat(40) }
  state.measured.push({
    target: {
      dockerfile: 'api/Dockerfile',
      context: 'api',
      baseDockerfile: 'api/Dockerfile',
      baseContext: 'api',
      change: 'added',
      reason: 'Dockerfile added'
    },
    base: null,
    head,
    failedBuilds: []
  })
  return state
}

/** The measurement as the head of an image in a fork artifact; the file's text. */
function artifactWith(side: ImageMeasurement): string {
  // The side goes in as it is: the writer would take an oversized list of its own for a bug
  // (as a forged artifact's could be).
  const written = toArtifact(stateWith(null), { headSha: 'b'.repeat(40), pullNumber: 1 })
  return JSON.stringify({ ...written, images: [{ ...nth(written.images, 0), head: side }] })
}

/** The measurement in a baseline record, as the record run stores it; the file's text. */
function recordWith(side: ImageMeasurement): string {
  return JSON.stringify({
    schema: RECORD_SCHEMA,
    commit: COMMIT,
    recordedAt: '2026-12-07T00:00:00.000Z',
    images: [
      {
        key: 'api/Dockerfile',
        dockerfile: 'api/Dockerfile',
        context: 'api',
        fingerprint: { source: HASH, build: HASH, platform: 'linux/amd64', from: {}, secrets: {}, measure: 'inspect' },
        measurement: measurementOnly(side)
      }
    ]
  })
}

const fromArtifact = (side: ImageMeasurement) => nth(parseArtifact(artifactWith(side)).images, 0).head
const fromRecord = (side: ImageMeasurement) => nth(parseRecord(recordWith(side), 'the test').images, 0).measurement

// The pipeline's type, the record's and the run files' are one type: each holds the other.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const SAME_TYPES: [Same<ImageMeasurement, RecordedMeasurement>, Same<ImageMeasurement, JsonSide>] = [true, true]

describe('one schema of a measurement', () => {
  it('is one type in the pipeline, the records and the run files (checked by tsc)', () => {
    expect(SAME_TYPES).toEqual([true, true])
  })

  it('is the same side in the artifact and in a record: both read back what was measured', () => {
    const side = measurement(12, 3)
    expect(fromArtifact(side)).toEqual(side)
    expect(fromRecord(side)).toEqual(side)
    expect(fromArtifact(side)).toEqual(fromRecord(side))
  })

  it.each([
    ['instructions', (count: number) => measurement(count)],
    ['stages', (count: number) => measurement(1, count)]
  ])('takes %s up to the one bound and refuses one more, in the artifact and a record alike', (list, make) => {
    const bound = FIELD_LIMITS.maxInstructions
    expect(bound).toBe(2000)
    expect(fromArtifact(make(bound))?.[list as 'instructions']).toHaveLength(bound)
    expect(fromRecord(make(bound))[list as 'instructions']).toHaveLength(bound)
    const over = make(bound + 1)
    expect(() => fromArtifact(over)).toThrow(ArtifactError)
    expect(() => fromArtifact(over)).toThrow(`images[0].head.${list} lists ${bound + 1}, over the limit of ${bound}.`)
    expect(() => fromRecord(over)).toThrow(
      `The baseline record the test is malformed: images.0.measurement.${list}: lists ${bound + 1}, over the limit of ${bound}.`
    )
  })

  it('refuses the same instruction that ends before it starts, in both', () => {
    const side = measurement(2)
    nth(side.instructions!, 1).endLine = 1
    nth(side.instructions!, 1).line = 2
    expect(() => fromArtifact(side)).toThrow(/instructions\[1\]\.endLine is 1; expected a whole number from 2/)
    expect(() => fromRecord(side)).toThrow(/instructions\.1\.endLine: is 1; expected a whole number from 2/)
  })

  it('keeps an instruction whole in a record and cuts it in a run file, which only shows it', () => {
    // A base read from a record is matched to the head's instructions by this text.
    const side = measurement(2)
    nth(side.instructions!, 1).args = `echo ${'x'.repeat(FIELD_LIMITS.maxText + 100)}`
    expect(nth(fromRecord(side).instructions!, 1).args).toBe(nth(side.instructions!, 1).args)
    const state = stateWith(side)
    const written = nth(toArtifact(state, { headSha: 'b'.repeat(40), pullNumber: null }).images, 0).head
    expect(nth(written!.instructions!, 1).args).toHaveLength(FIELD_LIMITS.maxText)
  })

  it('writes the same fields into a record and a run file, and nothing else an object carries', () => {
    const side = { ...measurement(2), platform: 'linux/amd64', note: 'not a field' } as ImageMeasurement
    const recorded: RecordedMeasurement = measurementOnly(side)
    const state = stateWith(side)
    const artifactSide: JsonSide | null = nth(
      toArtifact(state, { headSha: 'b'.repeat(40), pullNumber: null }).images,
      0
    ).head
    expect(Object.keys(recorded).sort()).toEqual(Object.keys(artifactSide!).sort())
    expect(Object.keys(recorded)).not.toContain('note')
    expect(recorded).toEqual(measurement(2))
  })
})
