import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { changedFilesFromGit, resolveRevisions } from '../../src/revisions/base-commit.js'
import { Git, objectIdOf } from '../../src/tools/git.js'
import type { ChangedFile } from '../../src/shared/types.js'
import {
  cleanupTempDirs,
  commitFiles,
  commitHistory,
  countAllCommits,
  git,
  gitLine,
  isShallow,
  makeBareRemote,
  makeCheckoutWorkspace,
  makeHeadCheckoutWorkspace,
  makeRepo,
  makeTempDir
} from '../support/repo.js'

/** Records the fetches resolveRevisions makes, and still runs them. */
class RecordingGit extends Git {
  readonly fetches: string[][] = []
  override async fetch(args: string[]): Promise<void> {
    this.fetches.push(args)
    await super.fetch(args)
  }
}

const byPath = (files: ChangedFile[]) => [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))

/** What the PR branch changes, and nothing that main changed. */
const PR_FILES: ChangedFile[] = [
  { path: 'api/Dockerfile', status: 'modified' },
  { path: 'api/app.txt', status: 'added' },
  { path: 'docs/pr.md', status: 'added' }
]

interface Project {
  /** The developer's repository: main, and the PR branch `feature`. */
  repo: string
  forkPoint: string
  /** Commits in the whole project, over both branches. */
  totalCommits: number
}

/**
 * main gets 50 commits of history, then `feature` forks and makes two commits, then main
 * moves on with three commits of its own (one touching web/Dockerfile): the base tip is
 * not the fork point, so comparing with the base tip instead of the merge-base would show
 * main's changes as the PR's.
 */
async function makeProject(): Promise<Project> {
  const repo = await makeRepo()
  await commitFiles(
    repo,
    { 'README.md': 'demo\n', 'api/Dockerfile': 'FROM scratch\n', 'web/Dockerfile': 'FROM scratch\n' },
    'Initial'
  )
  const forkPoint = await commitHistory(repo, 50, 'main')
  await git(repo, ['checkout', '--quiet', '-b', 'feature'])
  await commitFiles(
    repo,
    { 'api/Dockerfile': 'FROM scratch\nCOPY app.txt /\n', 'api/app.txt': 'app\n' },
    'PR: add the app'
  )
  await commitFiles(repo, { 'docs/pr.md': 'notes\n' }, 'PR: notes')
  await git(repo, ['checkout', '--quiet', 'main'])
  await commitFiles(repo, { 'web/Dockerfile': 'FROM scratch\nCOPY . /\n' }, 'main: web changes')
  await commitFiles(repo, { 'main-only.txt': 'main\n' }, 'main: more')
  await commitFiles(repo, { 'README.md': 'demo, updated\n' }, 'main: readme')
  return { repo, forkPoint, totalCommits: await countAllCommits(repo) }
}

/** Lands `count` commits on a branch of the bare remote, as other PRs merging would. */
async function advanceRemoteBranch(remote: string, branch: string, count: number): Promise<string> {
  const scratch = await makeTempDir('scratch')
  await git(scratch, ['clone', '--quiet', '--branch', branch, remote, '.'])
  await git(scratch, ['config', 'user.name', 'Other'])
  await git(scratch, ['config', 'user.email', 'other@example.test'])
  let sha = ''
  for (let i = 1; i <= count; i++) sha = await commitFiles(scratch, { [`later/${i}.txt`]: `${i}\n` }, `later ${i}`)
  await git(scratch, ['push', '--quiet', 'origin', branch])
  return sha
}

let project: Project

beforeAll(async () => {
  project = await makeProject()
})

afterAll(async () => {
  await cleanupTempDirs()
})

