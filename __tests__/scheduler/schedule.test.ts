// The scheduler through its Docker and Git seams: a fake docker command runner (builds that
// take the time a test gives them, and stop when their signal aborts, as a killed process
// group does) and a fake git that only notes the worktrees. No engine, no repository.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BuildPlan, buildAndMeasure, SchedulerGit } from '../../src/scheduler/schedule.js'
import { CommandResult, RunOptions } from '../../src/tools/exec.js'
import { Docker } from '../../src/tools/docker.js'
import { EngineInfo, ImageTarget, MeasuredImage } from '../../src/shared/types.js'
import { nth } from '../support/lists.js'
import { EngineUnavailableError, InterruptedError } from '../../src/shared/errors.js'
import { RecordingProgress } from '../support/recording-progress.js'

const REVISIONS = { baseSha: 'b'.repeat(40), headSha: 'h'.repeat(40) }

function engine(builder: EngineInfo['builder']): EngineInfo {
  return { serverVersion: '28.0', apiVersion: '1.48', storageDriver: 'overlay2', builder, imageStore: 'graphdriver' }
}

function target(dockerfile: string, extra: Partial<ImageTarget> = {}): ImageTarget {
  const context = dockerfile.split('/')[0] ?? ''
  return {
    dockerfile,
    context,
    baseDockerfile: dockerfile,
    baseContext: context,
    change: 'modified',
    reason: 'Dockerfile modified',
    ...extra
  }
}

/** How a fake build goes: how long it takes, and how it ends. */
interface Script {
  ms: number
  exitCode?: number
  stderr?: string
  size?: number
}

interface BuildSeen {
  tag: string
  dockerfile: string
  args: string[]
  started: number
  ended?: number
  stopped?: boolean
}

/** A docker CLI stand-in: `build` waits `ms` (or until stopped), `image inspect` answers the tag's size. */
class FakeDocker {
  readonly builds: BuildSeen[] = []
  readonly removed: string[] = []
  /** Every command's first two words, in order. */
  readonly calls: string[] = []
  readonly sizes = new Map<string, number>()
  private readonly t0 = Date.now()

  constructor(private readonly script: (dockerfile: string, side: 'head' | 'base') => Script) {}

  readonly docker = new Docker((args, options) => this.run(args, options))

  private async run(args: string[], options: RunOptions = {}): Promise<CommandResult> {
    this.calls.push(args.slice(0, 2).join(' '))
    if (args[0] === 'buildx' || args[0] === 'build') return this.build(args, options)
    if (args[0] === 'image' && args[1] === 'inspect') {
      const size = this.sizes.get(args[2] ?? '')
      if (size === undefined) return { exitCode: 1, stdout: '[]', stderr: 'Error: No such image' }
      return {
        exitCode: 0,
        stdout: JSON.stringify([{ Id: `sha256:${size}`, Size: size, RootFS: { Layers: ['a'] } }]),
        stderr: ''
      }
    }
    if (args[0] === 'image' && args[1] === 'rm') {
      this.removed.push(...args.slice(3))
      return { exitCode: 0, stdout: '', stderr: '' }
    }
    // history (no rows: no per-instruction sizes, a warning) and image ls (no leftovers).
    return { exitCode: 0, stdout: '', stderr: '' }
  }

