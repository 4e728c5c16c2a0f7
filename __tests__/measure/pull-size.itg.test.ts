// The pull size checked against a real registry: the measured image is pushed to Debian's
// docker-registry and the manifest's layer sizes, which are what a pull downloads, are
// compared with the pull size a run reports. On the containerd store the figure is the
// stored blobs and must be exact; on overlay2 it is an estimate (zlib here, Go's gzip in
// the engine's push), within 1% on this image's real content (README, "Pull size").
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { quietLogger } from '../../src/shared/logger.js'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildImage } from '../../src/scheduler/build-command.js'
import { measureBuiltImage } from '../../src/measure/measure-image.js'
import { Docker } from '../../src/tools/docker.js'
import { Registry, startRegistry } from '../support/registry.js'
import { EngineInfo } from '../../src/shared/types.js'

const docker = new Docker()
let engine: EngineInfo
let registry: Registry
let folder: string
const tags: string[] = []

beforeAll(async () => {
  engine = await docker.engineInfo()
  registry = await startRegistry()
  folder = await mkdtemp(join(tmpdir(), 'dsc-pull-size-'))
})

afterAll(async () => {
  await docker.removeImages(tags)
  await registry?.stop()
  await rm(folder, { recursive: true, force: true })
})

// Real content, as layers hold it: a static binary (busybox:local), a dynamically linked one
// and text (this project's sources), random bytes that do not compress, zeros that vanish.
const DOCKERFILE = [
  'FROM busybox:local',
  'COPY git /data/git',
  'COPY sources.txt /data/sources.txt',
  'COPY random.bin /data/random.bin',
  'RUN head -c 2000000 /dev/zero > /data/zeros.bin',
  ''
].join('\n')

async function sources(): Promise<string> {
  const root = join(import.meta.dirname, '..', '..')
  const files = execFileSync('git', ['ls-files', 'src', 'README.md', 'package-lock.json'], {
    cwd: root,
    encoding: 'utf8'
  })
  let text = ''
  for (const file of files.split('\n').filter(Boolean)) text += await readFile(join(root, file), 'utf8')
  return text
}

describe('the pull size', () => {
  it('is what the registry stores for the pushed image', async () => {
    const dir = await mkdtemp(join(folder, 'image-'))
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE)
    await copyFile(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(dir, 'git'))
    await writeFile(join(dir, 'sources.txt'), await sources())
    await writeFile(join(dir, 'random.bin'), randomBytes(1_500_000))
    const tag = `docker-size-check-test:pull-${randomBytes(4).toString('hex')}`
    tags.push(tag)
    const dockerfile = join(dir, 'Dockerfile')
    const built = await buildImage(
      docker,
      'head',
      { dockerfile, context: dir, tag, builder: engine.builder },
      { stream: false }
    )
    expect(built).toMatchObject({ ok: true })
    const measured = await measureBuiltImage(docker, { tag, dockerfile }, engine, {
      compressed: true,
      log: quietLogger
    })

    const name = `dsc-test/pull-${randomBytes(4).toString('hex')}`
    const remote = `${registry.host}/${name}:measured`
    tags.push(remote)
    execFileSync('docker', ['image', 'tag', tag, remote])
    execFileSync('docker', ['image', 'push', '--quiet', remote], { stdio: 'pipe' })
    const { layers } = await registry.manifest(name, 'measured')
    const stored = [...new Map(layers.map(layer => [layer.digest, layer.size])).values()].reduce((a, b) => a + b, 0)

    expect(layers).toHaveLength(measured.layers)
    const gap = (measured.compressedSize! - stored) / stored
    console.log(`pull size ${measured.compressedSize} B, the registry stores ${stored} B (${(100 * gap).toFixed(2)}%)`)
    if (engine.imageStore === 'containerd') expect(measured.compressedSize).toBe(stored)
    else expect(Math.abs(gap)).toBeLessThan(0.01)
    // The random bytes are stored as they are; the rest shrinks.
    expect(stored).toBeGreaterThan(1_500_000)
    expect(stored).toBeLessThan(measured.size / 2)
  })
})
