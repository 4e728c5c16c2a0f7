// Matching the two sides' instructions, on recorded `docker history` output of Docker 20.10 (BuildKit and
// the legacy builder) and on Docker 29 containerd-store output written from its documented
// format (see __fixtures__/README.md).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { attributeLayers } from '../../src/measure/attribute.js'
import { stageInstructions } from '../../src/tools/dockerfile.js'
import { parseHistory } from '../../src/measure/history.js'
import { matchInstructions, responsibleInstruction, sizeChanges } from '../../src/explain/match.js'
import { nth } from '../support/lists.js'
import { InstructionSize } from '../../src/shared/types.js'

const fixtures = join(import.meta.dirname, '..', '..', '__fixtures__')
const fixture = (path: string) => readFileSync(join(fixtures, path), 'utf8')
const example = (name: string) =>
  readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'calculator', name), 'utf8')

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
