// Runs that are stopped: by a signal to the action's process alone, by the build timeout,
// by SIGKILL (cleaned up by the next run), and the user's own worktrees through all of it.
// The bundled action (dist/index.js), the real engine, real git, the API stand-in.
import { afterAll, describe, expect, it } from '@jest/globals'
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { access, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ownPidTable, processStart } from '../../src/scheduler/run-identity.js'
import { ACTION_ENTRY, collectRun, PreparedRun, prepareRun } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import {
  commentsOn,
  openPullRequest,
  OpenPullRequest,
  OWNER,
  REPO,
  runOnPullRequest,
  TEST_TOKEN
} from '../support/pull-request.js'
import { CLI_PATH } from '../support/cli-runner.js'
import { commitFiles, git, makeRepo } from '../support/repo.js'
import { nth } from '../support/lists.js'

const standin = useEndToEnd()
const FAST = { DOCKER_SIZE_CHECK_API_TIME_UNIT_MS: '1' }
const made: string[] = []
const tagsMade: string[] = []

afterAll(async () => {
  // Also what a run of a failed test left in its temp folders.
  const left = made.flatMap(folder => [...imagesLabelledWith(folder), ...imagesLabelledWith(join(folder, 'tmp'))])
  const all = [...tagsMade, ...left]
  if (all.length) spawnSync('docker', ['image', 'rm', '--force', ...all], { stdio: 'pipe' })
  await Promise.all(made.map(folder => rm(folder, { recursive: true, force: true })))
})

/** The tags a run built, from its debug log of each command line. */
function tagsIn(stdout: string): string[] {
  return [...new Set([...stdout.matchAll(/--tag (docker-size-check:[\w.-]+)/g)].map(m => nth(m, 1)))]
}

function imageExists(reference: string): boolean {
  return spawnSync('docker', ['image', 'inspect', reference], { stdio: 'pipe' }).status === 0
}

/** The action's images by their temp-root label: what a run left in the engine. */
function imagesLabelledWith(tempRoot: string): string[] {
  const ids = execFileSync(
    'docker',
    ['image', 'ls', '-q', '--no-trunc', '--filter', `label=docker-size-check.temp-root=${tempRoot}`],
    { encoding: 'utf8' }
  )
  return ids.split('\n').filter(Boolean)
}

async function worktreesOf(repo: string): Promise<string[]> {
  const listed = await git(repo, ['worktree', 'list', '--porcelain'])
  return listed
    .split('\n')
    .filter(line => line.startsWith('worktree '))
    .map(line => line.slice('worktree '.length))
}

async function prepare(pr: OpenPullRequest, inputs: Record<string, string> = {}): Promise<PreparedRun> {
  const prepared = await prepareRun({
    workspace: pr.workspace,
    apiUrl: standin.url,
    repository: `${OWNER}/${REPO}`,
    event: pr.event,
    inputs,
    token: TEST_TOKEN,
    env: FAST
  })
  made.push(prepared.runnerTemp)
  return prepared
}

/** Starts the action as its own process (not detached: a signal to it reaches it alone) and waits for each marker in its log. */
async function startUntil(
  pr: OpenPullRequest,
  prepared: PreparedRun,
  ...markers: string[]
): Promise<{ child: ChildProcess; exited: Promise<number>; stdout: () => string }> {
  const child = spawn(process.execPath, [ACTION_ENTRY], { cwd: pr.workspace, env: prepared.env })
  let stdout = ''
  const exited = new Promise<number>(resolve =>
    child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 128)))
  )
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', chunk => {
      stdout += String(chunk)
      if (markers.every(marker => stdout.includes(marker))) resolve()
    })
    child.on('exit', () => reject(new Error(`the action ended before ${markers.join(', ')}:\n${stdout}`)))
  })
  return { child, exited, stdout: () => stdout }
}

/** Runs the action to its end; its stdout. */
async function runToEnd(pr: OpenPullRequest, prepared: PreparedRun): Promise<{ stdout: string; exitCode: number }> {
  const child = spawn(process.execPath, [ACTION_ENTRY], { cwd: pr.workspace, env: prepared.env })
  let stdout = ''
  child.stdout.on('data', chunk => (stdout += String(chunk)))
  const exitCode = await new Promise<number>(resolve => child.on('exit', code => resolve(code ?? 128)))
  return { stdout, exitCode }
}

/** A PR whose head build sleeps a minute; unique, so that no layer cache of an earlier run makes it quick. */
function slowScenario() {
  const nonce = randomBytes(4).toString('hex')
  return {
    base: { 'slow/Dockerfile': 'FROM busybox:local\nRUN echo base > /f\n' },
    pr: { 'slow/Dockerfile': `FROM busybox:local\nRUN head -c 1000 /dev/zero > /pad\nRUN sleep 60 # ${nonce}\n` }
  }
}

