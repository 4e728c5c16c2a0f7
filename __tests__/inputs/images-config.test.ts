import { describe, expect, it } from '@jest/globals'
import { parseConfigFile, parseImagesInput, parseImagesList } from '../../src/inputs/images-config.js'
import { nth, only } from '../support/lists.js'

const FILE = '.github/docker-size-check.yml'

describe('parseConfigFile', () => {
  it('reads every field', () => {
    const spec = only(
      parseConfigFile(
        [
          'images:',
          '  - name: api',
          '    dockerfile: ./services/api/Dockerfile',
          '    context: services',
          '    target: runtime',
          '    build-args:',
          '      GO_VERSION: 1.10',
          '      DEBUG: false',
          '    platform: linux/amd64',
          '    max-increase: 5%, 2MB',
          '    max-size: 200MB',
          '    watch: [go.mod, "libs/**"]'
        ].join('\n'),
        FILE
      ),
      'image'
    )
    expect(spec).toMatchObject({
      name: 'api',
      dockerfile: 'services/api/Dockerfile',
      context: 'services',
      target: 'runtime',
      buildArgs: { GO_VERSION: '1.10', DEBUG: 'false' },
      platform: 'linux/amd64',
      maxSize: 200_000_000,
      watch: ['go.mod', 'libs/**']
    })
    expect(spec.maxIncrease?.limits).toEqual([
      { kind: 'percent', percent: 5 },
      { kind: 'bytes', bytes: 2_000_000 }
    ])
    expect(spec).not.toHaveProperty('warnIncrease')
  })

  it("defaults the context to the Dockerfile's folder, and reads an empty limit as none", () => {
    const spec = nth(parseConfigFile('images:\n  - dockerfile: web/Dockerfile\n    max-increase: ""\n', FILE), 0)
    expect(spec).toMatchObject({ dockerfile: 'web/Dockerfile', context: 'web', maxIncrease: null, watch: [] })
  })

  it('takes build args as a list of NAME=value', () => {
    const spec = nth(
      parseConfigFile('images:\n  - dockerfile: Dockerfile\n    build-args: ["A=1", "B=x=y"]\n', FILE),
      0
    )
    expect(spec).toMatchObject({ context: '.', buildArgs: { A: '1', B: 'x=y' } })
  })

  it.each([
    [
      'images:\n  - context: api\n',
      `${FILE}: images[0]: missing 'dockerfile' (or 'image', for an image built elsewhere).`
    ],
    [
      'images:\n  - dockerfile: a/Dockerfile\n  - dockerfile: b/Dockerfile\n  - dockerfile: c/Dockerfile\n    max-increase: 10 percent\n',
      `${FILE}: images[2].max-increase: Invalid max-increase '10 percent'. Expected a size such as 25MB`
    ],
    [
      'images:\n  - dockerfile: a/Dockerfile\n    max_increase: 5%\n',
      `${FILE}: images[0]: unknown field 'max_increase'`
    ],
    [
      'images:\n  - dockerfile: ../Dockerfile\n',
      `${FILE}: images[0].dockerfile: '../Dockerfile' leaves the repository`
    ],
    [
      'images:\n  - dockerfile: a/Dockerfile\n    max-size: big\n',
      `${FILE}: images[0].max-size: Invalid max-size 'big'`
    ],
    [
      'images:\n  - dockerfile: a/Dockerfile\n    platform: linux/amd64,linux/arm64\n',
      'images[0].platform: Invalid platform'
    ],
    [
      'images:\n  - dockerfile: a/Dockerfile\n    build-args: {"A-B": 1}\n',
      "images[0].build-args.A-B: Invalid build arg name 'A-B'"
    ],
    [
      'images:\n  - dockerfile: a/Dockerfile\n    watch: {a: b}\n',
      'images[0].watch: expected a glob or a list of globs'
    ],
    ['images:\n  - dockerfile: a/Dockerfile\n  - dockerfile: a/Dockerfile\n', 'images[1]: the same image as images[0]'],
    ['images: [dockerfile: a\n', `${FILE}: not valid YAML`],
    ['image:\n  - dockerfile: a/Dockerfile\n', `${FILE}: unknown key 'image'. Expected only 'images'.`],
    ['- dockerfile: a/Dockerfile\n', `${FILE}: expected a mapping with an 'images' list`]
  ])('rejects %j', (text, message) => {
    expect(() => parseConfigFile(text, FILE)).toThrow(message)
  })

  it('lets two targets of one Dockerfile be two images when named apart', () => {
    const specs = parseConfigFile(
      'images:\n  - {name: app-dev, dockerfile: Dockerfile, target: dev}\n  - {name: app, dockerfile: Dockerfile, target: prod}\n',
      FILE
    )
    expect(specs.map(spec => [spec.name, spec.target])).toEqual([
      ['app-dev', 'dev'],
      ['app', 'prod']
    ])
  })
})

describe('parseImagesInput', () => {
  it('is empty (null) when unset', () => {
    expect(parseImagesInput('  \n')).toBeNull()
  })

  it('reads a YAML list, an entry also as a bare Dockerfile path', () => {
    expect(parseImagesInput('- api/Dockerfile\n- dockerfile: web/Dockerfile\n  watch: shared/**\n')).toMatchObject([
      { dockerfile: 'api/Dockerfile', context: 'api' },
      { dockerfile: 'web/Dockerfile', context: 'web', watch: ['shared/**'] }
    ])
  })

  it('names the input in its errors', () => {
    expect(() => parseImagesInput('dockerfile: a/Dockerfile')).toThrow('images: expected a YAML list of images')
    expect(() => parseImagesInput('- dockerfile: a/Dockerfile\n  max-increase: 10 percent')).toThrow(
      "images: images[0].max-increase: Invalid max-increase '10 percent'"
    )
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
