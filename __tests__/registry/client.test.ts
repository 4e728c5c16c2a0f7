import { describe, expect, it } from '@jest/globals'
import { parseChallenge } from '../../src/registry/client.js'

describe('parseChallenge', () => {
  it('reads the Bearer challenge GHCR and Docker Hub send', () => {
    expect(
      parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/app:pull"')
    ).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:o/app:pull' }
    })
  })
  it('reads the Basic challenge of an htpasswd registry', () => {
    expect(parseChallenge('Basic realm="dsc-test"')).toEqual({ scheme: 'basic', params: { realm: 'dsc-test' } })
  })
})
