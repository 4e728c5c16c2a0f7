// Parsers and matching, on recorded `docker history` output of Docker 20.10 (BuildKit and
// the legacy builder) and on Docker 29 containerd-store output written from its documented
// format (see __fixtures__/README.md).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { attributeLayers } from '../../src/measure/attribute.js'
import { stageInstructions } from '../../src/tools/dockerfile.js'
import { parseHistory, recordedInstruction } from '../../src/measure/history.js'
import { historyArgs } from '../../src/tools/docker.js'
import { matchInstructions, responsibleInstruction, sizeChanges } from '../../src/explain/match.js'
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

describe('historyArgs', () => {
  it('asks for bytes and whole commands, one JSON object a row', () => {
    expect(historyArgs('img:tag')).toEqual([
      'image',
      'history',
      '--no-trunc',
      '--human=false',
      '--format',
      '{{json .}}',
      'img:tag'
    ])
  })
})

describe('parseHistory', () => {
  it.each([
    ['docker-20.10-buildkit-sample.jsonl', 13],
    ['docker-20.10-legacy-sample.jsonl', 13],
    ['docker-29-containerd-sample.documented.jsonl', 13]
  ])('reads every row of %s, newest first, sizes in bytes', (file, rows) => {
    const history = parseHistory(fixture(`history/${file}`))
    expect(history).toHaveLength(rows)
    expect(nth(history, 0).createdBy).toMatch(/CMD \["cat \/app\/app.txt"\]/)
    expect(history.at(-1)).toMatchObject({ createdBy: '', comment: 'Imported from -' })
    for (const row of history) expect(Number.isInteger(row.size)).toBe(true)
  })

  it('refuses human sizes rather than guess their rounding', () => {
    expect(() => parseHistory('{"CreatedBy":"RUN x","Size":"1.87MB"}')).toThrow(/--human=false/)
  })
})

describe('recordedInstruction', () => {
  it.each([
    ['RUN |1 VERSION=1.0 /bin/sh -c make && echo done # buildkit', 'RUN', '/bin/sh -c make && echo done'],
    ['RUN /bin/sh -c apt-get update # buildkit', 'RUN', '/bin/sh -c apt-get update'],
    ['COPY /out/built.bin /app/built.bin # buildkit', 'COPY', '/out/built.bin /app/built.bin'],
    ['WORKDIR /src', 'WORKDIR', '/src'],
    ['ENV A=1 B=2', 'ENV', 'A=1 B=2'],
    ['/bin/sh -c #(nop)  ENV B=2', 'ENV', 'B=2'],
    ['/bin/sh -c #(nop) COPY file:dca787d3 in /app/built.bin ', 'COPY', 'file:dca787d3 in /app/built.bin'],
    ['/bin/sh -c #(nop)  ONBUILD RUN echo hi', 'ONBUILD', 'RUN echo hi'],
    ['|1 WITHDEFAULT=x /bin/sh -c echo "$WITHDEFAULT" > /arg.txt', 'RUN', '/bin/sh -c echo "$WITHDEFAULT" > /arg.txt'],
    ['/bin/sh -c apt-get update', 'RUN', '/bin/sh -c apt-get update'],
    ['cmd /S /C #(nop)  WORKDIR C:\\app', 'WORKDIR', 'C:\\app'],
    ['', '', '']
  ])('%s', (createdBy, keyword, args) => {
    expect(recordedInstruction(createdBy)).toEqual({ keyword, args })
  })
})

describe('stageInstructions', () => {
  const sample = fixture('history/sample.Dockerfile')

  it('returns the last stage, FROM first, with 1-based lines and flags kept', () => {
    const stage = stageInstructions(sample)
    expect(stage[0]).toEqual({ keyword: 'FROM', args: 'busybox:local', line: 5, endLine: 5 })
    expect(stage.find(i => i.keyword === 'COPY' && i.line === 13)?.args).toBe(
      '--from=build /out/built.bin /app/built.bin'
    )
    // A continued instruction spans its lines and reads as one.
    expect(stage.find(i => i.keyword === 'ENV')).toMatchObject({ args: 'APP_HOME=/app MODE=prod', line: 8, endLine: 9 })
    expect(stage.map(i => i.keyword)).toEqual([
      'FROM',
      'ARG',
      'LABEL',
      'ENV',
      'WORKDIR',
      'COPY',
      'ADD',
      'COPY',
      'RUN',
      'USER',
      'EXPOSE',
      'ENTRYPOINT',
      'CMD'
    ])
  })

  it('returns the stage a target names', () => {
    expect(stageInstructions(sample, 'BUILD').map(i => i.keyword)).toEqual(['FROM', 'RUN'])
    expect(() => stageInstructions(sample, 'nope')).toThrow("no stage named 'nope'")
  })
})

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

