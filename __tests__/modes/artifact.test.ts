import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareImages } from '../../src/judge/judge.js'
import { ARTIFACT_FILE, SizeArtifact, stateFromArtifact, toArtifact, writeArtifact } from '../../src/modes/artifact.js'
import { ARTIFACT_LIMITS, ArtifactError, parseArtifact, readArtifact } from '../../src/modes/artifact-validate.js'
import { newRunState } from '../../src/modes/check.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'

// The comment run reads an artifact that a fork's PR could have written byte by byte.

const HEAD = 'c'.repeat(40)
const limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }
const folders: string[] = []

afterAll(async () => {
  await Promise.all(folders.map(folder => rm(folder, { recursive: true, force: true })))
})

function measuredState() {
  const state = newRunState()
  state.revisions = { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) }
  state.engine = {
    serverVersion: '20.10.24',
    apiVersion: '1.41',
    storageDriver: 'overlay2',
    builder: 'buildx',
    imageStore: 'graphdriver'
  }
  const target = {
    dockerfile: 'api/Dockerfile',
    context: 'api',
    baseDockerfile: 'api/Dockerfile',
    baseContext: 'api',
    change: 'modified' as const,
    reason: 'Dockerfile modified'
  }
  state.measured.push({
    target,
    base: { size: 1_000_000, id: `sha256:${'1'.repeat(64)}`, layers: 2 },
    head: {
      size: 3_000_000,
      id: `sha256:${'2'.repeat(64)}`,
      layers: 3,
      sizeSource: 'inspect',
      compressedSize: 1_200_000,
      instructions: [
        { keyword: 'FROM', args: 'busybox:local', line: 1, endLine: 1, size: 1_000_000 },
        { keyword: 'RUN', args: 'head -c 2000000 /dev/zero > /pad', line: 2, endLine: 2, size: 2_000_000 }
      ]
    },
    failedBuilds: []
  })
  state.measured.push({
    target: {
      ...target,
      dockerfile: 'web/Dockerfile',
      baseDockerfile: 'web/Dockerfile',
      context: 'web',
      baseContext: 'web'
    },
    base: { size: 5_000, id: `sha256:${'3'.repeat(64)}`, layers: 1 },
    head: null,
    failedBuilds: [
      { side: 'head', ok: false, durationMs: 900, error: 'COPY failed: no such file', logTail: '#5 ERROR\nCOPY failed' }
    ]
  })
  return state
}

function validArtifact(): SizeArtifact {
  return toArtifact(measuredState(), { number: 7, headSha: HEAD })
}

/** The valid artifact as JSON, changed by `tamper`. */
function tampered(tamper: (json: Record<string, any>) => void): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reaches into arbitrary JSON
  const json = JSON.parse(JSON.stringify(validArtifact())) as Record<string, any>
  tamper(json)
  return JSON.stringify(json)
}

