import { describe, expect, it } from '@jest/globals'
import { discoverImages } from '../src/discover.js'
import { DEFAULT_DOCKERFILE_GLOBS, globMatcher } from '../src/globs.js'

describe('the default Dockerfile globs', () => {
  const isDockerfile = globMatcher(DEFAULT_DOCKERFILE_GLOBS)

  it.each([
    'Dockerfile',
    'services/api/Dockerfile',
    'dockerfile',
    'DOCKERFILE',
    'Dockerfile.prod',
    'deploy/prod.Dockerfile',
    'app.dockerfile',
    'dockerfile-multistage',
    'Containerfile',
    '.devcontainer/Dockerfile'
  ])('match %s', path => {
    expect(isDockerfile(path)).toBe(true)
  })

  it.each(['README.md', 'docs/Dockerfiles.md', 'Dockerfile.dockerignore', '.dockerignore', 'src/dockerfile.go.txt/x'])(
    'do not match %s',
    path => {
      expect(isDockerfile(path)).toBe(false)
    }
  )

  it('honour exclusions', () => {
    expect(globMatcher(['**/Dockerfile', '!legacy/**'])('legacy/Dockerfile')).toBe(false)
  })
})

describe('discoverImages', () => {
  it('finds each changed Dockerfile with its folder as the context', () => {
    const targets = discoverImages(
      [
        { path: 'README.md', status: 'modified' },
        { path: 'svc/api/Dockerfile', status: 'modified' },
        { path: 'Dockerfile', status: 'added' },
        { path: 'old/Dockerfile.prod', status: 'removed' }
      ],
      DEFAULT_DOCKERFILE_GLOBS
    )
    expect(targets.map(t => [t.dockerfile, t.context, t.change])).toEqual([
      ['Dockerfile', '.', 'added'],
      ['old/Dockerfile.prod', 'old', 'removed'],
      ['svc/api/Dockerfile', 'svc/api', 'modified']
    ])
  })

  it('follows a rename to the base path', () => {
    const [target] = discoverImages(
      [{ path: 'new/Dockerfile', status: 'renamed', previousPath: 'old/Dockerfile' }],
      DEFAULT_DOCKERFILE_GLOBS
    )
    expect(target).toMatchObject({
      dockerfile: 'new/Dockerfile',
      baseDockerfile: 'old/Dockerfile',
      baseContext: 'old',
      change: 'renamed'
    })
  })

  it('treats a rename away from a Dockerfile name as a removal', () => {
    const [target] = discoverImages(
      [{ path: 'old/Dockerfile.bak.txt', status: 'renamed', previousPath: 'old/Dockerfile' }],
      ['**/Dockerfile']
    )
    expect(target).toMatchObject({ dockerfile: 'old/Dockerfile', change: 'removed' })
  })

  it('finds nothing in a README-only change', () => {
    expect(discoverImages([{ path: 'README.md', status: 'modified' }], DEFAULT_DOCKERFILE_GLOBS)).toEqual([])
  })
})
