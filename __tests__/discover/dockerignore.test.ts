import { describe, expect, it } from '@jest/globals'
import { contextFilter, dockerignorePathFor, isDockerignore, pathInContext } from '../../src/discover/dockerignore.js'

describe('contextFilter (Docker’s .dockerignore rules)', () => {
  const sent = contextFilter(
    ['# build output', 'dist', '*.md', '!README.md', '**/*.log', 'tmp/**', '', '!tmp/keep/**'].join('\n')
  )

  it.each([
    ['dist/app.js', false],
    ['dist', false],
    ['sub/dist/app.js', true], // a pattern is anchored at the context root
    ['notes.md', false],
    ['docs/notes.md', true], // `*` stays within one folder
    ['README.md', true], // brought back by `!`
    ['a/b/c.log', false],
    ['tmp/x/y', false],
    ['tmp/keep/y', true], // re-included below an excluded folder, unlike .gitignore
    ['src/main.go', true],
    ['DIST/app.js', true] // case-sensitive, as on Linux
  ])('%s is sent: %s', (path, expected) => {
    expect(sent(path)).toBe(expected)
  })

  it('sends everything without a dockerignore', () => {
    expect(contextFilter(null)('anything/at/all')).toBe(true)
    expect(contextFilter('\n# only a comment\n')('x')).toBe(true)
  })

  it('reads CRLF files', () => {
    expect(contextFilter('secret.txt\r\nlogs\r\n')('logs/a')).toBe(false)
  })
})

describe('dockerignorePathFor', () => {
  it('prefers <Dockerfile>.dockerignore beside the Dockerfile', () => {
    const files = new Set(['api/Dockerfile.dockerignore', '.dockerignore'])
    expect(dockerignorePathFor('api/Dockerfile', '.', path => files.has(path))).toBe('api/Dockerfile.dockerignore')
  })

  it("falls back to the context root's .dockerignore", () => {
    expect(dockerignorePathFor('api/Dockerfile', 'api', () => false)).toBe('api/.dockerignore')
    expect(dockerignorePathFor('Dockerfile', '.', () => false)).toBe('.dockerignore')
  })
})

describe('pathInContext', () => {
  it('gives the path inside the context, or null outside it', () => {
    expect(pathInContext('api', 'api/src/main.go')).toBe('src/main.go')
    expect(pathInContext('api', 'api-v2/main.go')).toBeNull()
    expect(pathInContext('.', 'api/main.go')).toBe('api/main.go')
  })

  it('knows dockerignore files of both kinds', () => {
    expect(isDockerignore('api/.dockerignore')).toBe(true)
    expect(isDockerignore('api/Dockerfile.dockerignore')).toBe(true)
    expect(isDockerignore('api/dockerignore.md')).toBe(false)
  })
})
