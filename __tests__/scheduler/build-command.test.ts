import { describe, expect, it } from '@jest/globals'
import { buildCommandArgs, buildEnvironment, summarizeBuildError } from '../../src/scheduler/build-command.js'

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
})
