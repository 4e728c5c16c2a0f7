import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildCommandArgs, buildEnvironment, summarizeBuildError } from '../../src/scheduler/build-command.js'
import { buildxListed, parseEngineInfo, parseLabelledImages } from '../../src/tools/docker.js'
import { parseInspect } from '../../src/measure/inspect.js'
import { HistoryRow, withoutRunLabel } from '../../src/measure/history.js'
import { formatDuration, parseDuration } from '../../src/inputs/duration.js'

describe('buildCommandArgs', () => {
  const base = { dockerfile: '/w/head/api/Dockerfile', context: '/w/head/api', tag: 'docker-size-check:run-0-head' }

  it.each([
    [
      'buildx loads the image and leaves attestations out',
      { ...base, builder: 'buildx' as const },
      [
        'buildx',
        'build',
        '--load',
        '--progress=plain',
        '--provenance=false',
        '--file',
        base.dockerfile,
        '--tag',
        base.tag,
        base.context
      ]
    ],
    [
      'buildx with a builder named by the builder input',
      { ...base, builder: 'buildx' as const, builderName: 'ci-builder' },
      [
        'buildx',
        'build',
        '--builder',
        'ci-builder',
        '--load',
        '--progress=plain',
        '--provenance=false',
        '--file',
        base.dockerfile,
        '--tag',
        base.tag,
        base.context
      ]
    ],
    [
      'the legacy builder',
      { ...base, builder: 'legacy' as const },
      ['build', '--file', base.dockerfile, '--tag', base.tag, base.context]
    ],
    [
      'target, platform and build args',
      {
        ...base,
        builder: 'legacy' as const,
        target: 'runtime',
        platform: 'linux/amd64',
        buildArgs: { GO_VERSION: '1.22', EMPTY: '' }
      },
      [
        'build',
        '--file',
        base.dockerfile,
        '--tag',
        base.tag,
        '--target',
        'runtime',
        '--platform',
        'linux/amd64',
        '--build-arg',
        'GO_VERSION=1.22',
        '--build-arg',
        'EMPTY=',
        base.context
      ]
    ],
    [
      'buildx passes named contexts: a folder, an image, another image of the run by its tag',
      {
        ...base,
        builder: 'buildx' as const,
        contexts: {
          assets: '/w/head/assets',
          tools: 'docker-image://debian:bookworm',
          base: 'docker-image://docker-size-check:run-1-head'
        }
      },
      [
        'buildx',
        'build',
        '--load',
        '--progress=plain',
        '--provenance=false',
        '--file',
        base.dockerfile,
        '--tag',
        base.tag,
        '--build-context',
        'assets=/w/head/assets',
        '--build-context',
        'tools=docker-image://debian:bookworm',
        '--build-context',
        'base=docker-image://docker-size-check:run-1-head',
        base.context
      ]
    ]
  ])('%s', (_name, request, expected) => {
    expect(buildCommandArgs(request)).toEqual(expected)
  })

  it('asks for the legacy builder by name', () => {
    expect(buildEnvironment('legacy')).toEqual({ DOCKER_BUILDKIT: '0' })
    expect(buildEnvironment('buildx')).toEqual({})
  })
})

describe('summarizeBuildError', () => {
  it("finds the legacy builder's COPY failure", () => {
    const output =
      'Step 2/2 : COPY missing.bin /m\nDEPRECATED: The legacy builder is deprecated\n\nCOPY failed: file not found in build context or excluded by .dockerignore: stat missing.bin: file does not exist'
    expect(summarizeBuildError(output)).toBe(
      'COPY failed: file not found in build context or excluded by .dockerignore: stat missing.bin: file does not exist'
    )
  })

  it("finds BuildKit's reason", () => {
    const output = [
      '#5 [2/2] RUN exit 3',
      '#5 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
      '------',
      'ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3'
    ].join('\n')
    expect(summarizeBuildError(output)).toBe(
      'failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3'
    )
  })

  it("finds the legacy builder's reason", () => {
    const output =
      "Step 2/2 : RUN exit 3\n ---> Running in 1234\nThe command '/bin/sh -c exit 3' returned a non-zero code: 3"
    expect(summarizeBuildError(output)).toBe("The command '/bin/sh -c exit 3' returned a non-zero code: 3")
  })
})

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