describe('the artifact', () => {
  it('comes back from its file as the state it was made from, and renders the same report', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'dsc-artifact-'))
    folders.push(folder)
    const state = measuredState()
    const path = await writeArtifact(folder, toArtifact(state, { number: 7, headSha: HEAD }))
    expect(path).toBe(join(folder, ARTIFACT_FILE))
    const read = await readArtifact(folder)
    expect(read.pullRequest).toEqual({ number: 7, headSha: HEAD })
    const back = stateFromArtifact(read)
    const render = (s: typeof state) => renderMarkdown(compareImages(s.revisions, s.measured, limits), { limits })
    expect(render(back)).toBe(render(state))
    expect(render(back)).toContain('COPY failed: no such file')
    expect(back.measured[0]!.head).toEqual(state.measured[0]!.head)
  })

  it.each<[string, (json: Record<string, any>) => void, RegExp]>([
    ['another tool', json => (json.tool = 'other'), /not a docker-size-check artifact/],
    ['a newer schema', json => (json.schemaVersion = 2), /schemaVersion is 2; this version reads 1/],
    [
      'a negative size',
      json => (json.images[0].base.size = -1),
      /images\[0\]\.base\.size is -1; expected a whole number/
    ],
    ['a fractional size', json => (json.images[0].head.size = 1.5), /images\[0\]\.head\.size is 1\.5/],
    ['a size as a string', json => (json.images[0].head.size = '3000000'), /images\[0\]\.head\.size is "3000000"/],
    ['a bad image id', json => (json.images[0].head.id = '<img src=x>'), /images\[0\]\.head\.id is not an image id/],
    ['a path out of the repository', json => (json.images[0].dockerfile = '../../etc/passwd'), /not a path inside/],
    ['an absolute path', json => (json.images[0].context = '/etc'), /images\[0\]\.context is not a path inside/],
    ['a newline in a path', json => (json.images[0].dockerfile = 'a\n[x]: https://evil'), /holds control characters/],
    ['a bidi override', json => (json.images[0].dockerfile = 'api/\u202eelifrekcoD'), /holds control characters/],
    [
      'a right-to-left mark',
      json => (json.images[0].dockerfile = 'api/\u200fx/Dockerfile'),
      /holds control characters/
    ],
    ['an Arabic letter mark', json => (json.images[1].failedBuilds[0].error = 'x\u061cy'), /holds control characters/],
    ['a left-to-right mark', json => (json.engine.serverVersion = '28\u200e'), /holds control characters/],
    [
      'an unknown status',
      json => (json.images[0].change = 'hacked'),
      /images\[0\]\.change is "hacked"; expected one of/
    ],
    ['a PR number that is no number', json => (json.pullRequest.number = '7; rm -rf /'), /pullRequest\.number is/],
    ['a SHA that is no SHA', json => (json.pullRequest.headSha = 'main'), /pullRequest\.headSha is "main"/],
    ['three failed builds', json => (json.images[1].failedBuilds = [1, 2, 3]), /has 3 entries/],
    ['a missing field', json => delete json.images[0].head, /images\[0\]\.head is missing/],
    [
      'a reason over the cap',
      json => (json.images[1].failedBuilds[0].error = 'x'.repeat(ARTIFACT_LIMITS.maxText + 1)),
      /error is 2001 characters long, over the limit of 2000/
    ],
    [
      'an instruction that is no keyword',
      json => (json.images[0].head.instructions[1].keyword = '<b>RUN</b>'),
      /images\[0\]\.head\.instructions\[1\]\.keyword is not a Dockerfile instruction/
    ],
    [
      'an instruction ending before it starts',
      json => (json.images[0].head.instructions[1].endLine = 1),
      /instructions\[1\]\.endLine is 1; expected a whole number from 2/
    ],
    ['an unknown image store', json => (json.engine.imageStore = 'zfs'), /engine\.imageStore is "zfs"/],
    [
      'too many images',
      json => (json.images = Array.from({ length: ARTIFACT_LIMITS.maxImages + 1 }, () => json.images[0])),
      /lists 1001 images, over the limit of 1000/
    ]
  ])('is refused with %s, naming the field', (_, tamper, message) => {
    const text = tampered(tamper)
    expect(() => parseArtifact(text)).toThrow(ArtifactError)
    expect(() => parseArtifact(text)).toThrow(message)
  })

  it('is refused when it is not JSON', () => {
    expect(() => parseArtifact('{"tool": "docker-size-check",')).toThrow('The artifact is not valid JSON.')
  })

  it('drops fields it does not know', () => {
    const read = parseArtifact(tampered(json => (json.markdown = '<script>alert(1)</script>')))
    expect(Object.keys(read)).not.toContain('markdown')
  })

  // The report puts every string inside code, where GitHub makes none of them live
  // (report/hostile.test.ts renders them): a path is kept byte for byte, with no invisible joiner.
  it('keeps mentions, issue references and links as written', () => {
    const read = parseArtifact(
      tampered(json => {
        json.images[1].failedBuilds[0].error = 'ping @octocat and @org/team, see #1 and [docs](https://evil.example)'
        json.images[0].dockerfile = 'svc/@admin/Dockerfile'
      })
    )
    expect(read.images[1]!.failedBuilds[0]!.error).toBe(
      'ping @octocat and @org/team, see #1 and [docs](https://evil.example)'
    )
    expect(read.images[0]!.dockerfile).toBe('svc/@admin/Dockerfile')
  })

  it('is read only from a plain file of a bounded size', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'dsc-artifact-'))
    folders.push(folder)
    await expect(readArtifact(folder)).rejects.toThrow(
      /No docker-size-check\.json in .*Download the measure run's artifact/
    )

    await symlink('/etc/hostname', join(folder, ARTIFACT_FILE))
    await expect(readArtifact(folder)).rejects.toThrow(/is a symbolic link/)
    await rm(join(folder, ARTIFACT_FILE))

    await writeFile(join(folder, ARTIFACT_FILE), ' '.repeat(ARTIFACT_LIMITS.maxBytes + 1))
    await expect(readArtifact(folder)).rejects.toThrow(/bytes, over the limit of 4194304/)
  })
})
