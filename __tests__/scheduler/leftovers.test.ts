// What a later run removes of an earlier one: only a provably dead run's, only in its own
// temp root, never what a run kept on purpose. A fake engine; real folders in a temp root.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { leftoversLine, removeLeftFolders, removeLeftImages } from '../../src/scheduler/leftovers.js'
import { processStart } from '../../src/scheduler/run-identity.js'
import { LabelledImage } from '../../src/tools/docker.js'

const deadPid = Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout)
const dead = `${deadPid}-123-abcdef`
const alive = `${process.pid}-${processStart(process.pid) ?? 'x'}-abcdef`

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
    labels: { 'docker-size-check.run': `${run}@${hostname()}`, 'docker-size-check.temp-root': tempRoot, ...extra }
  }
}

describe('removeLeftImages', () => {
  it("removes the tool's tags of dead runs in this temp root, and nothing else", async () => {
    const removed: string[] = []
    const docker = {
      imagesLabelled: () =>
        Promise.resolve([
          image('docker-size-check:dead-0-head', dead, root),
          image('docker-size-check:alive-0-head', alive, root),
          image('docker-size-check:other-0-head', dead, `${root}-other`),
          image('docker-size-check:kept-0-head', dead, root, { 'docker-size-check.kept': 'true' }),
          { tags: ['docker-size-check:dead-1-head', 'mine:latest'], labels: image('', dead, root).labels },
          {
            tags: ['docker-size-check:host-0-head'],
            labels: { ...image('', dead, root).labels, 'docker-size-check.run': `${dead}@elsewhere` }
          }
        ]),
      removeImages: (tags: string[]) => Promise.resolve(void removed.push(...tags))
    }
    expect(await removeLeftImages(docker, root)).toBe(2)
    expect(removed).toEqual(['docker-size-check:dead-0-head', 'docker-size-check:dead-1-head'])
  })

  it('never throws: an engine that fails to list is nothing to remove', async () => {
    const docker = {
      imagesLabelled: () => Promise.reject(new Error('no engine')),
      removeImages: () => Promise.resolve()
    }
    expect(await removeLeftImages(docker, root)).toBe(0)
  })
})

describe('removeLeftFolders', () => {
  it("removes a dead run's dsc- folder, and keeps a live run's and every other name", async () => {
    for (const name of [
      `dsc-${dead}`,
      `dsc-${alive}`,
      'dsc-runner-abc',
      'docker-size-check-x',
      `dsc-${dead}-not-ours`
    ]) {
      await mkdir(join(root, name, 'base'), { recursive: true })
    }
    expect(await removeLeftFolders(root)).toBe(1)
    expect((await readdir(root)).sort()).toEqual(
      [`dsc-${alive}`, `dsc-${dead}-not-ours`, 'docker-size-check-x', 'dsc-runner-abc'].sort()
    )
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