describe('resolveRevisions in the default actions/checkout workspace (shallow merge commit)', () => {
  it('compares the merge commit with the base tip, fetching a handful of commits', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 7 })
    expect(await countAllCommits(ws.workspace)).toBe(1)
    expect(ws.baseSha).not.toBe(ws.forkPointSha)

    const gitWs = new RecordingGit(ws.workspace)
    const revisions = await resolveRevisions(gitWs, { baseRef: 'main' })

    expect(revisions).toEqual({ baseSha: ws.baseSha, headSha: ws.mergeSha })
    // The base tip at depth 1, then one step of deepening: the base tip is the merge's first parent.
    expect(gitWs.fetches).toHaveLength(2)
    expect(gitWs.fetches[0]).toContain('--depth=1')
    expect(gitWs.fetches[1]).toContain('--deepen=1')
    expect(await isShallow(ws.workspace)).toBe(true)
    const fetched = await countAllCommits(ws.workspace)
    expect(project.totalCommits).toBeGreaterThan(50)
    expect(fetched).toBeLessThanOrEqual(5)

    expect(byPath(await changedFilesFromGit(gitWs, revisions))).toEqual(PR_FILES)
  })

  it('keeps the merge commit’s own base when main moves on after the merge ref was made', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 8 })
    const newTip = await advanceRemoteBranch(remote, 'main', 3)

    const gitWs = new Git(ws.workspace)
    const revisions = await resolveRevisions(gitWs, { baseRef: 'main' })

    expect(await gitLine(ws.workspace, ['rev-parse', 'refs/remotes/origin/main'])).toBe(newTip)
    expect(revisions).toEqual({ baseSha: ws.baseSha, headSha: ws.mergeSha })
    expect(byPath(await changedFilesFromGit(gitWs, revisions))).toEqual(PR_FILES)
    expect(await isShallow(ws.workspace)).toBe(true)
    expect(await countAllCommits(ws.workspace)).toBeLessThan(15)
  })

  it('works for a PR from a fork, whose branch the base repository does not have', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 9, fromFork: true })
    expect(await git(remote, ['branch', '--list', 'feature'])).toBe('')

    const revisions = await resolveRevisions(new Git(ws.workspace), { baseRef: 'main' })
    expect(revisions).toEqual({ baseSha: ws.baseSha, headSha: ws.mergeSha })
  })

  it('does not fetch the base again when it is already here', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 10 })
    await resolveRevisions(new Git(ws.workspace), { baseRef: 'main' })

    const again = new RecordingGit(ws.workspace)
    expect(await resolveRevisions(again, { baseRef: 'main' })).toEqual({ baseSha: ws.baseSha, headSha: ws.mergeSha })
    expect(again.fetches).toEqual([])
  })

  it('accepts base-ref as a full SHA the workspace does not have yet', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 11 })
    const gitWs = new RecordingGit(ws.workspace)

    expect(await resolveRevisions(gitWs, { baseRef: ws.baseSha })).toEqual({
      baseSha: ws.baseSha,
      headSha: ws.mergeSha
    })
    expect(gitWs.fetches[0]).toEqual(['--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', ws.baseSha])
    expect(await isShallow(ws.workspace)).toBe(true)
  })

  it('accepts base-ref as a tag (annotated)', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 12 })
    await git(remote, ['tag', '-a', 'v1.0', '-m', 'release', ws.baseSha])

    expect(await resolveRevisions(new Git(ws.workspace), { baseRef: 'v1.0' })).toEqual({
      baseSha: ws.baseSha,
      headSha: ws.mergeSha
    })
  })

  it('says which input is wrong, and how to fix it, for an unknown base-ref', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 13 })
    const run = resolveRevisions(new Git(ws.workspace), { baseRef: 'no-such-branch' })

    await expect(run).rejects.toThrow(
      /^Unknown base-ref 'no-such-branch': .*remote 'origin' has no branch or tag of that name\. Set the base-ref input/
    )
  })

  it('asks for the full SHA when a short one is not here', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 14 })

    await expect(resolveRevisions(new Git(ws.workspace), { baseRef: ws.baseSha.slice(0, 10) })).rejects.toThrow(
      /Unknown base-ref '[0-9a-f]{10}'.*give the full 40-character SHA/
    )
  })

  it('reports an unreachable remote as a fetch problem, not as an unknown ref', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 15 })
    await git(ws.workspace, ['remote', 'set-url', 'origin', `file://${remote}-gone`])

    await expect(resolveRevisions(new Git(ws.workspace), { baseRef: 'main' })).rejects.toThrow(
      /^Could not fetch base-ref 'main' from remote 'origin': .*does not appear to be a git repository/s
    )
  })
})