  private async build(args: string[], options: RunOptions): Promise<CommandResult> {
    const tag = args[args.indexOf('--tag') + 1] ?? ''
    const dockerfile = args[args.indexOf('--file') + 1] ?? ''
    const side = tag.endsWith('-base') ? 'base' : 'head'
    const script = this.script(dockerfile, side)
    const seen: BuildSeen = { tag, dockerfile, args, started: Date.now() - this.t0 }
    this.builds.push(seen)
    const stopped = await new Promise<boolean>(resolve => {
      const timer = setTimeout(() => resolve(false), script.ms)
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    seen.ended = Date.now() - this.t0
    seen.stopped = stopped
    if (stopped) return { exitCode: 137, stdout: '', stderr: '' }
    if ((script.exitCode ?? 0) === 0) this.sizes.set(tag, script.size ?? (side === 'head' ? 2_000 : 1_000))
    return { exitCode: script.exitCode ?? 0, stdout: '', stderr: script.stderr ?? '' }
  }
}

class FakeGit implements SchedulerGit {
  readonly added: string[] = []
  readonly removed: string[] = []
  addWorktree(folder: string): Promise<void> {
    this.added.push(folder)
    return Promise.resolve()
  }
  removeWorktree(folder: string): Promise<void> {
    this.removed.push(folder)
    return Promise.resolve()
  }
  exec(): Promise<string> {
    return Promise.reject(new Error('no git command is expected here'))
  }
}

class Log extends RecordingProgress {
  constructor() {
    super({ groups: 'title' })
  }
}

let tempRoot: string
beforeEach(async () => {
  tempRoot = await mkdtemp(join(tmpdir(), 'dsc-schedule-test-'))
})
afterEach(async () => {
  await rm(tempRoot, { recursive: true, force: true })
})

function plan(targets: ImageTarget[], builder: EngineInfo['builder'], extra: Partial<BuildPlan> = {}): BuildPlan {
  return {
    repoDir: '/repo',
    tempRoot,
    revisions: REVISIONS,
    targets,
    engine: Promise.resolve(engine(builder)),
    ...extra,
    // No path breakdown: it streams `docker save` from the real CLI, which a fake runner cannot stand in for.
    settings: {
      headFrom: 'worktree',
      keepImages: false,
      parallel: 1,
      explain: { paths: false, instructions: true },
      ...extra.settings
    }
  }
}

const overlap = (a: BuildSeen, b: BuildSeen) => a.started < (b.ended as number) && b.started < (a.ended as number)

describe('buildAndMeasure', () => {
  it('builds the head and the base of an image side by side under BuildKit', async () => {
    const fake = new FakeDocker(() => ({ ms: 60 }))
    const measured = await buildAndMeasure(
      plan([target('app/Dockerfile')], 'buildx'),
      fake.docker,
      new FakeGit(),
      new Log()
    )
    // Side by side, either may start first (a loaded machine checks the base out sooner).
    const side = (name: string) => fake.builds.find(build => build.tag.endsWith(`-${name}`))
    const [head, base] = [side('head'), side('base')]
    expect(fake.builds.map(build => build.tag.split('-').pop()).sort()).toEqual(['base', 'head'])
    expect(overlap(head!, base!)).toBe(true)
    expect(measured).toMatchObject([{ head: { size: 2_000 }, base: { size: 1_000 }, failedBuilds: [] }])
  })

  it('builds the base after the head with the legacy builder', async () => {
    const fake = new FakeDocker(() => ({ ms: 30 }))
    await buildAndMeasure(plan([target('app/Dockerfile')], 'legacy'), fake.docker, new FakeGit(), new Log())
    const [head, base] = fake.builds
    expect(head!.tag).toMatch(/-head$/)
    expect(base!.started).toBeGreaterThanOrEqual(head!.ended as number)
    expect(head!.args[0]).toBe('build')
  })

  it('records the images in the order of the targets, whichever finishes first', async () => {
    const fake = new FakeDocker(dockerfile => ({ ms: dockerfile.endsWith('/slow/Dockerfile') ? 80 : 5 }))
    const log = new Log()
    const measured = await buildAndMeasure(
      plan([target('slow/Dockerfile'), target('fast/Dockerfile')], 'buildx', {
        settings: { headFrom: 'worktree', keepImages: false, parallel: 2 }
      }),
      fake.docker,
      new FakeGit(),
      log
    )
    expect(log.done).toEqual(['fast/Dockerfile', 'slow/Dockerfile'])
    expect(measured.map(image => image.target.dockerfile)).toEqual(['slow/Dockerfile', 'fast/Dockerfile'])
  })

  it('labels every build with its run and its temp root, and marks the images of a run that keeps them', async () => {
    const fake = new FakeDocker(() => ({ ms: 1 }))
    await buildAndMeasure(plan([target('app/Dockerfile')], 'buildx'), fake.docker, new FakeGit(), new Log())
    for (const build of fake.builds) {
      expect(build.args).toContain(`docker-size-check.temp-root=${tempRoot}`)
      expect(build.args.join(' ')).toMatch(
        new RegExp(`--label docker-size-check\\.run=[0-9a-f]{12}-${process.pid}-\\S+@`)
      )
      expect(build.args).toContain('docker-size-check.kept=false')
    }
    const kept = new FakeDocker(() => ({ ms: 1 }))
    await buildAndMeasure(
      plan([target('app/Dockerfile')], 'buildx', { settings: { headFrom: 'worktree', keepImages: true } }),
      kept.docker,
      new FakeGit(),
      new Log()
    )
    expect(nth(kept.builds, 0).args).toContain('docker-size-check.kept=true')
    expect(kept.removed).toEqual([])
  })

  it('takes its lease on the engine before it builds, and releases it after its images are removed', async () => {
    const fake = new FakeDocker(() => ({ ms: 1 }))
    await buildAndMeasure(plan([target('app/Dockerfile')], 'buildx'), fake.docker, new FakeGit(), new Log())
    const at = (call: string) => fake.calls.indexOf(call)
    const last = (call: string) => fake.calls.lastIndexOf(call)
    expect(at('volume create')).toBe(0)
    expect(at('volume create')).toBeLessThan(at('buildx build'))
    expect(last('volume rm')).toBe(fake.calls.length - 1)
    expect(last('volume rm')).toBeGreaterThan(last('image rm'))
  })

  it('removes exactly the images it built and the worktrees it added, and its scratch folder', async () => {
    const fake = new FakeDocker(() => ({ ms: 1 }))
    const git = new FakeGit()
    await buildAndMeasure(plan([target('a/Dockerfile'), target('b/Dockerfile')], 'buildx'), fake.docker, git, new Log())
    expect(git.added).toHaveLength(2)
    expect([...git.removed].sort()).toEqual([...git.added].sort())
    expect([...fake.removed].sort()).toEqual(fake.builds.map(build => build.tag).sort())
    expect(await readdir(tempRoot)).toEqual([])
  })

  it('adds no worktree for the head built from the workspace, and removes none of it', async () => {
    const fake = new FakeDocker(() => ({ ms: 1 }))
    const git = new FakeGit()
    await buildAndMeasure(
      plan([target('a/Dockerfile')], 'buildx', { settings: { headFrom: 'workspace', keepImages: false } }),
      fake.docker,
      git,
      new Log()
    )
    expect(git.added).toEqual([expect.stringMatching(/\/base$/)])
    expect(git.removed).toEqual(git.added)
    expect(fake.builds.find(build => build.tag.endsWith('-head'))!.dockerfile).toBe('/repo/a/Dockerfile')
  })

  it('builds an image that is the same on both sides once, for both', async () => {
    const fake = new FakeDocker(() => ({ ms: 1 }))
    const measured = await buildAndMeasure(
      plan([target('a/Dockerfile', { identical: true })], 'buildx'),
      fake.docker,
      new FakeGit(),
      new Log()
    )
    expect(fake.builds).toHaveLength(1)
    expect(nth(measured, 0).base).toBe(nth(measured, 0).head)
  })

  it('makes a failed build an outcome of its side, and goes on with the next image', async () => {
    const fake = new FakeDocker((dockerfile, side) =>
      dockerfile.endsWith('/a/Dockerfile') && side === 'head'
        ? { ms: 1, exitCode: 1, stderr: 'ERROR: no such stage' }
        : { ms: 1 }
    )
    const measured = await buildAndMeasure(
      plan([target('a/Dockerfile'), target('b/Dockerfile')], 'buildx'),
      fake.docker,
      new FakeGit(),
      new Log()
    )
    expect(measured[0]).toMatchObject({
      head: null,
      base: { size: 1_000 },
      failedBuilds: [{ side: 'head', error: 'no such stage' }]
    })
    expect(measured[1]).toMatchObject({ head: { size: 2_000 }, base: { size: 1_000 } })
  })

  it('stops a build past the build timeout, makes it a failure that says so, and builds the rest', async () => {
    const fake = new FakeDocker(dockerfile => ({ ms: dockerfile.endsWith('/hung/Dockerfile') ? 10_000 : 1 }))
    const started = Date.now()
    const measured = await buildAndMeasure(
      plan([target('hung/Dockerfile', { change: 'added' }), target('ok/Dockerfile')], 'buildx', {
        settings: { headFrom: 'worktree', keepImages: false, buildTimeoutMs: 50 }
      }),
      fake.docker,
      new FakeGit(),
      new Log()
    )
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(nth(fake.builds, 0).stopped).toBe(true)
    expect(nth(measured, 0).failedBuilds).toMatchObject([
      { side: 'head', ok: false, error: 'The build ran past the build-timeout of 50ms and was stopped.' }
    ])
    expect(measured[1]).toMatchObject({ head: { size: 2_000 }, base: { size: 1_000 } })
  })

  it('on an abort, stops the running builds, starts no other, removes what it made, and throws the reason', async () => {
    const fake = new FakeDocker(() => ({ ms: 10_000 }))
    const git = new FakeGit()
    const controller = new AbortController()
    const run = buildAndMeasure(
      plan([target('a/Dockerfile'), target('b/Dockerfile')], 'buildx', { signal: controller.signal }),
      fake.docker,
      git,
      new Log()
    )
    while (fake.builds.length < 2) await new Promise(resolve => setTimeout(resolve, 5))
    controller.abort(new InterruptedError('SIGTERM'))
    await expect(run).rejects.toBeInstanceOf(InterruptedError)
    // Side by side, the two may start in either order.
    expect(fake.builds.map(build => [build.tag.split('-').slice(-2).join('-'), build.stopped]).sort()).toEqual([
      ['0-base', true],
      ['0-head', true]
    ])
    expect([...fake.removed].sort()).toEqual(fake.builds.map(build => build.tag).sort())
    expect([...git.removed].sort()).toEqual([...git.added].sort())
    expect(await readdir(tempRoot)).toEqual([])
  })

  it('starts nothing when the run is stopped before it builds', async () => {
    const fake = new FakeDocker(() => ({ ms: 1 }))
    const controller = new AbortController()
    controller.abort(new InterruptedError('SIGINT'))
    const measured: MeasuredImage[] = []
    await expect(
      buildAndMeasure(
        plan([target('a/Dockerfile')], 'buildx', { signal: controller.signal }),
        fake.docker,
        new FakeGit(),
        new Log(),
        measured
      )
    ).rejects.toBeInstanceOf(InterruptedError)
    expect(fake.builds).toEqual([])
    expect(measured).toEqual([])
  })

  it('lets no image start after the engine is gone, and keeps what was measured', async () => {
    const fake = new FakeDocker((dockerfile, side) =>
      dockerfile.endsWith('/a/Dockerfile') && side === 'base'
        ? {
            ms: 1,
            exitCode: 1,
            stderr:
              'ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'
          }
        : { ms: 1 }
    )
    const measured: MeasuredImage[] = []
    await expect(
      buildAndMeasure(
        plan([target('a/Dockerfile'), target('b/Dockerfile')], 'legacy'),
        fake.docker,
        new FakeGit(),
        new Log(),
        measured
      )
    ).rejects.toBeInstanceOf(EngineUnavailableError)
    expect(fake.builds.map(build => build.dockerfile)).not.toContainEqual(expect.stringContaining('b/Dockerfile'))
    expect(measured).toMatchObject([{ head: { size: 2_000 }, base: null }])
  })
})
