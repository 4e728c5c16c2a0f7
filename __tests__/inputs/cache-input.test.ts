import { describe, expect, it } from '@jest/globals'
import { parseCacheInput } from '../../src/inputs/cache-input.js'

describe('the cache inputs', () => {
  it('reads one buildx cache a line, commas and all', () => {
    expect(
      parseCacheInput('cache-from', 'type=gha\n# a comment\n\ntype=registry,ref=ghcr.io/o/r:cache-{image}\n')
    ).toEqual(['type=gha', 'type=registry,ref=ghcr.io/o/r:cache-{image}'])
  })

  it.each([
    ['gha', "Invalid cache-to 'gha'. Expected one buildx cache a line, starting with its type"],
    ['type=nfs,dest=/x', "Invalid cache-to 'type=nfs,dest=/x'"],
    ['ref=ghcr.io/o/r:cache,type=registry', "Invalid cache-to 'ref=ghcr.io/o/r:cache,type=registry'"]
  ])('refuses %p, naming the input, the value and the fix', (value, message) => {
    expect(() => parseCacheInput('cache-to', value)).toThrow(message)
    expect(() => parseCacheInput('cache-to', value)).toThrow(/for example type=gha/)
  })
})