describe('resolveRevisions in a checkout of the PR head', () => {
  it('compares the PR head with the fork point, not with the moved base tip', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeHeadCheckoutWorkspace({ remote, head: 'feature', number: 20 })
    expect(await countAllCommits(ws.workspace)).toBe(1)

    const gitWs = new RecordingGit(ws.workspace)
    const revisions = await resolveRevisions(gitWs, { baseRef: 'main' })

    expect(revisions).toEqual({ baseSha: project.forkPoint, headSha: ws.headSha })
    expect(ws.forkPointSha).toBe(project.forkPoint)
    expect(byPath(await changedFilesFromGit(gitWs, revisions))).toEqual(PR_FILES)
    // Against the base tip the PR would appear to revert main's three commits.
    const naive = await gitWs.diffNameStatus(ws.baseSha, ws.headSha)
    expect(naive.map(file => file.path)).toEqual(expect.arrayContaining(['main-only.txt', 'web/Dockerfile']))

    expect(await isShallow(ws.workspace)).toBe(true)
    expect(await countAllCommits(ws.workspace)).toBeLessThan(20)
  })

  it('falls back to the whole history when deepening is capped', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeHeadCheckoutWorkspace({ remote, head: 'feature', number: 21, fromFork: true })
    const gitWs = new RecordingGit(ws.workspace)

    const revisions = await resolveRevisions(gitWs, { baseRef: 'main', maxDeepen: 1 })

    expect(revisions).toEqual({ baseSha: project.forkPoint, headSha: ws.headSha })
    expect(gitWs.fetches.map(args => args.find(arg => arg.startsWith('--d') || arg === '--unshallow'))).toEqual([
      '--depth=1',
      '--deepen=1',
      '--unshallow'
    ])
  })
})

describe('resolveRevisions elsewhere', () => {
  it('uses a full clone (fetch-depth: 0) as it is, fetching nothing', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 30, fetchDepth: 0 })
    expect(await isShallow(ws.workspace)).toBe(false)
    const gitWs = new RecordingGit(ws.workspace)

    expect(await resolveRevisions(gitWs, { baseRef: 'main' })).toEqual({ baseSha: ws.baseSha, headSha: ws.mergeSha })
    expect(gitWs.fetches).toEqual([])
    // A short SHA resolves here, since the commit is present.
    expect(await resolveRevisions(gitWs, { baseRef: ws.baseSha.slice(0, 8) })).toEqual({
      baseSha: ws.baseSha,
      headSha: ws.mergeSha
    })
  })

  it('fetches a missing base branch into a full clone without making it shallow', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeHeadCheckoutWorkspace({ remote, head: 'feature', number: 31, fetchDepth: 0 })
    await git(ws.workspace, ['update-ref', '-d', 'refs/remotes/origin/main'])
    const gitWs = new RecordingGit(ws.workspace)

    expect(await resolveRevisions(gitWs, { baseRef: 'main' })).toEqual({
      baseSha: project.forkPoint,
      headSha: ws.headSha
    })
    expect(gitWs.fetches).toEqual([
      ['--no-tags', '--no-recurse-submodules', 'origin', '+refs/heads/main:refs/remotes/origin/main']
    ])
    expect(await isShallow(ws.workspace)).toBe(false)
  })

  it('works in a developer’s repository with no remote, on the PR branch', async () => {
    const repo = await makeRepo()
    await commitFiles(repo, { 'a.txt': 'a\n' }, 'a')
    const fork = await commitFiles(repo, { 'b.txt': 'b\n' }, 'b')
    await git(repo, ['checkout', '--quiet', '-b', 'topic'])
    const head = await commitFiles(repo, { 'c.txt': 'c\n' }, 'c')
    await git(repo, ['checkout', '--quiet', 'main'])
    await commitFiles(repo, { 'd.txt': 'd\n' }, 'd')
    await git(repo, ['checkout', '--quiet', 'topic'])

    const revisions = await resolveRevisions(new Git(repo), { baseRef: 'main' })
    expect(revisions).toEqual({ baseSha: fork, headSha: head })
    expect(await changedFilesFromGit(new Git(repo), revisions)).toEqual([{ path: 'c.txt', status: 'added' }])
  })

  it('says so when HEAD and the base share no history', async () => {
    const repo = await makeRepo()
    await commitFiles(repo, { 'a.txt': 'a\n' }, 'a')
    await git(repo, ['checkout', '--quiet', '--orphan', 'unrelated'])
    await commitFiles(repo, { 'z.txt': 'z\n' }, 'z')

    await expect(resolveRevisions(new Git(repo), { baseRef: 'main' })).rejects.toThrow(/share no history.*Set base-ref/)
  })
})

