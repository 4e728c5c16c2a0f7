import { describe, expect, it } from '@jest/globals'
import { parseExplain } from '../../src/inputs/explain-input.js'

describe('the explain input', () => {
  it('takes paths, instructions, both or none, and names a wrong word', () => {
    expect(parseExplain('')).toEqual({ paths: true, instructions: true })
    expect(parseExplain('paths, instructions')).toEqual({ paths: true, instructions: true })
    expect(parseExplain('instructions')).toEqual({ paths: false, instructions: true })
    expect(parseExplain('none')).toEqual({ paths: false, instructions: false })
    expect(() => parseExplain('paths,files')).toThrow(
      "Invalid explain 'paths,files': 'files' is not one of paths, instructions."
    )
  })
})
