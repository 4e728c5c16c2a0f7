// What a record's fingerprint holds of a Dockerfile, and how a mismatch is said: every image
// a build reads (FROM, COPY --from, RUN --mount=…,from=), every secret a RUN mounts and
// whether it is given, the platform always.
import { describe, expect, it } from '@jest/globals'
import {
  externalImages,
  fingerprintImage,
  fingerprintMismatch,
  normalizePlatform
} from '../../src/records/fingerprint.js'
import type { Fingerprint } from '../../src/records/schema.js'

const ids: Record<string, string> = {
  'busybox:local': 'sha256:aaaa',
  'tools:1': 'sha256:bbbb',
  'tools:2': 'sha256:cccc'
}
const resolveImage = (reference: string) => Promise.resolve(ids[reference] ?? null)

async function fingerprint(
  dockerfileText: string,
  options: { secretIds?: string[]; platform?: string; enginePlatform?: string } = {}
): Promise<Fingerprint> {
  const result = await fingerprintImage({
    source: 'src',
    dockerfileText,
    measure: 'inspect/graphdriver',
    resolveImage,
    secretIds: options.secretIds ?? [],
    enginePlatform: options.enginePlatform ?? 'linux/x86_64',
    ...(options.platform ? { build: { platform: options.platform } } : {})
  })
  if (!('fingerprint' in result)) throw new Error(result.unresolved)
  return result.fingerprint
}

describe('externalImages', () => {
  it.each([
    ['FROM busybox:local\nRUN --mount=from=tools:1,source=/t,target=/t true\n', ['busybox:local', 'tools:1'], []],
    [
      'FROM busybox:local AS build\nFROM busybox:local\nRUN --mount=type=bind,from=build,target=/b true\n',
      ['busybox:local'],
      []
    ],
    ['FROM busybox:local\nRUN --mount=type=cache,from=0,target=/c true\n', ['busybox:local'], []],
    [
      'FROM busybox:local\nRUN --mount=type=secret,id=npm --mount=type=secret,target=/run/secrets/pip true\n',
      ['busybox:local'],
      ['secret:npm', 'secret:pip']
    ],
    ['FROM busybox:local\nRUN --mount=type=ssh git clone x\n', ['busybox:local'], ['ssh:default']],
    [
      'ARG TOOLS=tools:1\nFROM busybox:local\nARG ID=tok\nARG TOOLS\nRUN --mount=type=secret,id=$ID --mount=from=${TOOLS},target=/t true\n',
      ['busybox:local', 'tools:1'],
      ['secret:tok']
    ]
  ])('%j reads %j and mounts %j', (text, references, mounts) => {
    expect(externalImages(text, {})).toEqual({ references, mounts })
  })

  it('takes a build-arg over an ARG default, and calls a mount from a variable without value unresolved', () => {
    const text = 'FROM busybox:local\nARG TOOLS\nRUN --mount=from=$TOOLS,target=/t true\n'
    expect(externalImages(text, { TOOLS: 'tools:2' })).toEqual({ references: ['busybox:local', 'tools:2'], mounts: [] })
    expect(externalImages(text, {})).toEqual({
      unresolved: 'a RUN --mount from $TOOLS depends on a variable with no value'
    })
  })
})

describe('fingerprintImage and fingerprintMismatch', () => {
  const secretStep = 'FROM busybox:local\nRUN --mount=type=secret,id=tok make\n'

  it('a secret the record was made with and this run lacks: the record does not stand', async () => {
    const recorded = await fingerprint(secretStep, { secretIds: ['tok'] })
    const now = await fingerprint(secretStep)
    expect(recorded.secrets).toEqual({ 'secret:tok': true })
    expect(now.secrets).toEqual({ 'secret:tok': false })
    expect(fingerprintMismatch(recorded, now)).toBe('the secret tok was given when recorded, is not given in this run')
    // A secret no step mounts changes nothing.
    expect(fingerprintMismatch(await fingerprint(secretStep, { secretIds: ['tok', 'other'] }), recorded)).toBeNull()
  })

  it('a RUN --mount from= image that moved: the record does not stand', async () => {
    const text = (tag: string) => `FROM busybox:local\nRUN --mount=from=${tag},target=/t true\n`
    const recorded = await fingerprint(text('tools:1'))
    ids['tools:1'] = 'sha256:dddd'
    try {
      expect(fingerprintMismatch(recorded, await fingerprint(text('tools:1')))).toBe(
        'tools:1 resolves to dddd now, bbbb when recorded'
      )
    } finally {
      ids['tools:1'] = 'sha256:bbbb'
    }
  })

  it('the platform is always there: the engine’s when none is asked for, and one named two ways is one', async () => {
    const text = 'FROM busybox:local\n'
    const amd = await fingerprint(text)
    expect(amd.platform).toBe('linux/amd64')
    expect(fingerprintMismatch(amd, await fingerprint(text, { platform: 'linux/amd64' }))).toBeNull()
    expect(fingerprintMismatch(amd, await fingerprint(text, { enginePlatform: 'linux/aarch64' }))).toBe(
      'the record was built for linux/amd64, this base is built for linux/arm64'
    )
  })

  it.each([
    ['linux/x86_64', 'linux/amd64'],
    ['amd64', 'linux/amd64'],
    ['linux/arm64/v8', 'linux/arm64/v8'],
    ['Linux/aarch64', 'linux/arm64']
  ])('normalizePlatform(%s) is %s', (given, expected) => {
    expect(normalizePlatform(given)).toBe(expected)
  })
})
