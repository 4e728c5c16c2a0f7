// Runs that share a hostname and a RUNNER_TEMP path but not a process table, as two jobs
// in runner containers on one engine do: each run here is the bundled action started in a
// PID namespace of its own (`unshare --pid --fork --mount-proc`, as root), where every run
// is pid 1. A run must not take another's images or worktrees for leftovers while that one
// builds; what a killed run left goes once its lease on the engine is stale.
import { afterAll, describe, expect, it } from '@jest/globals'
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { ACTION_ENTRY, collectRun, PreparedRun, prepareRun } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { openPullRequest, OpenPullRequest, OWNER, REPO, TEST_TOKEN } from '../support/pull-request.js'
import { git } from '../support/repo.js'
import { nth } from '../support/lists.js'

const standin = useEndToEnd()
const FAST = { DOCKER_SIZE_CHECK_API_TIME_UNIT_MS: '1' }
const tempRoots: string[] = []

afterAll(() => {
  // What a failed test's runs left in the engine: their images and their leases.
  for (const root of tempRoots) {
    const images = labelled('image', root)
    if (images.length) spawnSync('docker', ['image', 'rm', '--force', ...images], { stdio: 'pipe' })
    const volumes = labelled('volume', root)
    if (volumes.length) spawnSync('docker', ['volume', 'rm', '--force', ...volumes], { stdio: 'pipe' })
  }
})

/** The action's images or lease volumes by their temp-root label. */
function labelled(kind: 'image' | 'volume', tempRoot: string): string[] {
  const args =
    kind === 'image'
      ? ['image', 'ls', '-q', '--no-trunc', '--filter', `label=docker-size-check.temp-root=${tempRoot}`]
      : ['volume', 'ls', '-q', '--filter', `label=docker-size-check.temp-root=${tempRoot}`]
  return execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean)
}

function tagsIn(stdout: string): string[] {
  return [...new Set([...stdout.matchAll(/--tag (docker-size-check:[\w.-]+)/g)].map(m => nth(m, 1)))]
}

function imageExists(reference: string): boolean {
  return spawnSync('docker', ['image', 'inspect', reference], { stdio: 'pipe' }).status === 0
}

async function worktreesOf(repo: string): Promise<string[]> {
  const listed = await git(repo, ['worktree', 'list', '--porcelain'])
  return listed
    .split('\n')
    .filter(line => line.startsWith('worktree '))
    .map(line => line.slice('worktree '.length))
}

async function scratchFolders(tempRoot: string): Promise<string[]> {
  return (await readdir(tempRoot)).filter(name => name.startsWith('dsc-'))
}

/** A runner temp of its own, or (with `tempRoot`) the RUNNER_TEMP of another run. */
async function prepare(pr: OpenPullRequest, env: Record<string, string> = {}, tempRoot?: string): Promise<PreparedRun> {
  const prepared = await prepareRun({
    workspace: pr.workspace,
    apiUrl: standin.url,
    repository: `${OWNER}/${REPO}`,
    event: pr.event,
    token: TEST_TOKEN,
    env: { ...FAST, ...env, ...(tempRoot ? { RUNNER_TEMP: tempRoot } : {}) }
  })
  tempRoots.push(prepared.env.RUNNER_TEMP ?? '')
  return prepared
}

interface Started {
  child: ChildProcess
  exited: Promise<number>
  stdout: () => string
}

/**
 * The bundled action as pid 1 of a PID namespace of its own, with its own /proc: it sees no
 * other run's process. `--kill-child`: a SIGKILL to unshare takes the action down with it.
 */
function startInNamespace(pr: OpenPullRequest, prepared: PreparedRun): Started {
  const child = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', process.execPath, ACTION_ENTRY],
    { cwd: pr.workspace, env: prepared.env }
  )
  let stdout = ''
  child.stdout.on('data', chunk => (stdout += String(chunk)))
  child.stderr.on('data', chunk => (stdout += String(chunk)))
  const exited = new Promise<number>(resolve =>
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 128)))
  )
  return { child, exited, stdout: () => stdout }
}

async function until(started: Started, ...markers: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (markers.every(marker => started.stdout().includes(marker))) resolve()
    }
    started.child.stdout?.on('data', check)
    started.child.on('exit', () =>
      reject(new Error(`the action ended before ${markers.join(', ')}:\n${started.stdout()}`))
    )
    check()
  })
}