describe('the calculator regression, from recorded histories', () => {
  // The multi-stage image: FROM scratch, then the binary copied from the build stage.
  const multi = stageInstructions(example('Dockerfile')).map(i => ({
    ...i,
    size: i.keyword === 'COPY' ? 1_269_760 : 0
  }))

  it.each(['docker-20.10-buildkit-calculator-single.jsonl', 'docker-20.10-legacy-calculator-single.jsonl'])(
    'blames the RUN that installs the Go toolchain (%s)',
    file => {
      const single = attributeLayers(
        stageInstructions(example('Dockerfile.single')),
        parseHistory(fixture(`history/${file}`))
      )
      const changes = matchInstructions(multi, single!)
      const responsible = responsibleInstruction(changes)
      expect(responsible!.head!.keyword).toBe('RUN')
      expect(responsible!.head!.args).toContain('golang-go')
      expect(responsible!.head!.line).toBe(
        example('Dockerfile.single')
          .split('\n')
          .findIndex(l => l.includes('golang-go')) + 1
      )
      expect(sizeChanges(changes)[0]).toBe(responsible)
      // The FROM is matched to the FROM: scratch became debian:bookworm.
      expect(changes.find(c => c.head?.keyword === 'FROM')).toMatchObject({ kind: 'grew', base: { args: 'scratch' } })
    }
  )
})

describe('matchInstructions', () => {
  let line = 0
  const instruction = (keyword: string, args: string, size: number): InstructionSize => {
    line += 1
    return { keyword, args, size, line, endLine: line }
  }
  const base = [
    instruction('FROM', 'debian:bookworm', 199),
    instruction('RUN', 'apt-get install -y curl', 30),
    instruction('COPY', '. /src', 5),
    instruction('RUN', 'make', 40),
    instruction('CMD', '["/src/app"]', 0)
  ]

  it('survives an instruction inserted in the middle, which shifts every index', () => {
    line = 100
    const head = [
      instruction('FROM', 'debian:bookworm', 199),
      instruction('RUN', 'apt-get install -y curl', 30),
      instruction('RUN', 'apt-get install -y golang-go', 600),
      instruction('COPY', '. /src', 5),
      instruction('RUN', 'make', 40),
      instruction('CMD', '["/src/app"]', 0)
    ]
    const changes = matchInstructions(base, head)
    expect(sizeChanges(changes)).toEqual([{ kind: 'added', base: null, head: head[2], delta: 600 }])
    expect(changes.filter(c => c.kind === 'same').map(c => [c.base!.args, c.head!.args])).toEqual([
      ['debian:bookworm', 'debian:bookworm'],
      ['apt-get install -y curl', 'apt-get install -y curl'],
      ['. /src', '. /src'],
      ['make', 'make'],
      ['["/src/app"]', '["/src/app"]']
    ])
    expect(responsibleInstruction(changes)!.head).toBe(head[2])
  })

  it('pairs an edited instruction with its old self, and lists what vanished', () => {
    line = 200
    const head = [
      instruction('FROM', 'debian:bookworm', 199),
      instruction('RUN', 'apt-get install -y curl git', 90),
      instruction('RUN', 'make', 40),
      instruction('CMD', '["/src/app"]', 0)
    ]
    const changes = sizeChanges(matchInstructions(base, head))
    expect(changes.map(c => [c.kind, c.delta])).toEqual([
      ['grew', 60],
      ['removed', -5]
    ])
    expect(nth(changes, 0).base!.args).toBe('apt-get install -y curl')
    expect(nth(changes, 1).base!.keyword).toBe('COPY')
  })

  it('finds nothing to blame when nothing grew', () => {
    expect(responsibleInstruction(matchInstructions(base, base))).toBeNull()
  })
})
