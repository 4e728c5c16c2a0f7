import { describe, expect, it } from '@jest/globals'
import { checkoutPaths } from '../../src/scheduler/checkout.js'
import { ImageTarget } from '../../src/shared/types.js'

function target(fields: Partial<ImageTarget> & Pick<ImageTarget, 'dockerfile' | 'context'>): ImageTarget {
  return {
    change: 'modified',
    reason: 'Dockerfile modified',
    baseDockerfile: fields.dockerfile,
    baseContext: fields.context,
    ...fields
  }
}

describe('what a side checks out', () => {
  it('is each build context, each Dockerfile and its own ignore file, and nothing twice', () => {
    const targets = [
      target({ dockerfile: 'services/api/Dockerfile', context: 'services/api' }),
      target({ dockerfile: 'docker/web.Dockerfile', context: 'web' }),
      target({ dockerfile: 'services/api/Dockerfile.prod', context: 'services/api' })
    ]
    expect(checkoutPaths(targets, 'head')).toEqual([
      'docker/web.Dockerfile',
      'docker/web.Dockerfile.dockerignore',
      'services/api',
      'web'
    ])
  })

  it("follows the base's own paths on the base side (a moved Dockerfile)", () => {
    const moved = target({
      dockerfile: 'apps/api/Dockerfile',
      context: 'apps/api',
      baseDockerfile: 'api/Dockerfile',
      baseContext: 'api'
    })
    expect(checkoutPaths([moved], 'base')).toEqual(['api'])
    expect(checkoutPaths([moved], 'head')).toEqual(['apps/api'])
  })

  it('is the whole tree when a context is the repository root', () => {
    const targets = [
      target({ dockerfile: 'services/api/Dockerfile', context: 'services/api' }),
      target({ dockerfile: 'Dockerfile', context: '.' })
    ]
    expect(checkoutPaths(targets, 'head')).toBeNull()
  })

  it('is the whole tree when a name cannot be a sparse-checkout pattern', () => {
    expect(checkoutPaths([target({ dockerfile: 'odd\nname/Dockerfile', context: 'odd\nname' })], 'head')).toBeNull()
  })

  it('is nothing when nothing is built on that side', () => {
    expect(checkoutPaths([], 'base')).toEqual([])
  })
})
