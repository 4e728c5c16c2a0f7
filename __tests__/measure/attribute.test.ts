// Attribution of layers to instructions, on recorded `docker history` output of Docker 20.10 (BuildKit and
// the legacy builder) and on Docker 29 containerd-store output written from its documented
// format (see __fixtures__/README.md).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { attributeLayers } from '../../src/measure/attribute.js'
import { stageInstructions } from '../../src/tools/dockerfile.js'
import { parseHistory } from '../../src/measure/history.js'
import { nth } from '../support/lists.js'
import { InstructionSize } from '../../src/shared/types.js'

const fixtures = join(import.meta.dirname, '..', '..', '__fixtures__')
const fixture = (path: string) => readFileSync(join(fixtures, path), 'utf8')
const example = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'calculator', name), 'utf8')

/** The instruction of `stage` on `line`, with its attributed bytes. */
function at(stage: InstructionSize[] | null, line: number): InstructionSize | undefined {
  return stage?.find(instruction => instruction.line === line)
}

describe('attributeLayers', () => {
  const sample = stageInstructions(fixture('history/sample.Dockerfile'))

  it.each(['docker-20.10-buildkit-sample.jsonl', 'docker-20.10-legacy-sample.jsonl'])(
    'gives each instruction of %s its own layer, and the base image to the FROM',
    file => {
      const rows = parseHistory(fixture(`history/${file}`))
      const stage = attributeLayers(sample, rows)
      expect(stage).toHaveLength(sample.length)
      expect(at(stage, 5)!.size).toBe(rows.at(-1)!.size) // FROM busybox:local: the imported layer
      expect(at(stage, 12)).toMatchObject({ keyword: 'ADD', size: 300_000 })
      expect(at(stage, 13)).toMatchObject({ keyword: 'COPY', size: 500_000 })
      expect(at(stage, 14)).toMatchObject({ keyword: 'RUN', size: 200_000, endLine: 15 })
      expect(at(stage, 11)).toMatchObject({ keyword: 'COPY', size: 3 })
      // Nothing is lost or counted twice.
      expect(stage!.reduce((sum, i) => sum + i.size, 0)).toBe(rows.reduce((sum, r) => sum + r.size, 0))
    }
  )

  it('reads the containerd store history the same way (documented format)', () => {
    const rows = parseHistory(fixture('history/docker-29-containerd-sample.documented.jsonl'))
    const stage = attributeLayers(sample, rows)
    expect(at(stage, 13)).toMatchObject({ keyword: 'COPY', size: nth(rows, 5).size })
    expect(at(stage, 14)).toMatchObject({ keyword: 'RUN', size: nth(rows, 4).size })
  })

  it.each(['docker-20.10-buildkit-edge.jsonl', 'docker-20.10-legacy-edge.jsonl'])(
    'copes with ONBUILD (no row under BuildKit) and a stage FROM another stage in %s',
    file => {
      const edge = stageInstructions(fixture('history/edge.Dockerfile'))
      const rows = parseHistory(fixture(`history/${file}`))
      const stage = attributeLayers(edge, rows)
      expect(stage).not.toBeNull()
      // FROM base: busybox plus the earlier stage's RUN.
      expect(at(stage, 4)!.size).toBe(rows.at(-1)!.size + 5)
      expect(at(stage, 9)).toMatchObject({ keyword: 'RUN', size: 5 })
      expect(at(stage, 13)).toMatchObject({ keyword: 'ONBUILD', size: 0 })
      expect(at(stage, 14)).toMatchObject({ keyword: 'RUN', size: 2 })
    }
  )

  it('refuses a history that does not fit the Dockerfile', () => {
    const rows = parseHistory(fixture('history/docker-20.10-buildkit-sample.jsonl'))
    expect(attributeLayers(stageInstructions(example('Dockerfile.single')), rows)).toBeNull()
  })
})
