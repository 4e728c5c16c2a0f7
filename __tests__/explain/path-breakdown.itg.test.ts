// The path breakdown on the real engine: what two built images' unshared layers hold,
// read from `docker save` as it streams.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { breakDownPaths, recordLayers } from '../../src/explain/path-breakdown.js'
import { stageInstructions } from '../../src/explain/dockerfile.js'
import { Docker } from '../../src/tools/docker.js'

// Real engine, no skipping: where no engine answers, beforeAll throws and every test fails.
const docker = new Docker()
let folder: string
const tags: string[] = []

beforeAll(async () => {
  await docker.engineInfo()
  folder = await mkdtemp(join(tmpdir(), 'dsc-paths-'))
})

afterAll(async () => {
  await docker.removeImages(tags)
  await rm(folder, { recursive: true, force: true })
})

/** Builds `dockerfile` with `files` in its context; returns the tag and the stage's instructions. */
async function build(dockerfile: string, files: Record<string, Buffer | string> = {}) {
  const dir = await mkdtemp(join(folder, 'ctx-'))
  await writeFile(join(dir, 'Dockerfile'), dockerfile)
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content)
  const tag = `docker-size-check-test:paths-${randomBytes(4).toString('hex')}`
  tags.push(tag)
  execFileSync('docker', ['build', '-q', '-t', tag, dir], {
    stdio: 'pipe',
    env: { ...process.env, DOCKER_BUILDKIT: '1' }
  })
  return { tag, stage: stageInstructions(dockerfile) }
}

function diffIds(tag: string): string[] {
  return <string[]>(
    JSON.parse(execFileSync('docker', ['image', 'inspect', '-f', '{{json .RootFS.Layers}}', tag], { encoding: 'utf8' }))
  )
}

describe('the path breakdown', () => {
  it('reads no layer the two images share, only their neighbours that changed', async () => {
    const shared = 'FROM busybox:local\nRUN mkdir -p /opt/data && head -c 300000 /dev/zero > /opt/data/kept.bin\n'
    const base = await build(`${shared}COPY payload.bin /opt/app/payload.bin\n`, {
      'payload.bin': Buffer.alloc(1_000_000, 1)
    })
    const head = await build(`${shared}COPY payload.bin /opt/app/payload.bin\n`, {
      'payload.bin': Buffer.alloc(3_000_000, 2)
    })
    const breakdown = await breakDownPaths(docker, { base, head })

    const baseIds = diffIds(base.tag)
    const headIds = diffIds(head.tag)
    const sharedIds = baseIds.filter(id => headIds.includes(id))
    expect(sharedIds.length).toBe(2) // busybox's layer and the RUN's
    const read = [...breakdown.layers.base, ...breakdown.layers.head].filter(layer => layer.state === 'read')
    // Exactly the two COPY layers were read; every shared layer was passed over unread.
    expect(read.map(layer => layer.diffId).sort()).toEqual([baseIds[2], headIds[2]].sort())
    for (const layer of [...breakdown.layers.base, ...breakdown.layers.head]) {
      if (sharedIds.includes(layer.diffId as string)) expect(layer).toEqual({ diffId: layer.diffId, state: 'shared' })
    }
    // busybox's 2 MB layer went by unread: 2 MB as overlay2 saves it, 1.08 MB as the containerd store keeps it (compressed).
    expect(breakdown.bytesSkipped).toBeGreaterThan(1_000_000)
    expect(breakdown.bytesRead).toBeLessThan(5_000_000)

    expect(breakdown.paths[0]).toEqual({
      path: '/opt/app/payload.bin',
      kind: 'file',
      base: 1_000_000,
      head: 3_000_000,
      delta: 2_000_000,
      source: { side: 'head', line: 3, instruction: 'COPY payload.bin /opt/app/payload.bin' }
    })
    expect(breakdown.hints).toEqual([])
  })

  it('says when a layer ships a file that a later layer deletes', async () => {
    const base = await build('FROM busybox:local\nRUN echo small > /small.txt\n')
    const head = await build(
      'FROM busybox:local\n' +
        'RUN mkdir -p /build && head -c 4000000 /dev/urandom > /build/toolchain.tar\n' +
        'RUN tar -tf /build/toolchain.tar >/dev/null 2>&1; rm -rf /build\n'
    )
    const breakdown = await breakDownPaths(docker, { base, head })
    expect(breakdown.paths[0]).toMatchObject({
      path: '/build/toolchain.tar',
      delta: 4_000_000,
      source: { side: 'head', line: 2 }
    })
    expect(breakdown.hints).toEqual([
      {
        kind: 'deleted-later',
        path: '/build',
        bytes: 4_000_000,
        files: 1,
        source: { side: 'head', line: 2, instruction: expect.stringMatching(/^RUN mkdir -p \/build/) },
        deletedBy: { side: 'head', line: 3, instruction: expect.stringMatching(/^RUN tar -tf .* rm -rf \/build$/) }
      }
    ])
  })

  it('compares the head with a base read from its record as a full read of both does, passing over what they share', async () => {
    const shared = 'FROM busybox:local\nRUN mkdir -p /opt/data && head -c 300000 /dev/zero > /opt/data/kept.bin\n'
    const base = await build(
      `${shared}RUN mkdir -p /opt/tool/lib /opt/tool/doc && head -c 5000000 /dev/urandom > /opt/tool/lib/big.a && ` +
        `head -c 20000 /dev/urandom > /opt/tool/doc/README\n`
    )
    const head = await build(
      `${shared}RUN mkdir -p /opt/tool/lib && head -c 1000000 /dev/urandom > /opt/tool/lib/big.a\n`
    )
    const recorded = await recordLayers(docker, base)
    expect(recorded.map(layer => layer.diffId)).toEqual(diffIds(base.tag))

    const fromRecord = await breakDownPaths(docker, { base: { recorded }, head })
    const fromBoth = await breakDownPaths(docker, { base, head })
    // The same top row as a read of both images; the base's 20 KB README is summed into its folder by the record.
    expect(fromRecord.paths[0]).toEqual(fromBoth.paths[0])
    expect(fromRecord.paths[0]).toMatchObject({
      path: '/opt/tool/lib/big.a',
      kind: 'file',
      base: 5_000_000,
      head: 1_000_000,
      delta: -4_000_000,
      source: {
        side: 'base',
        line: 3,
        instruction: expect.stringMatching(/^RUN mkdir -p \/opt\/tool\/lib \/opt\/tool\/doc/)
      }
    })
    // The head's two layers that the base has were passed over unread, by their archive names.
    expect(fromRecord.layers.head.map(layer => layer.state)).toEqual(['shared', 'shared', 'read'])
    expect(fromRecord.layers.base.map(layer => layer.state)).toEqual(['shared', 'shared', 'recorded'])
    expect(fromRecord.bytesRead).toBeLessThan(1_100_000)
    expect(fromRecord.bytesSkipped).toBeGreaterThan(1_000_000)
  })
})
