// The janitor on real git and the real engine (DOCKER_HOST's): what it removes is looked for
// where a user would look, in `git worktree list`, on disk and in `docker image inspect`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Janitor } from '../../src/scheduler/janitor.js'
import { Docker } from '../../src/tools/docker.js'
import { Git } from '../../src/tools/git.js'
import { imageExists } from '../support/docker.js'
import { cleanupTempDirs, commitFiles, git, makeRepo, makeTempDir } from '../support/repo.js'

const execFileAsync = promisify(execFile)
const docker = new Docker()
const made: string[] = []
let repo: string
let sha: string
let context: string

beforeAll(async () => {
  // Real engine, no skipping: where none answers, this throws and every test fails.
  await docker.engineInfo()
  repo = await makeRepo()
  sha = await commitFiles(repo, { 'app/Dockerfile': 'FROM scratch\nCOPY file /file\n' }, 'one')
  context = await makeTempDir('janitor-context')
  await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY file /file\n')
  await writeFile(join(context, 'file'), `janitor ${process.pid}\n`)
})

afterAll(async () => {
  await docker.removeImages(made.filter(imageExists))
  await cleanupTempDirs()
})

/** A small image of this test's own, under a tag that names the branch. */
async function image(name: string): Promise<string> {
  const tag = `dsc-issue-20-tests-janitor:${name}-${process.pid}`
  made.push(tag)
  await execFileAsync('docker', ['build', '--quiet', '--tag', tag, context])
  return tag
}

const worktreesOf = (dir: string) => new Git(dir).listWorktrees()

describe('Janitor', () => {
  it('removes the worktrees, folders and images it was given, and nothing else', async () => {
    const scratch = await makeTempDir('janitor-scratch')
    const theirs = join(await makeTempDir('janitor-user'), 'own')
    await git(repo, ['worktree', 'add', '--quiet', '--detach', theirs, sha])
    const ours = join(scratch, 'base')
    await new Git(repo).addWorktree(ours, sha)
    const [built, other] = [await image('built'), await image('other')]
    const janitor = new Janitor(docker, new Git(repo), { keepImages: false })
    janitor.folder(scratch)
    janitor.worktree(ours)
    janitor.image(built)

    await janitor.cleanUp()

    expect(await worktreesOf(repo)).toEqual([repo, theirs])
    expect(existsSync(scratch)).toBe(false)
    expect(existsSync(join(theirs, 'app', 'Dockerfile'))).toBe(true)
    expect(imageExists(built)).toBe(false)
    expect(imageExists(other)).toBe(true)
    await git(repo, ['worktree', 'remove', '--force', theirs])
  })

  it("leaves the user's worktree whose folder is away registered (no prune)", async () => {
    const away = join(await makeTempDir('janitor-away'), 'away')
    await git(repo, ['worktree', 'add', '--quiet', '--detach', away, sha])
    await execFileAsync('rm', ['-rf', away])
    const scratch = await makeTempDir('janitor-scratch')
    const ours = join(scratch, 'head')
    await new Git(repo).addWorktree(ours, sha)
    const janitor = new Janitor(docker, new Git(repo), { keepImages: false })
    janitor.worktree(ours)
    await janitor.cleanUp()
    expect(await worktreesOf(repo)).toEqual([repo, away])
    await git(repo, ['worktree', 'prune'])
  })

  it('keeps the images of a run that keeps them, and still removes its files', async () => {
    const scratch = await makeTempDir('janitor-scratch')
    const kept = await image('kept')
    const janitor = new Janitor(docker, new Git(repo), { keepImages: true })
    janitor.folder(scratch)
    janitor.image(kept)
    await janitor.cleanUp()
    expect(imageExists(kept)).toBe(true)
    expect(existsSync(scratch)).toBe(false)
  })

  it('never throws for what was listed and never made, and removes the rest', async () => {
    const scratch = await makeTempDir('janitor-scratch')
    await mkdir(join(scratch, 'left'), { recursive: true })
    const built = await image('half-way')
    const janitor = new Janitor(docker, new Git(repo), { keepImages: false })
    janitor.worktree(join(scratch, 'never-made'))
    janitor.image(built)
    janitor.image(`dsc-issue-20-tests-janitor:never-built-${process.pid}`)
    janitor.folder(join(scratch, 'left'))
    janitor.folder(scratch)
    await expect(janitor.cleanUp()).resolves.toBeUndefined()
    expect(existsSync(scratch)).toBe(false)
    expect(await worktreesOf(repo)).toEqual([repo])
    // One `docker image rm` for all: a missing tag among them does not keep the others.
    expect(imageExists(built)).toBe(false)
  })

  it('cleans up once, however often it is asked', async () => {
    const scratch = await makeTempDir('janitor-scratch')
    const janitor = new Janitor(docker, new Git(repo), { keepImages: false })
    janitor.folder(scratch)
    const first = janitor.cleanUp()
    expect(janitor.cleanUp()).toBe(first)
    await first
    await mkdir(scratch)
    await janitor.cleanUp()
    // Made again after the clean-up: no second clean-up removed it.
    expect(existsSync(scratch)).toBe(true)
  })
})
