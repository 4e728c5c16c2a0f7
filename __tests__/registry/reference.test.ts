import { describe, expect, it } from '@jest/globals'
import { parseReference, repositoryName } from '../../src/registry/reference.js'

describe('parseReference', () => {
  it.each([
    ['app', 'docker.io', 'registry-1.docker.io', 'library/app', 'latest', null, 'https'],
    ['owner/app:1.2', 'docker.io', 'registry-1.docker.io', 'owner/app', '1.2', null, 'https'],
    ['ghcr.io/owner/app:pr-12', 'ghcr.io', 'ghcr.io', 'owner/app', 'pr-12', null, 'https'],
    ['127.0.0.1:5000/app:main', '127.0.0.1:5000', '127.0.0.1:5000', 'app', 'main', null, 'http'],
    ['localhost:5000/team/app', 'localhost:5000', 'localhost:5000', 'team/app', 'latest', null, 'http'],
    [
      `registry.example.com/app@sha256:${'a'.repeat(64)}`,
      'registry.example.com',
      'registry.example.com',
      'app',
      null,
      `sha256:${'a'.repeat(64)}`,
      'https'
    ]
  ])('reads %s as docker does', (text, registry, apiHost, repository, tag, digest, scheme) => {
    expect(parseReference(text)).toMatchObject({ registry, apiHost, repository, tag, digest, scheme })
  })

  it.each([
    ['', 'it is empty'],
    ['App:latest', "'App' is not a repository name"],
    ['app:-bad', "'-bad' is not a tag"],
    ['app@sha256:xyz', "'sha256:xyz' is not a digest"],
    ['ghcr.io/owner/app:pr 12', 'white space']
  ])('refuses %j, naming the field and the form', (text, why) => {
    expect(() => parseReference(text, 'base-image')).toThrow(why)
    expect(() => parseReference(text, 'base-image')).toThrow(
      /^Invalid base-image .*Expected an image reference such as/
    )
  })

  it('names a repository as a reader knows it', () => {
    expect(repositoryName(parseReference('nginx'))).toBe('nginx')
    expect(repositoryName(parseReference('ghcr.io/o/app:1'))).toBe('ghcr.io/o/app')
  })
})
