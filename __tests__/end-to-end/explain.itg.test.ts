// The layers on the real engine: history attributed to instructions under both builders,
// the compressed size of a real `docker save`, and, end to end through dist/index.js, the
// warning annotation and the pull-size columns a user sees.
import { asRead } from '../support/gfm.js'
import { quietLogger } from '../../src/shared/logger.js'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildImage } from '../../src/scheduler/build-command.js'
import { Docker } from '../../src/tools/docker.js'
import { measureBuiltImage } from '../../src/measure/measure-image.js'
import { measureCompressed } from '../../src/measure/compressed.js'
import { runAction } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { commentsOn, openPullRequest, OWNER, REPO, TEST_TOKEN } from '../support/pull-request.js'
import { cleanupTempDirs } from '../support/repo.js'
import { nth } from '../support/lists.js'
import { EngineInfo } from '../../src/shared/types.js'

const docker = new Docker()
const standin = useEndToEnd()
let engine: EngineInfo
let folder: string
const tags: string[] = []

beforeAll(async () => {
  // Fails here, loudly, where no engine answers or the base image is missing.
  engine = await docker.engineInfo()
  execFileSync('docker', ['image', 'inspect', 'busybox:local'], { stdio: 'pipe' })
  folder = await mkdtemp(join(tmpdir(), 'dsc-explain-'))
})

afterAll(async () => {
  await docker.removeImages(tags)
  await rm(folder, { recursive: true, force: true })
  await standin.stop()
  await cleanupTempDirs()
})

const DOCKERFILE = [
  'FROM busybox:local',
  'ENV MODE=test',
  'COPY random.bin /data/random.bin',
  'RUN head -c 250000 /dev/zero > /data/zeros.bin && \\',
  '    echo made',
  'WORKDIR /data',
  'CMD ["ls"]',
  ''
].join('\n')

async function build(builder: EngineInfo['builder']): Promise<{ tag: string; dockerfile: string }> {
  const dir = await mkdtemp(join(folder, `${builder}-`))
  await writeFile(join(dir, 'Dockerfile'), DOCKERFILE)
  await writeFile(join(dir, 'random.bin'), randomBytes(400_000))
  const tag = `docker-size-check-test:explain-${randomBytes(4).toString('hex')}`
  tags.push(tag)
  const dockerfile = join(dir, 'Dockerfile')
  // Labelled as a run labels its builds: the legacy builder records the labels as a LABEL row of its own.
  const labels = {
    'docker-size-check.run': '1-2-abcdef@test',
    'docker-size-check.temp-root': folder,
    'docker-size-check.kept': 'false'
  }
  const outcome = await buildImage(
    docker,
    'head',
    { dockerfile, context: dir, tag, builder, labels },
    { stream: false }
  )
  expect(outcome).toMatchObject({ ok: true })
  return { tag, dockerfile }
}

describe.each(['buildx', 'legacy'] as const)('the layers of an image built with the %s builder', builder => {
  it('are attributed to the lines that made them, the base image to the FROM', async () => {
    if (builder === 'buildx') expect(engine.builder).toBe('buildx')
    const image = await build(builder)
    const warnings: string[] = []
    const details = await measureBuiltImage(docker, image, engine, {
      compressed: false,
      log: { ...quietLogger, warning: w => warnings.push(w) }
    })
    expect(warnings).toEqual([])
    const size = (line: number) => details.instructions!.find(i => i.line === line)!.size
    // On every store the FROM brings the base image's figure, as the same method reads it.
    const busybox = await measureBuiltImage(docker, { tag: 'busybox:local', dockerfile: image.dockerfile }, engine, {
      compressed: false,
      log: quietLogger
    })
    expect(size(1)).toBe(busybox.size)
    expect(size(3)).toBe(400_000)
    expect(size(4)).toBe(250_000)
    expect(details.instructions!.find(i => i.line === 4)!.endLine).toBe(5)
    expect(size(2) + size(6) + size(7)).toBe(0)
    expect(details.size).toBe(busybox.size + 650_000)
    expect(details.layerBytes).toBe(details.size)
    const inspected = Number(execFileSync('docker', ['image', 'inspect', '-f', '{{.Size}}', image.tag]).toString())
    expect(details.inspectSize).toBe(inspected)
    if (engine.imageStore === 'graphdriver') expect(details.size).toBe(inspected)
  })
})

