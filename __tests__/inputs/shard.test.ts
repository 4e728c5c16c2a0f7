import { describe, expect, it } from '@jest/globals'
import { parseShard, selectShard } from '../../src/inputs/shard.js'
import { ImageTarget } from '../../src/shared/types.js'

const target = (dockerfile: string, name?: string): ImageTarget => ({
  dockerfile,
  context: '.',
  baseDockerfile: dockerfile,
  baseContext: '.',
  change: 'modified',
  reason: 'Dockerfile modified',
  ...(name ? { name } : {})
})

describe('parseShard', () => {
  it('reads INDEX/TOTAL', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 })
    expect(parseShard(' 1 / 1 ')).toEqual({ index: 1, total: 1 })
    expect(parseShard('')).toBeNull()
  })

  it.each(['0/4', '5/4', '2', 'two/four', '1/0', '-1/2'])('rejects %s', value => {
    expect(() => parseShard(value)).toThrow(`Invalid shard '${value}'. Expected INDEX/TOTAL`)
  })
})

describe('selectShard', () => {
  const targets = ['e', 'b', 'g', 'a', 'd', 'c', 'f'].map(letter => target(`${letter}/Dockerfile`))

  it('splits the images evenly, without overlap, covering all of them', () => {
    const shards = [1, 2, 3].map(index => selectShard(targets, { index, total: 3 }).map(t => t.dockerfile))
    expect(shards.map(shard => shard.length)).toEqual([3, 2, 2])
    expect(shards.flat().sort()).toEqual(targets.map(t => t.dockerfile).sort())
    expect(shards[0]).toEqual(['a/Dockerfile', 'd/Dockerfile', 'g/Dockerfile'])
  })

  it('gives every shard the same split whatever order discovery returned', () => {
    const reversed = [...targets].reverse()
    expect(selectShard(reversed, { index: 2, total: 3 })).toEqual(selectShard(targets, { index: 2, total: 3 }))
  })

  it('keeps every image without a shard, and sorts configured names apart from paths', () => {
    expect(selectShard(targets, null)).toBe(targets)
    const named = [target('Dockerfile', 'web'), target('Dockerfile', 'api')]
    expect(selectShard(named, { index: 1, total: 2 }).map(t => t.name)).toEqual(['api'])
  })
})