describe('parseEngineInfo', () => {
  it('reads the server and its storage', () => {
    expect(parseEngineInfo('{"ServerVersion":"20.10.24+dfsg1","Driver":"overlay2"}')).toEqual({
      serverVersion: '20.10.24+dfsg1',
      storageDriver: 'overlay2',
      imageStore: 'graphdriver'
    })
  })

  // Recorded on this machine's engine, and written from the documented format of Docker 29.
  it.each([
    ['info-20.10-overlay2.json', '20.10.24+dfsg1', 'overlay2', 'graphdriver'],
    ['info-29-overlay2.documented.json', '29.1.3', 'overlay2', 'graphdriver'],
    ['info-29-containerd.documented.json', '29.1.3', 'overlayfs', 'containerd']
  ])('tells the image store from %s', (file, serverVersion, storageDriver, imageStore) => {
    const stdout = readFileSync(join(import.meta.dirname, '..', '..', '__fixtures__', 'engine', file), 'utf8')
    expect(parseEngineInfo(stdout)).toEqual({ serverVersion, storageDriver, imageStore })
  })

  it('sees a CLI that reaches no daemon', () => {
    expect(parseEngineInfo('{"ServerVersion":"","Driver":""}')).toBeNull()
  })
})

describe('buildxListed', () => {
  const recorded = readFileSync(
    join(import.meta.dirname, '..', '..', '__fixtures__', 'engine', 'info-20.10-overlay2.json'),
    'utf8'
  )

  it('finds the buildx plugin among the CLI plugins that docker info lists', () => {
    expect(buildxListed(recorded)).toBe(true)
  })

  it('sees a CLI without buildx, and one whose buildx cannot run', () => {
    expect(buildxListed('{"ClientInfo":{"Plugins":[{"Name":"compose"}]}}')).toBe(false)
    expect(buildxListed('{"ClientInfo":{"Plugins":[{"Name":"buildx","Err":"not executable"}]}}')).toBe(false)
  })

  it('cannot tell from a CLI that lists no plugins', () => {
    expect(buildxListed('{"ServerVersion":"20.10.24"}')).toBeNull()
    expect(buildxListed('not json')).toBeNull()
  })
})

describe('the run labels', () => {
  it('go on the command line of every build, before the context', () => {
    const args = buildCommandArgs({
      dockerfile: '/w/Dockerfile',
      context: '/w',
      tag: 't',
      builder: 'legacy',
      labels: { 'docker-size-check.run': '1-2-abcdef@h', 'docker-size-check.temp-root': '/tmp/a b' }
    })
    expect(args.slice(-5)).toEqual([
      '--label',
      'docker-size-check.run=1-2-abcdef@h',
      '--label',
      'docker-size-check.temp-root=/tmp/a b',
      '/w'
    ])
  })

  it('are read back from docker image inspect, tags and labels, skipping lines that are not an image', () => {
    const stdout = [
      '["docker-size-check:1-2-abcdef-0-head"]\t{"docker-size-check.run":"1-2-abcdef@h","docker-size-check.temp-root":"/tmp/a, b=c"}',
      '[]\tnull',
      'Error: No such image: sha256:0',
      ''
    ].join('\n')
    expect(parseLabelledImages(stdout)).toEqual([
      {
        tags: ['docker-size-check:1-2-abcdef-0-head'],
        labels: { 'docker-size-check.run': '1-2-abcdef@h', 'docker-size-check.temp-root': '/tmp/a, b=c' }
      }
    ])
  })

  it("leave the legacy builder's LABEL rows out of the history the Dockerfile is matched with, and nothing else", () => {
    const row = (createdBy: string, size = 0): HistoryRow => ({ createdBy, size, comment: '' })
    const rows = [
      row('/bin/sh -c #(nop)  LABEL docker-size-check.kept=false'),
      row('/bin/sh -c #(nop)  LABEL docker-size-check.temp-root=/tmp/x y'),
      row('/bin/sh -c #(nop)  LABEL docker-size-check.run=1-2-abcdef@test'),
      row('/bin/sh -c #(nop)  LABEL version=2'),
      row('/bin/sh -c echo hi > /f', 3)
    ]
    expect(withoutRunLabel(rows)).toEqual(rows.slice(3))
    expect(withoutRunLabel(rows.slice(3))).toEqual(rows.slice(3))
    expect(withoutRunLabel([])).toEqual([])
  })
})

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['90s', 90_000],
    ['1h', 3_600_000],
    ['1h30m5s', 5_405_000],
    ['', 1_800_000]
  ])('reads %p', (value, ms) => {
    expect(parseDuration('build-timeout', value)).toBe(ms)
  })

  it.each(['30', '1.5h', '-5m', '0s', '25h', '5 m', '30m1h', 'm'])(
    'refuses %p, naming the input, the value and the fix',
    value => {
      expect(() => parseDuration('build-timeout', value)).toThrow(
        `Invalid build-timeout '${value}'. Expected a duration of whole hours, minutes or seconds above zero and up to 24h, such as 30m, 90s, 1h or 1h30m (default 30m).`
      )
    }
  )

  it('writes a duration back as it is read', () => {
    expect([5_000, 1_800_000, 5_400_000, 50].map(formatDuration)).toEqual(['5s', '30m', '1h30m', '50ms'])
  })
})
