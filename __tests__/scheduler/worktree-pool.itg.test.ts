// The pool on real git: a repository in a temporary folder, its worktrees made and removed
// by the same Git the run uses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { quietLogger } from '../../src/shared/logger.js'
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PoolGit, PoolOptions, WorktreePool } from '../../src/scheduler/worktree-pool.js'
import { Janitor } from '../../src/scheduler/janitor.js'
import { Docker } from '../../src/tools/docker.js'
import { Git } from '../../src/tools/git.js'
import { InterruptedError } from '../../src/shared/errors.js'
import { Side } from '../../src/shared/types.js'
import { cleanupTempDirs, commitFiles, makeRepo, makeTempDir } from '../support/repo.js'

let repo: string
let baseSha: string
let headSha: string

beforeAll(async () => {
  repo = await makeRepo()
  baseSha = await commitFiles(
    repo,
    { 'api/Dockerfile': 'FROM scratch\n', 'api/main.go': 'base\n', 'web/Dockerfile': 'FROM scratch\n' },
    'base'
  )
  headSha = await commitFiles(repo, { 'api/main.go': 'head\n', 'api/new.go': 'added\n' }, 'head')
})

afterAll(async () => {
  await cleanupTempDirs()
})

/** A real Git that also counts the worktrees it was asked to add. */
function countingGit(): PoolGit & { added: string[] } {
  const real = new Git(repo)
  const added: string[] = []
  return {
    added,
    addWorktree: (folder, sha, only) => {
      added.push(folder)
      return real.addWorktree(folder, sha, only)
    },
    exec: args => real.exec(args)
  }
}

/** A pool over a fresh scratch folder, with its janitor (which removes nothing here: no images listed). */
async function pool(options: Partial<PoolOptions> = {}) {
  const scratch = await makeTempDir('pool')
  const git = countingGit()
  const janitor = new Janitor(new Docker(), new Git(repo), { keepImages: false })
  const lines: string[] = []
  const made = new WorktreePool({
    git,
    janitor,
    scratch,
    revisions: { baseSha, headSha },
    workspace: null,
    pathsFor: () => null,
    log: { ...quietLogger, info: message => lines.push(message) },
    ...options
  })
  return { pool: made, git, janitor, scratch, lines }
}

const worktrees = () => new Git(repo).listWorktrees()

describe('WorktreePool', () => {
  it("checks each side out at its own commit, in the run's scratch folder", async () => {
    const { pool: sides, scratch, janitor, lines } = await pool()
    const [head, base] = await Promise.all([sides.rootOf('head'), sides.rootOf('base')])
    expect(head).toBe(join(scratch, 'head'))
    expect(base).toBe(join(scratch, 'base'))
    expect(await readFile(join(head, 'api/main.go'), 'utf8')).toBe('head\n')
    expect(await readFile(join(base, 'api/main.go'), 'utf8')).toBe('base\n')
    expect(existsSync(join(base, 'api/new.go'))).toBe(false)
    expect(lines).toEqual([
      `Checked out the head (${headSha.slice(0, 12)}): the whole tree`,
      `Checked out the base (${baseSha.slice(0, 12)}): the whole tree`
    ])
    await janitor.cleanUp()
    expect(await worktrees()).toEqual([repo])
  })

  it('makes each side once, however many builds ask for it and however soon', async () => {
    const { pool: sides, git, janitor } = await pool()
    const asked = await Promise.all([sides.rootOf('base'), sides.rootOf('base'), sides.rootOf('base')])
    const later = await sides.rootOf('base')
    expect(new Set([...asked, later]).size).toBe(1)
    expect(git.added).toEqual([later])
    await janitor.cleanUp()
  })

  it('checks out only the paths the side needs', async () => {
    const paths: Record<Side, string[]> = { head: ['web'], base: ['api'] }
    const { pool: sides, janitor, lines } = await pool({ pathsFor: side => paths[side] })
    const base = await sides.rootOf('base')
    const head = await sides.rootOf('head')
    expect(existsSync(join(base, 'api/Dockerfile'))).toBe(true)
    expect(existsSync(join(base, 'web/Dockerfile'))).toBe(false)
    expect(existsSync(join(head, 'web/Dockerfile'))).toBe(true)
    expect(existsSync(join(head, 'api/main.go'))).toBe(false)
    expect(lines).toContain(`Checked out the base (${baseSha.slice(0, 12)}): api`)
    await janitor.cleanUp()
  })

  it('gives the workspace itself for a head built from the workspace, and adds no worktree', async () => {
    const { pool: sides, git } = await pool({ workspace: repo })
    expect(await sides.rootOf('head')).toBe(repo)
    expect(git.added).toEqual([])
    expect(await worktrees()).toEqual([repo])
  })

  it('starts no checkout once the run is stopped, and says why', async () => {
    const controller = new AbortController()
    controller.abort(new InterruptedError('SIGINT'))
    const { pool: sides, git } = await pool({ signal: controller.signal })
    await expect(sides.rootOf('base')).rejects.toBeInstanceOf(InterruptedError)
    await sides.settled()
    expect(git.added).toEqual([])
    expect(await worktrees()).toEqual([repo])
  })

  it('passes a failed checkout on to every build that asks, and leaves the janitor nothing behind', async () => {
    const { pool: sides, janitor, scratch } = await pool({ revisions: { baseSha: 'f'.repeat(40), headSha } })
    await expect(sides.rootOf('base')).rejects.toThrow(/worktree/)
    await expect(sides.rootOf('base')).rejects.toThrow(/worktree/)
    await sides.settled()
    await janitor.cleanUp()
    expect(existsSync(join(scratch, 'base'))).toBe(false)
    expect(await worktrees()).toEqual([repo])
  })

  it('settles only once the checkouts under way have finished', async () => {
    const { pool: sides, janitor, scratch } = await pool()
    await mkdir(scratch, { recursive: true })
    const asked = sides.rootOf('base')
    await sides.settled()
    // Settled means finished: the folder is there before anyone awaited the checkout itself.
    expect(existsSync(join(scratch, 'base', 'api', 'main.go'))).toBe(true)
    await asked
    await janitor.cleanUp()
  })
})
