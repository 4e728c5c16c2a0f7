import { describe, expect, it } from '@jest/globals'
import { instructionsOf } from '../../src/measure/references.js'

describe('instructionsOf', () => {
  const layer = (size: number) => ({ digest: `sha256:${String(size).padStart(64, '0')}`, size, mediaType: '' })
  it('pairs the history with the layers, an empty_layer entry making none', () => {
    const rows = instructionsOf({
      history: [
        { createdBy: 'ARG TARGETARCH', emptyLayer: true, comment: 'buildkit.dockerfile.v0' },
        { createdBy: 'COPY common.bin /data/common.bin # buildkit', emptyLayer: false, comment: '' },
        { createdBy: 'COPY amd64.bin /data/arch.bin # buildkit', emptyLayer: false, comment: '' }
      ],
      layers: [layer(1000), layer(20)]
    })
    expect(rows?.map(row => [row.keyword, row.args, row.size, row.line])).toEqual([
      ['ARG', 'TARGETARCH', 0, 1],
      ['COPY', 'common.bin /data/common.bin', 1000, 2],
      ['COPY', 'amd64.bin /data/arch.bin', 20, 3]
    ])
  })
  it('gives none where the history and the layers disagree', () => {
    expect(instructionsOf({ history: [{ createdBy: 'RUN x', emptyLayer: false, comment: '' }], layers: [] })).toBeNull()
  })
})