describe('two runs with one hostname and RUNNER_TEMP path, in separate PID namespaces, on one engine', () => {
  it("the second leaves the first's images and worktrees alone while the first builds, and both pass", async () => {
    standin.reset()
    const slow = await openPullRequest(standin, {
      number: 1,
      base: { 'app/Dockerfile': 'FROM busybox:local\nRUN echo base > /f\n' },
      pr: {
        'app/Dockerfile': `FROM busybox:local\nRUN head -c 1000 /dev/zero > /pad\nRUN sleep 40 # ${randomBytes(4).toString('hex')}\n`
      }
    })
    const quick = await openPullRequest(standin, {
      number: 2,
      base: { 'web/Dockerfile': 'FROM busybox:local\n' },
      pr: { 'web/Dockerfile': `FROM busybox:local\nRUN echo ${randomBytes(4).toString('hex')} > /f\n` }
    })
    const first = await prepare(slow)
    const tempRoot = first.env.RUNNER_TEMP ?? ''
    const second = await prepare(quick, {}, tempRoot)

    // The first: its base built (side by side with the head, its log deferred), its head's build sleeping.
    const running = startInNamespace(slow, first)
    await until(running, 'RUN sleep 40', '-0-base --label')
    const firstBase = tagsIn(running.stdout()).find(tag => tag.endsWith('-base')) ?? ''
    while (!imageExists(firstBase)) await new Promise(resolve => setTimeout(resolve, 200))
    expect(await scratchFolders(tempRoot)).toHaveLength(1)

    // The second, from start to end, in the same temp root, while the first still builds.
    const other = startInNamespace(quick, second)
    const otherExit = await other.exited
    expect(otherExit).toBe(0)
    expect(other.stdout()).not.toContain('Removed what an earlier run')
    expect(imageExists(firstBase)).toBe(true)
    expect(running.child.exitCode).toBeNull()
    expect(await scratchFolders(tempRoot)).toHaveLength(1)
    expect(await worktreesOf(slow.workspace)).toHaveLength(3)

    // The first ends as if it had been alone.
    const run = await collectRun(first, await running.exited, running.stdout())
    expect(run.exitCode).toBe(0)
    // The report file is shared by the two runs' path; the first wrote it last. The delta: the
    // head's 1000-byte pad less the base's 5-byte /f.
    expect(run.report).toMatchObject({
      verdict: 'pass',
      error: null,
      images: [{ dockerfile: 'app/Dockerfile', base: { size: expect.any(Number) }, delta: 995 }]
    })
    expect(run.stdout).not.toContain('::error::')
    // Each cleaned up what it made, the leases too.
    expect(tagsIn(run.stdout).filter(imageExists)).toEqual([])
    expect(labelled('image', tempRoot)).toEqual([])
    expect(labelled('volume', tempRoot)).toEqual([])
    expect(await scratchFolders(tempRoot)).toEqual([])
    expect(await worktreesOf(slow.workspace)).toEqual([slow.workspace])
  })
})

describe('a run killed with SIGKILL in a PID namespace of its own', () => {
  it('leaves images and worktrees that a run in another namespace removes once its lease is stale', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: { 'app/Dockerfile': 'FROM busybox:local\nRUN echo base > /f\n' },
      pr: { 'app/Dockerfile': `FROM busybox:local\nRUN sleep 3 && echo ${randomBytes(4).toString('hex')} > /f\n` }
    })
    // A lease of 6 s (renewed every 1.2 s) instead of ten minutes, so that it goes stale soon.
    const prepared = await prepare(pr, { DOCKER_SIZE_CHECK_LEASE_MS: '6000' })
    const tempRoot = prepared.env.RUNNER_TEMP ?? ''
    const killed = startInNamespace(pr, prepared)
    await until(killed, 'sleep 3', 'base app/Dockerfile: ')
    killed.child.kill('SIGKILL')
    await killed.exited
    const killedAt = Date.now()
    // The head's build, whose client is gone, ends one way or the other.
    await new Promise(resolve => setTimeout(resolve, 4_000))
    const left = labelled('image', tempRoot)
    expect(left.length).toBeGreaterThanOrEqual(1)
    expect(await scratchFolders(tempRoot)).toHaveLength(1)
    expect(labelled('volume', tempRoot).length).toBeGreaterThanOrEqual(1)

    // Past the lease and the engine's one-second clock.
    await new Promise(resolve => setTimeout(resolve, Math.max(0, killedAt + 9_000 - Date.now())))
    const next = startInNamespace(pr, prepared)
    const exitCode = await next.exited
    expect(exitCode).toBe(0)
    expect(next.stdout()).toContain(
      `Removed what an earlier run, stopped before it could clean up, left in ${tempRoot}: ${left.length === 1 ? '1 image' : `${left.length} images`}, 1 worktree folder.`
    )
    expect(labelled('image', tempRoot)).toEqual([])
    expect(labelled('volume', tempRoot)).toEqual([])
    expect(await scratchFolders(tempRoot)).toEqual([])
    expect(await worktreesOf(pr.workspace)).toEqual([pr.workspace])
  })
})
