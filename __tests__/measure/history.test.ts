// Parsers, on recorded `docker history` output of Docker 20.10 (BuildKit and
// the legacy builder) and on Docker 29 containerd-store output written from its documented
// format (see __fixtures__/README.md).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HistoryRow, parseHistory, recordedInstruction, withoutRunLabel } from '../../src/measure/history.js'
import { nth } from '../support/lists.js'

const fixtures = join(import.meta.dirname, '..', '..', '__fixtures__')
const fixture = (path: string) => readFileSync(join(fixtures, path), 'utf8')

describe('the run labels', () => {
  it("leave the legacy builder's LABEL rows out of the history the Dockerfile is matched with, and nothing else", () => {
    const row = (createdBy: string, size = 0): HistoryRow => ({ createdBy, size, comment: '' })
    const rows = [
      row('/bin/sh -c #(nop)  LABEL docker-size-check.kept=false'),
      row('/bin/sh -c #(nop)  LABEL docker-size-check.temp-root=/tmp/x y'),
      row('/bin/sh -c #(nop)  LABEL docker-size-check.run=1-2-abcdef@test'),
      row('/bin/sh -c #(nop)  LABEL version=2'),
      row('/bin/sh -c echo hi > /f', 3)
    ]
    expect(withoutRunLabel(rows)).toEqual(rows.slice(3))
    expect(withoutRunLabel(rows.slice(3))).toEqual(rows.slice(3))
    expect(withoutRunLabel([])).toEqual([])
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