describe('Git.diffNameStatus', () => {
  it('reports added, modified, removed, renamed and type-changed files, odd paths intact', async () => {
    const repo = await makeRepo()
    const body = Array.from({ length: 20 }, (_, i) => `line ${i}\n`).join('')
    const base = await commitFiles(
      repo,
      {
        'dir with space/Dockerfile': 'FROM scratch\n',
        'ünïcödé/ファイル.txt': 'one\n',
        'to rename/Dockerfile': `FROM scratch\n${body}`,
        'to-delete.txt': 'bye\n',
        'tab\tand|pipe.txt': 'x\n',
        'becomes-link.txt': 'plain\n',
        'same.txt': 'same\n'
      },
      'base'
    )
    await commitFiles(
      repo,
      {
        'dir with space/Dockerfile': 'FROM scratch\nCOPY . /\n',
        'ünïcödé/ファイル.txt': 'two\n',
        'to rename/Dockerfile': null,
        'renamed “dir”/Dockerfile': `FROM scratch\n${body}extra\n`,
        'to-delete.txt': null,
        'new "quoted" file.txt': 'new\n',
        'tab\tand|pipe.txt': 'y\n'
      },
      'head'
    )
    await fs.rm(path.join(repo, 'becomes-link.txt'))
    await fs.symlink('same.txt', path.join(repo, 'becomes-link.txt'))
    await git(repo, ['add', '--all'])
    await git(repo, ['commit', '--quiet', '-m', 'link'])
    const head = await gitLine(repo, ['rev-parse', 'HEAD'])

    expect(byPath(await new Git(repo).diffNameStatus(base, head))).toEqual(
      byPath([
        { path: 'dir with space/Dockerfile', status: 'modified' },
        { path: 'ünïcödé/ファイル.txt', status: 'modified' },
        { path: 'renamed “dir”/Dockerfile', status: 'renamed', previousPath: 'to rename/Dockerfile' },
        { path: 'to-delete.txt', status: 'removed' },
        { path: 'new "quoted" file.txt', status: 'added' },
        { path: 'tab\tand|pipe.txt', status: 'modified' },
        { path: 'becomes-link.txt', status: 'changed' }
      ])
    )
    expect(await new Git(repo).diffNameStatus(head, head)).toEqual([])
  })
})

