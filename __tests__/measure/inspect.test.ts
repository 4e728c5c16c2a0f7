import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseInspect } from '../../src/measure/inspect.js'

describe('parseInspect', () => {
  it('reads size, id and layer count from docker 20.10 output', () => {
    const stdout = JSON.stringify([
      {
        Id: 'sha256:abc',
        Size: 1_000_000,
        VirtualSize: 1_000_000,
        RootFS: { Type: 'layers', Layers: ['sha256:1', 'sha256:2'] }
      }
    ])
    expect(parseInspect(stdout)).toEqual({ size: 1_000_000, id: 'sha256:abc', layers: 2 })
  })

  it('reads docker 29 output, which has no VirtualSize', () => {
    const stdout = JSON.stringify([
      {
        Id: 'sha256:def',
        Size: 2_500,
        RootFS: { Type: 'layers', Layers: ['sha256:1'] },
        Descriptor: { mediaType: 'application/vnd.oci.image.index.v1+json' }
      }
    ])
    expect(parseInspect(stdout)).toEqual({ size: 2_500, id: 'sha256:def', layers: 1 })
  })

  it.each([
    ['inspect-20.10-overlay2.json', 2_984_135],
    ['inspect-29-containerd.documented.json', 1_216_421]
  ])('reads the Size of %s as the engine gives it', (file, size) => {
    const stdout = readFileSync(join(import.meta.dirname, '..', '..', '__fixtures__', 'engine', file), 'utf8')
    expect(parseInspect(stdout)).toMatchObject({ size, layers: 6 })
  })

  it('refuses what is not an image', () => {
    expect(() => parseInspect('[]')).toThrow('no image')
    expect(() => parseInspect('Error: No such image')).toThrow('not JSON')
  })
})
