import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { quietLogger } from '../../src/shared/logger.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { buildImage, BuildRequest } from '../../src/scheduler/build-command.js'
import { Docker } from '../../src/tools/docker.js'
import { measureBuiltImage } from '../../src/measure/measure-image.js'
import { EngineInfo } from '../../src/shared/types.js'
import { EngineUnavailableError } from '../../src/shared/errors.js'

// Real engine, no skipping: where no engine answers, beforeAll throws and every test fails.
const docker = new Docker()
let engine: EngineInfo
let folder: string
const tags: string[] = []

beforeAll(async () => {
  engine = await docker.engineInfo()
  folder = await mkdtemp(join(tmpdir(), 'dsc-docker-'))
})

afterAll(async () => {
  await docker.removeImages(tags)
  await rm(folder, { recursive: true, force: true })
})

async function contextWith(name: string, dockerfile: string, files: Record<string, Buffer | string>): Promise<string> {
  const dir = await mkdtemp(join(folder, `${name}-`))
  await writeFile(join(dir, 'Dockerfile'), dockerfile)
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content)
  return dir
}

/** The compared figure, as a run measures it on this engine's store. */
function measure(tag: string, dockerfile: string) {
  return measureBuiltImage(docker, { tag, dockerfile }, engine, { compressed: false, log: quietLogger })
}

function request(dir: string, builder: EngineInfo['builder']): BuildRequest {
  const tag = `docker-size-check-test:${randomBytes(4).toString('hex')}`
  tags.push(tag)
  return { dockerfile: join(dir, 'Dockerfile'), context: dir, tag, builder }
}

describe('the engine', () => {
  it('answers, with the facts the report records', () => {
    expect(engine.serverVersion).toMatch(/^\d+\.\d+/)
    expect(engine.apiVersion).toMatch(/^\d+\.\d+$/)
    expect(engine.storageDriver).not.toBe('')
    expect(['buildx', 'legacy']).toContain(engine.builder)
  })

  it('is reported clearly when it does not answer', async () => {
    const nowhere = new Docker((args, options) =>
      docker.build(['--host', 'unix:///nonexistent/docker.sock', ...args], options)
    )
    await expect(nowhere.engineInfo()).rejects.toThrow(EngineUnavailableError)
    await expect(nowhere.engineInfo()).rejects.toThrow(/No Docker engine answers.*Start the Docker daemon/)
  })
})

describe.each(['buildx', 'legacy'] as const)('a FROM scratch image with the %s builder', builder => {
  it('measures exactly the bytes it holds, layer by layer', async () => {
    if (builder === 'buildx') expect(engine.builder).toBe('buildx')
    const dir = await contextWith('exact', 'FROM scratch\nCOPY one.bin /one.bin\nCOPY two.bin /two.bin\n', {
      'one.bin': randomBytes(1_000_000),
      'two.bin': randomBytes(250_000)
    })
    const built = await buildImage(docker, 'head', request(dir, builder), { stream: false })
    expect(built).toMatchObject({ ok: true, side: 'head' })
    // Exact on every store: overlay2's inspect Size, the saved layers' files on containerd.
    const measured = await measure(built.tag!, join(dir, 'Dockerfile'))
    expect(measured.size).toBe(1_250_000)
    expect(measured.instructions?.map(instruction => instruction.size)).toEqual([0, 1_000_000, 250_000])
    expect(measured.layers).toBe(2)
    expect(measured.id).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('reports a failed build with its reason and last lines', async () => {
    const dir = await contextWith('broken', 'FROM scratch\nCOPY missing.bin /missing.bin\n', {})
    const built = await buildImage(docker, 'head', request(dir, builder), { stream: false })
    expect(built.ok).toBe(false)
    expect(built.error).toMatch(/missing\.bin/)
    expect(built.logTail).toContain('missing.bin')
  })
})

describe('a failing build with a very long last line', () => {
  it('keeps a log tail of at most 20 lines and 8,000 characters, without colour codes, the reason intact', async () => {
    const dir = await contextWith(
      'long-log',
      'FROM busybox:local\nRUN printf "\\033[31mred\\033[0m\\n" && head -c 600000 /dev/zero | tr "\\0" y && echo && exit 7\n',
      {}
    )
    const built = await buildImage(docker, 'head', request(dir, engine.builder), { stream: false })
    expect(built.ok).toBe(false)
    expect(built.logTail!.length).toBeLessThanOrEqual(8000)
    expect(built.logTail!.split('\n').length).toBeLessThanOrEqual(20)
    expect(built.logTail).not.toContain('\u001b')
    expect(built.error).toMatch(/exit code: 7|returned a non-zero code: 7/)
  })
})

describe('a Dockerfile with a syntax error', () => {
  it("fails with docker's own message", async () => {
    const dir = await contextWith('syntax', 'FROM scratch\nCOPPY a b\n', {})
    const built = await buildImage(docker, 'head', request(dir, engine.builder), { stream: false })
    expect(built.ok).toBe(false)
    expect(built.error?.toLowerCase()).toContain('coppy')
  })
})

describe('a local base image', () => {
  it('builds on busybox:local and counts its size', async () => {
    const dir = await contextWith('busybox', 'FROM busybox:local\nRUN head -c 300000 /dev/zero > /pad\n', {})
    const base = await measure('busybox:local', join(dir, 'Dockerfile'))
    const built = await buildImage(docker, 'head', request(dir, engine.builder), { stream: false })
    expect(built.ok).toBe(true)
    const measured = await measure(built.tag!, join(dir, 'Dockerfile'))
    expect(measured.size).toBe(base.size + 300_000)
    expect(measured.layers).toBe(base.layers + 1)
  })
})