describe('Git files and worktrees', () => {
  it('lists and reads files at a commit', async () => {
    const repo = await makeRepo()
    const first = await commitFiles(repo, { 'a b/Dockerfile': 'FROM scratch\n', 'ü.txt': 'u\n' }, 'one')
    await commitFiles(repo, { 'a b/Dockerfile': 'FROM scratch\nLABEL x=1\n', 'c.txt': 'c\n' }, 'two')
    const gitRepo = new Git(repo)

    const tree = await gitRepo.readTree(first)
    expect([...tree.keys()].sort()).toEqual(['a b/Dockerfile', 'ü.txt'])
    expect(tree.get('a b/Dockerfile')).toMatch(/^100644 blob [0-9a-f]{40}$/)
    const ids = [...tree.values()].map(objectIdOf)
    const missing = 'f'.repeat(40)
    const blobs = await gitRepo.readBlobs([...ids, missing])
    expect(blobs.get(objectIdOf(tree.get('a b/Dockerfile')!))).toBe('FROM scratch\n')
    expect(blobs.get(objectIdOf(tree.get('ü.txt')!))).toBe('u\n')
    expect(blobs.has(missing)).toBe(false)
  })

  it('adds a detached worktree at the base of a shallow workspace and removes it without a trace', async () => {
    const remote = await makeBareRemote(project.repo)
    const ws = await makeCheckoutWorkspace({ remote, head: 'feature', number: 40 })
    const gitWs = new Git(ws.workspace)
    const revisions = await resolveRevisions(gitWs, { baseRef: 'main' })
    const folder = path.join(await makeTempDir('worktrees'), 'base side')

    await gitWs.addWorktree(folder, revisions.baseSha)
    expect(await fs.readFile(path.join(folder, 'api/Dockerfile'), 'utf8')).toBe('FROM scratch\n')
    expect(await gitLine(folder, ['rev-parse', 'HEAD'])).toBe(revisions.baseSha)
    expect(await gitWs.listWorktrees()).toEqual([ws.workspace, folder])
    // Worktrees share the repository: nothing was fetched to make one.
    expect(await isShallow(ws.workspace)).toBe(true)

    await fs.writeFile(path.join(folder, 'build-output.txt'), 'untracked\n')
    await gitWs.removeWorktrees([folder])
    await expect(fs.access(folder)).rejects.toThrow()
    expect(await gitWs.listWorktrees()).toEqual([ws.workspace])
    expect(await git(ws.workspace, ['worktree', 'list', '--porcelain'])).not.toContain(folder)

    // Twice is fine: cleanup runs from finally blocks.
    await expect(gitWs.removeWorktrees([folder])).resolves.toBeUndefined()
  })

  it('forgets a worktree whose folder was deleted behind its back, and can reuse the path', async () => {
    const repo = await makeRepo()
    const sha = await commitFiles(repo, { 'f.txt': 'f\n' }, 'f')
    const gitRepo = new Git(repo)
    const folder = path.join(await makeTempDir('worktrees'), 'wt')

    await gitRepo.addWorktree(folder, sha)
    await fs.rm(folder, { recursive: true, force: true })
    // --force: the path is still registered, as after a run that was killed.
    await gitRepo.addWorktree(folder, sha)
    await fs.rm(folder, { recursive: true, force: true })

    await gitRepo.removeWorktrees([folder])
    expect(await gitRepo.listWorktrees()).toEqual([repo])
    await expect(fs.access(path.join(repo, '.git', 'worktrees', 'wt'))).rejects.toThrow()
  })

  it('removes its own worktree by its path, and leaves another whose folder is away registered', async () => {
    const repo = await makeRepo()
    const sha = await commitFiles(repo, { 'f.txt': 'f\n' }, 'f')
    const gitRepo = new Git(repo)
    const scratch = await makeTempDir('worktrees')
    const ours = path.join(scratch, 'ours')
    const users = path.join(scratch, 'users')
    await gitRepo.addWorktree(ours, sha)
    await git(repo, ['worktree', 'add', '--quiet', '--detach', users, sha])
    // The user's folder is away for a moment (an unmounted disk): `git worktree prune` would unregister it.
    await fs.rename(users, `${users}-away`)

    await gitRepo.removeWorktree(ours)
    await fs.rename(`${users}-away`, users)
    expect(await gitRepo.listWorktrees()).toEqual([repo, users])
    expect(await gitLine(users, ['rev-parse', 'HEAD'])).toBe(sha)
  })

  it('resolves many names to commits in one go, null where a name is unknown', async () => {
    const repo = await makeRepo()
    const first = await commitFiles(repo, { 'a.txt': 'a\n' }, 'first')
    await git(repo, ['tag', 'v1'])
    const second = await commitFiles(repo, { 'a.txt': 'b\n' }, 'second')
    const gitRepo = new Git(repo)
    expect(
      await gitRepo.resolveCommits(['HEAD', 'refs/heads/main', 'refs/remotes/origin/main', 'v1', 'HEAD~1', 'no such'])
    ).toEqual([second, second, null, first, first, null])
    await expect(gitRepo.resolveCommits(['--upload-pack=x'])).rejects.toThrow('Invalid git revision')
  })

  it('says what to do when the workspace has no commit checked out', async () => {
    const repo = await makeTempDir('unborn')
    await git(repo, ['init', '--quiet', '-b', 'main'])
    await expect(resolveRevisions(new Git(repo), { baseRef: 'main' })).rejects.toThrow(
      'HEAD names no commit in the workspace: check out the commit to check first'
    )
  })

  it('checks out only the paths it is given, leaving the repository config as it was', async () => {
    const repo = await makeRepo()
    const sha = await commitFiles(
      repo,
      {
        'services/api/Dockerfile': 'FROM scratch\n',
        'services/api/src/main.go': 'package main\n',
        'services/web/Dockerfile': 'FROM scratch\n',
        'docker/[odd] name*.Dockerfile': 'FROM scratch\n',
        'docker/other.Dockerfile': 'FROM scratch\n',
        'README.md': 'readme\n'
      },
      'monorepo'
    )
    const configBefore = await fs.readFile(path.join(repo, '.git', 'config'), 'utf8')
    const gitRepo = new Git(repo)
    const folder = path.join(await makeTempDir('worktrees'), 'head')

    await gitRepo.addWorktree(folder, sha, ['services/api', 'docker/[odd] name*.Dockerfile', 'not/in/the/commit'])

    const files = (await git(folder, ['ls-files', '-t'])).split('\n').filter(Boolean)
    // `H`: in the worktree; `S`: left out (skip-worktree).
    expect(files.filter(line => line.startsWith('H ')).sort()).toEqual([
      'H docker/[odd] name*.Dockerfile',
      'H services/api/Dockerfile',
      'H services/api/src/main.go'
    ])
    await expect(fs.access(path.join(folder, 'services/web'))).rejects.toThrow()
    await expect(fs.access(path.join(folder, 'README.md'))).rejects.toThrow()
    expect(await fs.readFile(path.join(folder, 'services/api/src/main.go'), 'utf8')).toBe('package main\n')
    expect(await gitLine(folder, ['rev-parse', 'HEAD'])).toBe(sha)
    expect(await fs.readFile(path.join(repo, '.git', 'config'), 'utf8')).toBe(configBefore)
    // The main worktree is not made sparse by it.
    expect(await git(repo, ['ls-files', '-t'])).not.toMatch(/^S /m)

    await gitRepo.removeWorktrees([folder])
    expect(await gitRepo.listWorktrees()).toEqual([repo])
  })

  it('makes and removes the head and base worktrees at once, as a run does, without git tripping over itself', async () => {
    const repo = await makeRepo()
    const base = await commitFiles(repo, { 'svc/Dockerfile': 'FROM scratch\n' }, 'base')
    const head = await commitFiles(repo, { 'svc/Dockerfile': 'FROM scratch\nLABEL v=2\n' }, 'head')
    const gitRepo = new Git(repo)
    const scratch = await makeTempDir('worktrees')
    // Unserialized, one of two `git worktree add` at once fails now and then (about one run of
    // this test in three, here): thirty rounds.
    for (let round = 0; round < 30; round++) {
      const folders = { head: path.join(scratch, `head-${round}`), base: path.join(scratch, `base-${round}`) }
      await Promise.all([gitRepo.addWorktree(folders.head, head), gitRepo.addWorktree(folders.base, base)])
      expect(await gitLine(folders.head, ['rev-parse', 'HEAD'])).toBe(head)
      expect(await gitLine(folders.base, ['rev-parse', 'HEAD'])).toBe(base)
      await gitRepo.removeWorktrees([folders.head, folders.base])
      expect(await gitRepo.listWorktrees()).toEqual([repo])
    }
  })
})
