import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stageInstructions } from '../../src/tools/dockerfile.js'

const fixtures = join(import.meta.dirname, '..', '..', '__fixtures__')
const fixture = (path: string) => readFileSync(join(fixtures, path), 'utf8')

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
