import { describe, expect, it } from '@jest/globals'
import { parseReference, repositoryName } from '../../src/registry/reference.js'
import { parseChallenge } from '../../src/registry/client.js'
import { instructionsOf } from '../../src/registry/references.js'
import { parseImagesList } from '../../src/inputs/images-config.js'
import { parseCommandLine, UsageError } from '../../src/cli/args.js'

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

describe('image entries in the images config', () => {
  it('reads image and base-image apart from the entries to build', () => {
    const list = parseImagesList(
      [
        '- dockerfile: api/Dockerfile',
        '- name: app',
        '  image: ghcr.io/o/app:pr-1',
        '  base-image: ghcr.io/o/app:latest',
        '  max-increase: 5%'
      ].join('\n')
    )
    expect(list?.specs.map(spec => spec.dockerfile)).toEqual(['api/Dockerfile'])
    expect(list?.references).toEqual([
      expect.objectContaining({ name: 'app', image: 'ghcr.io/o/app:pr-1', baseImage: 'ghcr.io/o/app:latest' })
    ])
  })
  it('refuses a build field on an image entry, and a bad reference, naming the entry', () => {
    expect(() => parseImagesList('- image: ghcr.io/o/app:1\n  target: runtime')).toThrow(
      "images: images[0].target: an entry with 'image' is read from where it is, built by nobody here"
    )
    expect(() => parseImagesList('- image: ghcr.io/o/App:1')).toThrow("images: images[0].image 'ghcr.io/o/App:1'")
    expect(() => parseImagesList('- base-image: app:1')).toThrow("'base-image' without 'image'")
  })
})

describe('--image and --base-image', () => {
  it('check the two references and nothing else', () => {
    const command = parseCommandLine(['--image', 'ghcr.io/o/app:pr', '--base-image', 'ghcr.io/o/app:main'])
    expect(command.kind === 'check' && command.options.references).toEqual([
      { image: 'ghcr.io/o/app:pr', baseImage: 'ghcr.io/o/app:main' }
    ])
  })
  it('refuse flags that choose what to build, and a base-image alone', () => {
    expect(() => parseCommandLine(['--image', 'app:1', '--dockerfile', 'Dockerfile'])).toThrow(UsageError)
    expect(() => parseCommandLine(['--base-image', 'app:1'])).toThrow('Flag --base-image needs --image')
    expect(() => parseCommandLine(['--image', 'App'])).toThrow("Invalid --image 'App'")
  })
})
