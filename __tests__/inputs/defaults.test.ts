import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { EXPRESSION_DEFAULTS, INPUT_DEFAULTS } from '../../src/inputs/table.js'

const root = join(import.meta.dirname, '..', '..')
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string }>
}

describe('the defaults in code', () => {
  it('are the defaults of action.yml, input for input', () => {
    const declared = Object.fromEntries(
      Object.entries(action.inputs).map(([name, spec]) => [name, String(spec.default ?? '')])
    )
    const inCode: Record<string, string> = { ...INPUT_DEFAULTS, ...EXPRESSION_DEFAULTS }
    expect(inCode).toEqual(declared)
  })

  it('have no default that only the runner could evaluate, but the token', () => {
    for (const [name, value] of Object.entries(INPUT_DEFAULTS)) {
      expect([name, value.includes('${{')]).toEqual([name, false])
    }
    expect(Object.keys(EXPRESSION_DEFAULTS)).toEqual(['github-token'])
  })
})