describe('the compressed size', () => {
  it('is each layer as the registry will store it: the stored blobs, or each layer gzip-compressed', async () => {
    const image = await build(engine.builder)
    const measured = await measureBuiltImage(docker, image, engine, { compressed: true, log: quietLogger })

    // The same figure the slow way: the archive on disk, unpacked, each layer read whole.
    const dir = await mkdtemp(join(folder, 'saved-'))
    execFileSync('sh', ['-c', `docker image save ${image.tag} | tar -x -C ${dir}`])
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Array<{ Layers: string[] }>
    const layers = [...new Set(nth(manifest, 0).Layers)]
    let stored = 0
    let gzipped = 0
    for (const layer of layers) {
      const blob = await readFile(join(dir, layer))
      stored += blob.length
      gzipped += gzipSync(blob, { level: 4 }).length
    }
    if (engine.imageStore === 'containerd') {
      // The content store's blobs are compressed already: their sizes are what a push sends.
      expect(measured.compressedSize).toBe(stored)
    } else {
      // Blocks compressed side by side: within a few bytes a block of one gzip stream.
      expect(Math.abs(measured.compressedSize! - gzipped) / gzipped).toBeLessThan(0.001)
    }
    // Random bytes do not compress; busybox and a quarter megabyte of zeros do.
    expect(measured.compressedSize).toBeGreaterThan(400_000)
    expect(measured.compressedSize).toBeLessThan(measured.size - 250_000)
  })

  it('says which command failed for an image that does not exist', async () => {
    await expect(docker.save('docker-size-check-test:no-such-image', measureCompressed)).rejects.toThrow(
      /docker image save docker-size-check-test:no-such-image` failed/
    )
  })
})

describe('a PR that inserts a RUN in the middle, past warn-increase only', () => {
  const before = ['FROM busybox:local', 'COPY a.txt /a.txt', 'RUN head -c 100000 /dev/urandom > /r.bin', 'CMD ["sh"]']
  const after = [before[0], before[1], 'RUN head -c 300000 /dev/urandom > /grow.bin', before[2], before[3]]
  let run: Awaited<ReturnType<typeof runAction>>
  let comment: string

  beforeAll(async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: { 'app/Dockerfile': before.join('\n') + '\n', 'app/a.txt': 'a\n' },
      pr: { 'app/Dockerfile': after.join('\n') + '\n' }
    })
    run = await runAction({
      workspace: pr.workspace,
      apiUrl: standin.url,
      repository: `${OWNER}/${REPO}`,
      event: pr.event,
      inputs: { 'max-increase': '50%', 'warn-increase': '10%', 'compressed-size': 'true' },
      token: TEST_TOKEN
    })
    comment = asRead(nth(commentsOn(standin, pr.number), 0).body)
  })

  it('passes with a warning annotation on the inserted line', () => {
    expect(run.exitCode).toBe(0)
    expect(run.report!.verdict).toBe('warn')
    const warning = run.stdout.split('\n').find(line => line.startsWith('::warning ') && line.includes('file='))
    expect(warning).toMatch(/file=app\/Dockerfile,line=3,endLine=3::Grew \+\d+ kB .*past the warn-increase of 10%/)
    expect(warning).toContain('This instruction adds the most: +300 kB (RUN head -c 300000 /dev/urandom > /grow.bin)')
    expect(run.stdout).not.toMatch(/^::error/m)
  })

  it('lists the inserted RUN alone, every other instruction matched to its own', () => {
    const image = nth(run.report!.images as Array<{ instructionChanges: Array<Record<string, unknown>> }>, 0)
    expect(image.instructionChanges).toEqual([
      {
        kind: 'added',
        instruction: 'RUN head -c 300000 /dev/urandom > /grow.bin',
        line: 3,
        baseLine: null,
        baseSize: null,
        headSize: 300_000,
        delta: 300_000
      }
    ])
    expect(comment).toMatch(
      /<details><summary>Why <a href="[^"]+\/app\/Dockerfile"><code>app\/Dockerfile<\/code><\/a> changed: .*\(layers 3 → 4\)[^<]*<\/summary>/
    )
    expect(comment).toMatch(
      /^\| \[L3\]\([^)]+\/app\/Dockerfile#L3\) \| `RUN head -c 300000 \/dev\/urandom > \/grow\.bin` \| — \| 300 kB \| \+300 kB \| 🆕 new \|$/m
    )
  })

  it('shows the pull size beside the size, with its delta, and records the engine', () => {
    const image = nth(
      run.report!.images as Array<{ base: { compressedSize: number }; head: { compressedSize: number } }>,
      0
    )
    // Random bytes do not compress: the pull size grows by about what the image grows.
    const pullDelta = image.head.compressedSize - image.base.compressedSize
    expect(pullDelta).toBeGreaterThan(300_000)
    expect(pullDelta).toBeLessThan(310_000)
    expect(comment).toContain('| Pull base | Pull head | Pull Δ |')
    expect(comment).toMatch(/\| \+30\d kB \| ⚠️ warning \|/)
    // The engine the suite runs on (DOCKER_HOST's), and the footer names its store and method.
    expect(run.report!.engine).toMatchObject({ storageDriver: engine.storageDriver, imageStore: engine.imageStore })
    if (engine.imageStore === 'containerd') {
      expect(comment).toContain(`containerd image store, ${engine.storageDriver}`)
      expect(comment).toContain("Sizes are the bytes of the files in each image's layers, summed from its saved layers")
      expect(comment).toContain('Pull sizes are the compressed layers as the content store holds them')
    } else {
      expect(comment).toContain(`${engine.storageDriver} storage driver`)
      expect(comment).toContain('Pull sizes are the layers gzip-compressed here')
    }
  })
})