describe('SIGTERM to the action alone, mid-build', () => {
  it('stops the builds, removes images and worktrees, and still writes the report, the summary and the outputs', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, slowScenario())
    const prepared = await prepare(pr)
    const started = await startUntil(pr, prepared, 'RUN sleep 60')
    const signalled = Date.now()
    // To the process alone, as a supervisor may send it: no signal reaches the build from outside.
    started.child.kill('SIGTERM')
    const exitCode = await started.exited
    const run = await collectRun(prepared, exitCode, started.stdout())

    expect(exitCode).toBe(143)
    expect(Date.now() - signalled).toBeLessThan(7_000)
    expect(run.outputs.interrupted).toBe('true')
    expect(run.report).toMatchObject({
      verdict: 'error',
      error: expect.stringContaining('Interrupted by SIGTERM'),
      images: [{ dockerfile: 'slow/Dockerfile' }]
    })
    expect(run.summary).toContain('Interrupted by SIGTERM')
    expect(run.stdout).toContain('::error::Interrupted by SIGTERM')
    const tags = tagsIn(run.stdout)
    expect(tags.length).toBeGreaterThan(0)
    expect(tags.filter(imageExists)).toEqual([])
    expect(imagesLabelledWith(join(run.runnerTemp, 'tmp'))).toEqual([])
    expect((await readdir(join(run.runnerTemp, 'tmp'))).filter(name => name.startsWith('dsc-'))).toEqual([])
    expect(await worktreesOf(pr.workspace)).toHaveLength(1)
    // No comment: the runner kills soon after a signal, and the summary has it all.
    expect(commentsOn(standin, pr.number)).toEqual([])
  })
})

describe('a build past build-timeout', () => {
  it('is stopped and makes its image an error that says so; the other image is measured and the run reports', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: { 'hung/Dockerfile': 'FROM busybox:local\n', 'ok/Dockerfile': 'FROM busybox:local\n' },
      pr: {
        'hung/Dockerfile': `FROM busybox:local\nRUN sleep 60 # ${randomBytes(4).toString('hex')}\n`,
        'ok/Dockerfile': 'FROM busybox:local\nRUN head -c 2000 /dev/zero > /pad\n'
      }
    })
    const started = Date.now()
    const { run, comments } = await runOnPullRequest(standin, pr, { 'build-timeout': '5s' }, FAST)
    made.push(run.runnerTemp)

    expect(Date.now() - started).toBeLessThan(40_000)
    expect(run.exitCode).toBe(1)
    const images = run.report!.images as Array<Record<string, unknown>>
    expect(images.find(image => image.dockerfile === 'hung/Dockerfile')).toMatchObject({
      verdict: 'error',
      head: null,
      reason: expect.stringContaining('The build ran past the build-timeout of 5s and was stopped.')
    })
    expect(images.find(image => image.dockerfile === 'ok/Dockerfile')).toMatchObject({
      head: { size: expect.any(Number) },
      base: { size: expect.any(Number) },
      delta: 2000
    })
    expect(run.report!.error).toBeNull()
    expect(run.summary).toContain('build-timeout of 5s')
    expect(nth(comments, 0).body).toContain('build-timeout of 5s')
    expect(tagsIn(run.stdout).filter(imageExists)).toEqual([])
  })

  it('is refused when it is no duration, naming the input, the value and the fix', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, slowScenario())
    const { run } = await runOnPullRequest(standin, pr, { 'build-timeout': '30' }, FAST)
    made.push(run.runnerTemp)
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain("::error::Invalid build-timeout '30'. Expected a duration")
    expect(run.report).toMatchObject({ verdict: 'error' })
  })
})

