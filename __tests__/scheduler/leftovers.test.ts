// What a later run removes of an earlier one: only an abandoned run's (its process gone in
// this process table, or its lease stale), only in its own temp root, never what a run kept
// on purpose. A fake engine; real folders in a temp root.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { leftoversLine, removeLeftFolders, removeLeftImages, removeLeftLeases } from '../../src/scheduler/leftovers.js'
import { abandonedBy, leaseBook, LEASE_LABEL, LEASE_TTL_LABEL } from '../../src/scheduler/lease.js'
import { ownPidTable, processStart } from '../../src/scheduler/run-identity.js'
import { LabelledImage, LabelledVolume } from '../../src/tools/docker.js'

const table = ownPidTable()
const deadPid = Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout)
const dead = `${table}-${deadPid}-123-abcdef`
const alive = `${table}-${process.pid}-${processStart(process.pid) ?? 'x'}-abcdef`
// Runs in another PID namespace (another container): pid 1 there, whatever pid 1 is here.
const otherLive = '0123456789ab-1-5000-aaaaaa'
const otherStale = '0123456789ab-1-4000-bbbbbb'
const otherUnleased = '0123456789ab-1-3000-cccccc'

let root: string
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'dsc-leftovers-test-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

function image(tag: string, run: string, tempRoot: string, extra: Record<string, string> = {}): LabelledImage {
  return {
    tags: [tag],
    labels: { 'docker-size-check.run': `${run}@vm`, 'docker-size-check.temp-root': tempRoot, ...extra }
  }
}

const NOW = Date.parse('2026-12-07T00:00:00Z')

function lease(name: string, run: string, secondsAgo: number, tempRoot = root, ttlMs = 600_000): LabelledVolume {
  return {
    name,
    createdAt: NOW - secondsAgo * 1000,
    labels: {
      [LEASE_LABEL]: `${run}@vm`,
      'docker-size-check.temp-root': tempRoot,
      [LEASE_TTL_LABEL]: String(ttlMs)
    }
  }
}

/** The engine's leases: this run's own (now), a live run's, a stale one's (two volumes left). */
function book() {
  return leaseBook(
    [
      lease('own', alive, 0),
      lease('live', otherLive, 30),
      lease('stale-1', otherStale, 700),
      lease('stale-2', otherStale, 660)
    ],
    ['own']
  )
}

describe('removeLeftImages', () => {
  it("removes the tool's tags of abandoned runs in this temp root, and nothing else", async () => {
    const removed: string[] = []
    const docker = {
      imagesLabelled: () =>
        Promise.resolve([
          image('docker-size-check:dead-0-head', dead, root),
          image('docker-size-check:alive-0-head', alive, root),
          image('docker-size-check:other-0-head', dead, `${root}-other`),
          image('docker-size-check:kept-0-head', dead, root, { 'docker-size-check.kept': 'true' }),
          { tags: ['docker-size-check:dead-1-head', 'mine:latest'], labels: image('', dead, root).labels },
          image('docker-size-check:live-0-head', otherLive, root),
          image('docker-size-check:stale-0-head', otherStale, root),
          image('docker-size-check:unleased-0-head', otherUnleased, root),
          image('docker-size-check:old-form-0-head', `${deadPid}-123-abcdef`, root)
        ]),
      removeImages: (tags: string[]) => Promise.resolve(void removed.push(...tags))
    }
    expect(await removeLeftImages(docker, root, abandonedBy(book()))).toBe(3)
    expect(removed).toEqual([
      'docker-size-check:dead-0-head',
      'docker-size-check:dead-1-head',
      'docker-size-check:stale-0-head'
    ])
  })

  it('never throws: an engine that fails to list is nothing to remove', async () => {
    const docker = {
      imagesLabelled: () => Promise.reject(new Error('no engine')),
      removeImages: () => Promise.resolve()
    }
    expect(await removeLeftImages(docker, root, abandonedBy(book()))).toBe(0)
  })
})

describe('removeLeftFolders', () => {
  it("removes an abandoned run's dsc- folder, and keeps a live run's and every other name", async () => {
    for (const name of [
      `dsc-${dead}`,
      `dsc-${alive}`,
      `dsc-${otherLive}`,
      `dsc-${otherStale}`,
      `dsc-${otherUnleased}`,
      'dsc-runner-abc',
      'docker-size-check-x',
      `dsc-${dead}-not-ours`
    ]) {
      await mkdir(join(root, name, 'base'), { recursive: true })
    }
    expect(await removeLeftFolders(root, abandonedBy(book()))).toBe(2)
    expect((await readdir(root)).sort()).toEqual(
      [
        `dsc-${alive}`,
        `dsc-${otherLive}`,
        `dsc-${otherUnleased}`,
        `dsc-${dead}-not-ours`,
        'docker-size-check-x',
        'dsc-runner-abc'
      ].sort()
    )
  })
})

describe('removeLeftLeases', () => {
  it("removes every volume of an abandoned run's lease in this temp root, and no other lease", async () => {
    const removed: string[] = []
    const leases = leaseBook(
      [
        lease('own', alive, 0),
        lease('live', otherLive, 30),
        lease('stale-1', otherStale, 700),
        lease('stale-2', otherStale, 660),
        lease('elsewhere', '0123456789ab-1-1-dddddd', 700, `${root}-other`),
        lease('dead', dead, 1)
      ],
      ['own']
    )
    await removeLeftLeases(
      { removeVolumes: names => Promise.resolve(void removed.push(...names)) },
      root,
      leases,
      abandonedBy(leases)
    )
    expect(removed.sort()).toEqual(['dead', 'stale-1', 'stale-2'])
  })
})

describe('leftoversLine', () => {
  it('says what went, and nothing when nothing did', () => {
    expect(leftoversLine('/t', 0, 0)).toBeNull()
    expect(leftoversLine('/t', 1, 2)).toBe(
      'Removed what an earlier run, stopped before it could clean up, left in /t: 1 image, 2 worktree folders.'
    )
  })
})
