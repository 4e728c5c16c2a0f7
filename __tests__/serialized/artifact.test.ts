import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareImages } from '../../src/judge/judge.js'
import {
  ARTIFACT_FILE,
  ArtifactError,
  parseArtifact,
  readArtifact,
  SizeArtifact,
  stateFromArtifact,
  toArtifact,
  writeArtifact
} from '../../src/serialized/run-file.js'
import { FIELD_LIMITS as ARTIFACT_LIMITS } from '../../src/serialized/fields.js'
import { newRunState } from '../../src/modes/pipeline.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { getPath, setPath } from '../support/json-path.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { nth } from '../support/lists.js'

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
  return toArtifact(measuredState(), { pullNumber: 7, headSha: HEAD })
}

/** The valid artifact as JSON, changed by `tamper`. */
function tampered(tamper: (json: unknown) => void): string {
  const json: unknown = JSON.parse(JSON.stringify(validArtifact()))
  tamper(json)
  return JSON.stringify(json)
}

describe('the artifact', () => {
  it('comes back from its file as the state it was made from, and renders the same report', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'dsc-artifact-'))
    folders.push(folder)
    const state = measuredState()
    const path = await writeArtifact(folder, toArtifact(state, { pullNumber: 7, headSha: HEAD }))
    expect(path).toBe(join(folder, ARTIFACT_FILE))
    const read = await readArtifact(folder)
    expect(read.pullRequest).toEqual({ number: 7 })
    expect(read.headSha).toBe(HEAD)
    const back = stateFromArtifact(read)
    const render = (s: typeof state) => renderMarkdown(compareImages(s.revisions, s.measured, limits), { limits })
    expect(render(back)).toBe(render(state))
    expect(render(back)).toContain('COPY failed: no such file')
    expect(nth(back.measured, 0).head).toEqual(nth(state.measured, 0).head)
  })

  it.each<[string, (json: unknown) => void, RegExp]>([
    ['another tool', json => setPath(json, 'tool', 'other'), /not a docker-size-check artifact/],
    ['a newer schema', json => setPath(json, 'schemaVersion', 3), /schemaVersion is 3; this version reads 2/],
    [
      'a negative size',
      json => setPath(json, 'images.0.base.size', -1),
      /images\[0\]\.base\.size is -1; expected a whole number/
    ],
    ['a fractional size', json => setPath(json, 'images.0.head.size', 1.5), /images\[0\]\.head\.size is 1\.5/],
    [
      'a size as a string',
      json => setPath(json, 'images.0.head.size', '3000000'),
      /images\[0\]\.head\.size is "3000000"/
    ],
    [
      'a bad image id',
      json => setPath(json, 'images.0.head.id', '<img src=x>'),
      /images\[0\]\.head\.id is not an image id/
    ],
    [
      'a path out of the repository',
      json => setPath(json, 'images.0.dockerfile', '../../etc/passwd'),
      /not a path inside/
    ],
    [
      'an absolute path',
      json => setPath(json, 'images.0.context', '/etc'),
      /images\[0\]\.context is not a path inside/
    ],
    [
      'a newline in a path',
      json => setPath(json, 'images.0.dockerfile', 'a\n[x]: https://evil'),
      /holds control characters/
    ],
    [
      'a bidi override',
      json => setPath(json, 'images.0.dockerfile', 'api/\u202eelifrekcoD'),
      /holds control characters/
    ],
    [
      'a right-to-left mark',
      json => setPath(json, 'images.0.dockerfile', 'api/\u200fx/Dockerfile'),
      /holds control characters/
    ],
    [
      'an Arabic letter mark',
      json => setPath(json, 'images.1.failedBuilds.0.error', 'x\u061cy'),
      /holds control characters/
    ],
    ['a left-to-right mark', json => setPath(json, 'engine.serverVersion', '28\u200e'), /holds control characters/],
    [
      'an unknown status',
      json => setPath(json, 'images.0.status', 'hacked'),
      /images\[0\].status is "hacked"; expected one of/
    ],
    [
      'a PR number that is no number',
      json => setPath(json, 'pullRequest.number', '7; rm -rf /'),
      /pullRequest\.number is/
    ],
    ['a SHA that is no SHA', json => setPath(json, 'headSha', 'main'), /^headSha is "main"/],
    ['no SHA at all', json => setPath(json, 'headSha', undefined), /^headSha is missing/],
    [
      'a URL for a Dockerfile',
      json => setPath(json, 'images.0.dockerfile', 'https://evil.example/login'),
      /images\[0\]\.dockerfile is not a path inside the repository/
    ],
    [
      'an empty path step',
      json => setPath(json, 'images.0.context', 'a//b'),
      /images\[0\]\.context is not a path inside/
    ],
    [
      'a log tail over its lines',
      json => setPath(json, 'images.1.failedBuilds.0.logTail', 'x\n'.repeat(30)),
      /logTail holds more than 20 lines/
    ],
    [
      'colour codes in a log tail',
      json => setPath(json, 'images.1.failedBuilds.0.logTail', '\u001b[31mred'),
      /holds control/
    ],
    ['three failed builds', json => setPath(json, 'images.1.failedBuilds', [1, 2, 3]), /has 3 entries/],
    ['a missing field', json => setPath(json, 'images.0.head', undefined), /images\[0\]\.head is missing/],
    [
      'a reason over the cap',
      json => setPath(json, 'images.1.failedBuilds.0.error', 'x'.repeat(ARTIFACT_LIMITS.maxText + 1)),
      /error is 2001 characters long, over the limit of 2000/
    ],
    [
      'an instruction that is no keyword',
      json => setPath(json, 'images.0.head.instructions.1.keyword', '<b>RUN</b>'),
      /images\[0\]\.head\.instructions\[1\]\.keyword is not a Dockerfile instruction/
    ],
    [
      'an instruction ending before it starts',
      json => setPath(json, 'images.0.head.instructions.1.endLine', 1),
      /instructions\[1\]\.endLine is 1; expected a whole number from 2/
    ],
    ['an unknown image store', json => setPath(json, 'engine.imageStore', 'zfs'), /engine\.imageStore is "zfs"/],
    [
      'too many images',
      json =>
        setPath(
          json,
          'images',
          Array.from({ length: ARTIFACT_LIMITS.maxImages + 1 }, () => getPath(json, 'images.0'))
        ),
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
    const read = parseArtifact(tampered(json => setPath(json, 'markdown', '<script>alert(1)</script>')))
    expect(Object.keys(read)).not.toContain('markdown')
  })

  // The report puts every string inside code, where GitHub makes none of them live
  // (report/hostile.test.ts renders them): a path is kept byte for byte, with no invisible joiner.
  it('keeps mentions, issue references and links as written', () => {
    const read = parseArtifact(
      tampered(json => {
        setPath(
          json,
          'images.1.failedBuilds.0.error',
          'ping @octocat and @org/team, see #1 and [docs](https://evil.example)'
        )
        setPath(json, 'images.0.dockerfile', 'svc/@admin/Dockerfile')
      })
    )
    expect(nth(nth(read.images, 1).failedBuilds, 0).error).toBe(
      'ping @octocat and @org/team, see #1 and [docs](https://evil.example)'
    )
    expect(nth(read.images, 0).dockerfile).toBe('svc/@admin/Dockerfile')
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

describe('the artifact of an odd but honest build', () => {
  // What the tool itself measured, as docker and git gave it: the writer makes of it what the
  // reader accepts, with the same limits (the schema in src/serialized is shared by both).
  function oddState() {
    const state = measuredState()
    const [api, web] = [nth(state.measured, 0), nth(state.measured, 1)]
    api.target = {
      ...api.target,
      dockerfile: 'dir\twith tab/Dockerfile',
      context: 'dir\twith tab',
      name: 'Ünïcödé 🐳 api'
    }
    nth(api.head!.instructions!, 1).args = `echo ${'x'.repeat(2_295)}`
    const colour = '\u001b[1m\u001b[31m#5 ERROR\u001b[0m: exit code 1'
    const progress = 'Downloading  10%\rDownloading  50%\rDownloading 100%'
    const long = Array.from({ length: 20 }, (_, n) => `#7 ${n} ${'y'.repeat(470)}`)
    nth(web.failedBuilds, 0).logTail = [progress, ...long, colour].join('\n')
    nth(web.failedBuilds, 0).error = `process "/bin/sh -c ${'z'.repeat(3_000)}" did not complete\r\n`
    web.target = { ...web.target, dockerfile: 'new\nline/Dockerfile' }
    return state
  }

  it('is written so that the reader accepts it, and comes back with its name', () => {
    const written = toArtifact(oddState(), { pullNumber: 7, headSha: HEAD })
    const read = parseArtifact(JSON.stringify(written))
    const [api, web] = [nth(read.images, 0), nth(read.images, 1)]
    expect(api.dockerfile).toBe('dir with tab/Dockerfile')
    expect(api.name).toBe('Ünïcödé 🐳 api')
    expect(nth(stateFromArtifact(read).measured, 0).target.name).toBe('Ünïcödé 🐳 api')
    expect(web.dockerfile).toBe('new line/Dockerfile')
    const args = nth(api.head!.instructions!, 1).args
    expect(args).toHaveLength(ARTIFACT_LIMITS.maxText)
    expect(args.endsWith('…')).toBe(true)
    const { error, logTail } = nth(web.failedBuilds, 0)
    expect(error.length).toBeLessThanOrEqual(ARTIFACT_LIMITS.maxText)
    expect(error.endsWith('…')).toBe(true)
    expect(logTail.length).toBeLessThanOrEqual(ARTIFACT_LIMITS.maxLog)
    expect(logTail.split('\n').length).toBeLessThanOrEqual(ARTIFACT_LIMITS.maxLogLines)
    expect(logTail.endsWith('#5 ERROR: exit code 1')).toBe(true)
    expect(logTail).not.toContain('\u001b')
    expect(logTail).not.toContain('\r')
  })

  it('keeps only what a terminal shows of a progress line', () => {
    const state = measuredState()
    nth(nth(state.measured, 1).failedBuilds, 0).logTail = 'step 1\nDownloading  10%\rDownloading 100%\n\tdone\n'
    const read = parseArtifact(JSON.stringify(toArtifact(state, { pullNumber: null, headSha: HEAD })))
    expect(nth(nth(read.images, 1).failedBuilds, 0).logTail).toBe('step 1\nDownloading 100%\n    done')
    expect(read.pullRequest).toBeNull()
  })
})