describe('a run killed with SIGKILL', () => {
  it('leaves images and worktrees that the next run in the same temp root removes, and only those', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: { 'app/Dockerfile': 'FROM busybox:local\nRUN echo base > /f\n' },
      pr: { 'app/Dockerfile': `FROM busybox:local\nRUN sleep 3 && echo ${randomBytes(4).toString('hex')} > /f\n` }
    })
    const prepared = await prepare(pr)
    const tempRoot = prepared.env.RUNNER_TEMP!
    // Killed once the base is built and measured, while the head's build runs.
    const killed = await startUntil(pr, prepared, 'sleep 3', 'base app/Dockerfile: ')
    killed.child.kill('SIGKILL')
    await killed.exited
    // The base's image stays; the head's build, whose output pipe closed, ends one way or the other.
    await new Promise(resolve => setTimeout(resolve, 4_000))
    const left = imagesLabelledWith(tempRoot)
    expect(left.length).toBeGreaterThanOrEqual(1)
    const leftFolders = (await readdir(tempRoot)).filter(name => name.startsWith('dsc-'))
    expect(leftFolders).toHaveLength(1)
    expect(await worktreesOf(pr.workspace)).toHaveLength(3)

    // What must stay: an image of a run still alive in this temp root (this test's process),
    // and one of a dead run in another temp root.
    const deadPid = Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout)
    const keep = [
      {
        tag: `docker-size-check:keep-alive-${randomBytes(4).toString('hex')}`,
        run: `${ownPidTable()}-${process.pid}-${processStart(process.pid) ?? 'x'}-abcdef`,
        root: tempRoot
      },
      {
        tag: `docker-size-check:keep-other-${randomBytes(4).toString('hex')}`,
        run: `${ownPidTable()}-${deadPid}-1-abcdef`,
        root: `${tempRoot}-other`
      }
    ]
    const context = await mkdtemp(join(tmpdir(), 'dsc-keep-'))
    made.push(context)
    await writeFile(join(context, 'Dockerfile'), 'FROM busybox:local\n')
    for (const image of keep) {
      tagsMade.push(image.tag)
      execFileSync(
        'docker',
        [
          'build',
          '-q',
          '--tag',
          image.tag,
          '--label',
          `docker-size-check.run=${image.run}@${hostname()}`,
          '--label',
          `docker-size-check.temp-root=${image.root}`,
          context
        ],
        { stdio: 'pipe' }
      )
    }

    // The next run, in the same runner temp folder.
    // Not spawnSync: the stand-in that answers the action runs in this process.
    const next = await runToEnd(pr, prepared)
    expect(next.stdout).toContain(
      `Removed what an earlier run, stopped before it could clean up, left in ${tempRoot}: ${left.length === 1 ? '1 image' : `${left.length} images`}, 1 worktree folder.`
    )
    expect(imagesLabelledWith(tempRoot)).toHaveLength(1)
    expect(keep.map(image => imageExists(image.tag))).toEqual([true, true])
    // The killed run's lease went with what it guarded, and the next run's at its end.
    expect(
      execFileSync('docker', ['volume', 'ls', '-q', '--filter', `label=docker-size-check.temp-root=${tempRoot}`], {
        encoding: 'utf8'
      })
    ).toBe('')
    expect((await readdir(tempRoot)).filter(name => name.startsWith('dsc-'))).toEqual([])
    expect(await worktreesOf(pr.workspace)).toEqual([pr.workspace])
    expect(JSON.parse(await readFile(join(tempRoot, 'docker-size-check', 'default.json'), 'utf8'))).toMatchObject({
      verdict: 'pass',
      images: [{ dockerfile: 'app/Dockerfile', head: { size: expect.any(Number) } }]
    })
  })
})

describe("the user's own worktrees", () => {
  it('survive a run while their folder is away, and work again once it is back', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: { 'app/Dockerfile': 'FROM busybox:local\n' },
      pr: { 'app/Dockerfile': 'FROM busybox:local\nRUN echo hi > /f\n' }
    })
    const parked = await mkdtemp(join(tmpdir(), 'dsc-user-'))
    made.push(parked)
    const mine = join(parked, 'my-worktree')
    await git(pr.workspace, ['worktree', 'add', '--quiet', '--detach', mine, 'HEAD'])
    // Away for a moment, as on a disk that is not mounted.
    await rename(mine, `${mine}-away`)

    const { run } = await runOnPullRequest(standin, pr, {}, FAST)
    made.push(run.runnerTemp)
    expect(run.exitCode).toBe(0)

    await rename(`${mine}-away`, mine)
    expect(await worktreesOf(pr.workspace)).toEqual([pr.workspace, mine])
    await access(join(mine, 'app', 'Dockerfile'))
    expect((await git(mine, ['status', '--porcelain'])).trim()).toBe('')
    expect(run.stdout).not.toContain('worktree prune')
  })
})

describe('SIGTERM to the command', () => {
  it('stops the builds, removes images and worktrees, writes the JSON report and exits 143', async () => {
    const repo = await makeRepo()
    const slow = slowScenario()
    await commitFiles(repo, slow.base, 'base')
    await git(repo, ['checkout', '--quiet', '-b', 'feature'])
    await commitFiles(repo, slow.pr, 'slower')
    // A temp root of its own (the command's is the system's), to see what it leaves there.
    const tempRoot = await mkdtemp(join(tmpdir(), 'dsc-cli-temp-'))
    made.push(tempRoot)
    const report = join(tempRoot, 'report.json')
    const child = spawn(process.execPath, [CLI_PATH, '--head', 'HEAD', '--base', 'main', '--json', report], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', HOME: tempRoot, TMPDIR: tempRoot, GIT_CONFIG_NOSYSTEM: '1' }
    })
    let stderr = ''
    const exited = new Promise<number>(resolve => child.on('exit', code => resolve(code ?? 128)))
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', chunk => {
        stderr += String(chunk)
        if (stderr.includes('Build head: slow/Dockerfile')) resolve()
      })
      child.on('exit', () => reject(new Error(`the command ended before its build:\n${stderr}`)))
    })
    // Past the checkouts and into the build.
    await new Promise(resolve => setTimeout(resolve, 1_500))
    child.kill('SIGTERM')
    expect(await exited).toBe(143)
    expect(stderr).toContain('Interrupted (SIGTERM)')
    expect(JSON.parse(await readFile(report, 'utf8'))).toMatchObject({
      verdict: 'error',
      error: expect.stringContaining('Interrupted by SIGTERM')
    })
    expect(imagesLabelledWith(tempRoot)).toEqual([])
    expect((await readdir(tempRoot)).filter(name => name.startsWith('dsc-'))).toEqual([])
    expect(await worktreesOf(repo)).toEqual([repo])
  })
})
