// One figure on every store: the seed's calculator, built on Docker 28.5 with overlay2 and
// with the containerd image store, measures the same to within 0.1% (the stores' layers
// differ a little: containerd's differ leaves out a file rewritten unchanged, such as
// debconf's templates.dat), and a FROM scratch image of known bytes exactly.
// Needs both engines of scripts/engines.sh: it fails, loudly, where they are not running.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { quietLogger } from '../../src/shared/logger.js'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildImage } from '../../src/scheduler/build-command.js'
import { measureBuiltImage } from '../../src/measure/measure-image.js'
import { Docker } from '../../src/tools/docker.js'
import { EngineInfo } from '../../src/shared/types.js'

const CALCULATOR = join(import.meta.dirname, '..', '..', 'examples', 'calculator')

/** `overlay2=unix://… containerd=unix://…`, from the environment or what scripts/engines.sh wrote. */
function engineHosts(): Record<string, string> {
  let text = process.env.DSC_ENGINE_HOSTS
  if (!text) {
    try {
      text = /DSC_ENGINE_HOSTS='([^']*)'/.exec(readFileSync('/run/dsc-engines/env', 'utf8'))?.[1]
    } catch {
      text = undefined
    }
  }
  if (!text)
    throw new Error('No DSC_ENGINE_HOSTS and no /run/dsc-engines/env: start the engines with scripts/engines.sh.')
  return Object.fromEntries(text.split(/\s+/).map(pair => pair.split('=') as [string, string]))
}

const hosts = engineHosts()
const docker = { overlay2: Docker.onHost(hosts.overlay2 ?? ''), containerd: Docker.onHost(hosts.containerd ?? '') }
const engines: Record<string, EngineInfo> = {}
const tags: Record<string, string[]> = { overlay2: [], containerd: [] }
let folder: string

async function buildAndMeasure(store: 'overlay2' | 'containerd', context: string, dockerfile: string) {
  const tag = `docker-size-check-test:stores-${randomBytes(4).toString('hex')}`
  tags[store]!.push(tag)
  const built = await buildImage(
    docker[store],
    'head',
    { dockerfile: join(context, dockerfile), context, tag, builder: engines[store]!.builder },
    { stream: false }
  )
  expect(built).toMatchObject({ ok: true })
  return measureBuiltImage(docker[store], { tag, dockerfile: join(context, dockerfile) }, engines[store]!, {
    compressed: false,
    log: quietLogger
  })
}

beforeAll(async () => {
  for (const store of ['overlay2', 'containerd'] as const) {
    if (!hosts[store])
      throw new Error(`No ${store} engine in DSC_ENGINE_HOSTS: start the engines with scripts/engines.sh.`)
    engines[store] = await docker[store].engineInfo()
  }
  folder = await mkdtemp(join(tmpdir(), 'dsc-stores-'))
})

afterAll(async () => {
  for (const store of ['overlay2', 'containerd'] as const) await docker[store].removeImages(tags[store]!)
  await rm(folder, { recursive: true, force: true })
})

describe('the two image stores of Docker 28.5', () => {
  it('are what the suite runs on', () => {
    expect(engines.overlay2).toMatchObject({ imageStore: 'graphdriver', storageDriver: 'overlay2' })
    expect(engines.containerd).toMatchObject({ imageStore: 'containerd' })
    expect(engines.overlay2!.serverVersion).toMatch(/^28\.5\./)
    expect(engines.containerd!.serverVersion).toMatch(/^28\.5\./)
  })

  it('give a FROM scratch image of 1,000,000 B and 250,000 B exactly 1,250,000 B on both', async () => {
    await writeFile(join(folder, 'Dockerfile'), 'FROM scratch\nCOPY one.bin /one.bin\nCOPY two.bin /two.bin\n')
    await writeFile(join(folder, 'one.bin'), randomBytes(1_000_000))
    await writeFile(join(folder, 'two.bin'), randomBytes(250_000))
    const overlay2 = await buildAndMeasure('overlay2', folder, 'Dockerfile')
    const containerd = await buildAndMeasure('containerd', folder, 'Dockerfile')
    expect([overlay2.size, containerd.size]).toEqual([1_250_000, 1_250_000])
    expect([overlay2.sizeSource, containerd.sizeSource]).toEqual(['inspect', 'layer-files'])
    // inspect's own Size, kept for what it is: the compressed content on the containerd store.
    expect(overlay2.inspectSize).toBe(1_250_000)
    expect(containerd.inspectSize).toBeGreaterThan(1_250_000)
  })

  it.each([
    ['single stage', 'Dockerfile.single'],
    ['multi stage', 'Dockerfile']
  ])('give the calculator built in a %s the same figure within 0.1%%', async (_, dockerfile) => {
    const overlay2 = await buildAndMeasure('overlay2', CALCULATOR, dockerfile)
    const containerd = await buildAndMeasure('containerd', CALCULATOR, dockerfile)
    console.log(`calculator ${dockerfile}: overlay2 ${overlay2.size} B, containerd store ${containerd.size} B`)
    expect(Math.abs(containerd.size - overlay2.size) / overlay2.size).toBeLessThan(0.001)
    // The per-instruction sizes add up to the figure on both.
    expect(containerd.layerBytes).toBe(containerd.size)
  })
})
