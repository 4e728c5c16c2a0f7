// One side of one image through the scheduler's seams: a docker command runner that answers
// as the CLI does (a build's exit code and output, `image inspect`'s JSON), a git that writes
// the base's files into the worktree folder, and real folders for the checkouts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { quietLogger } from '../../src/shared/logger.js'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildSide, SideContext, SideJob } from '../../src/scheduler/build-side.js'
import { Janitor } from '../../src/scheduler/janitor.js'
import { WorktreePool } from '../../src/scheduler/worktree-pool.js'
import { Docker } from '../../src/tools/docker.js'
import { CommandResult } from '../../src/tools/exec.js'
import { InterruptedError } from '../../src/shared/errors.js'
import { EngineInfo, ImageTarget } from '../../src/shared/types.js'
import { RecordingProgress } from '../support/recording-progress.js'

const ENGINE: EngineInfo = {
  serverVersion: '28.0',
  apiVersion: '1.48',
  storageDriver: 'overlay2',
  builder: 'buildx',
  imageStore: 'graphdriver'
}

/** How the fake CLI answers a build; every build it saw, by its arguments. */
interface Answer {
  exitCode: number
  stdout?: string
  stderr?: string
  size?: number
}

class FakeDocker {
  readonly builds: string[][] = []
  readonly removed: string[] = []
  private readonly sizes = new Map<string, number>()
  constructor(private readonly answer: (args: string[]) => Answer) {}

  readonly docker = new Docker(args => Promise.resolve(this.run(args)))

  private run(args: string[]): CommandResult {
    if (args[0] === 'buildx' || args[0] === 'build') {
      this.builds.push(args)
      const answer = this.answer(args)
      const tag = args[args.indexOf('--tag') + 1] ?? ''
      if (answer.exitCode === 0) this.sizes.set(tag, answer.size ?? 1_000)
      return { exitCode: answer.exitCode, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' }
    }
    if (args[0] === 'image' && args[1] === 'inspect') {
      const size = this.sizes.get(args[2] ?? '')
      if (size === undefined) return { exitCode: 1, stdout: '[]', stderr: 'Error: No such image' }
      return {
        exitCode: 0,
        stdout: JSON.stringify([{ Id: `sha256:${size}`, Size: size, RootFS: { Layers: ['a'] } }]),
        stderr: ''
      }
    }
    if (args[0] === 'image' && args[1] === 'rm') this.removed.push(...args.slice(3))
    return { exitCode: 0, stdout: '', stderr: '' }
  }
}

class Log extends RecordingProgress {
  constructor(streamBuilds: boolean) {
    super({ streamBuilds })
  }
}

let folder: string
let workspace: string
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'dsc-build-side-test-'))
  workspace = join(folder, 'workspace')
  await mkdir(join(workspace, 'app'), { recursive: true })
  await writeFile(join(workspace, 'app', 'Dockerfile'), 'FROM scratch\nCOPY go.mod /\n')
  await mkdir(join(folder, 'home'))
  await symlink(join(folder, 'home'), join(workspace, 'escape'))
})
afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

function target(extra: Partial<ImageTarget> = {}): ImageTarget {
  return {
    dockerfile: 'app/Dockerfile',
    context: 'app',
    baseDockerfile: 'old/Dockerfile',
    baseContext: 'old',
    change: 'modified',
    reason: 'Dockerfile modified',
    ...extra
  }
}

/** A run's shared parts: the head from the workspace, the base checked out by a git that writes its files. */
async function context(fake: FakeDocker, log: Log, extra: Partial<SideContext> = {}) {
  const scratch = await mkdtemp(join(folder, 'scratch-'))
  const added: string[] = []
  const git = {
    addWorktree: async (path: string) => {
      added.push(path)
      await mkdir(join(path, 'old'), { recursive: true })
      await writeFile(join(path, 'old', 'Dockerfile'), 'FROM scratch\n')
    },
    removeWorktree: (path: string) => rm(path, { recursive: true, force: true }),
    exec: () => Promise.reject(new Error('no git command is expected here'))
  }
  const janitor = new Janitor(fake.docker, git, { keepImages: false })
  const pool = new WorktreePool({
    git,
    janitor,
    scratch,
    revisions: { baseSha: 'b'.repeat(40), headSha: 'h'.repeat(40) },
    workspace,
    pathsFor: () => null,
    log: quietLogger
  })
  const shared: SideContext = {
    docker: fake.docker,
    pool,
    janitor,
    engine: ENGINE,
    settings: { explain: { paths: false, instructions: true } },
    labels: { 'docker-size-check.run': 'test-run' },
    cache: { cacheFrom: ['type=registry,ref=cache/{image}'], cacheTo: ['type=registry,ref=cache/{image}'] },
    log,
    ...extra
  }
  return { shared, janitor, scratch, added }
}

const job = (side: SideJob['side'], extra: Partial<SideJob> = {}): SideJob => ({
  target: target(),
  side,
  tag: `dsc-test-${side}`,
  ...extra
})

const valueOf = (args: string[], flag: string) => args.filter((_, i) => args[i - 1] === flag)

describe('buildSide', () => {
  it("builds the head from the workspace's Dockerfile and context, and measures it", async () => {
    const fake = new FakeDocker(() => ({ exitCode: 0, size: 2_345 }))
    const log = new Log(true)
    const { shared } = await context(fake, log)
    const result = await buildSide(shared, job('head'))
    expect(result).toMatchObject({
      side: 'head',
      outcome: { ok: true, tag: 'dsc-test-head' },
      measurement: { size: 2_345 }
    })
    const args = fake.builds[0]!
    expect(valueOf(args, '--file')).toEqual([join(workspace, 'app', 'Dockerfile')])
    expect(args.at(-1)).toBe(join(workspace, 'app'))
    expect(valueOf(args, '--label')).toEqual(['docker-size-check.run=test-run'])
    expect(log.lines[0]).toBe('group Build head: app/Dockerfile')
    expect(log.lines).toContainEqual(expect.stringMatching(/^head app\/Dockerfile: 2345 bytes in \d+\.\d\d s$/))
  })

  it("builds the base from its own checkout, its own paths and its own commit's build options", async () => {
    const fake = new FakeDocker(() => ({ exitCode: 0 }))
    const { shared, scratch } = await context(fake, new Log(true))
    const moved = target({ build: { target: 'head-stage' }, baseBuild: { target: 'base-stage' } })
    await buildSide(shared, job('base', { target: moved }))
    const args = fake.builds[0]!
    expect(valueOf(args, '--file')).toEqual([join(scratch, 'base', 'old', 'Dockerfile')])
    expect(args.at(-1)).toBe(join(scratch, 'base', 'old'))
    expect(valueOf(args, '--target')).toEqual(['base-stage'])
  })

  it("reads the layer cache on both sides and writes it from the head's build only", async () => {
    const fake = new FakeDocker(() => ({ exitCode: 0 }))
    const { shared } = await context(fake, new Log(true))
    await buildSide(shared, job('head'))
    await buildSide(shared, job('base'))
    const [head, base] = fake.builds
    expect(valueOf(head!, '--cache-from')).toEqual(['type=registry,ref=cache/app-dockerfile'])
    expect(valueOf(head!, '--cache-to')).toEqual(['type=registry,ref=cache/app-dockerfile,ignore-error=true'])
    expect(valueOf(base!, '--cache-from')).toEqual(['type=registry,ref=cache/app-dockerfile'])
    expect(valueOf(base!, '--cache-to')).toEqual([])
  })

  it('lists the tag with the janitor before it builds, so a failed build still has its image removed', async () => {
    const fake = new FakeDocker(() => ({ exitCode: 1, stderr: 'ERROR: process "/bin/sh -c make" did not complete' }))
    const { shared, janitor } = await context(fake, new Log(true))
    await buildSide(shared, job('head'))
    await janitor.cleanUp()
    expect(fake.removed).toEqual(['dsc-test-head'])
  })

  it("makes a failed build a result with the builder's reason, and warns of it", async () => {
    const fake = new FakeDocker(() => ({ exitCode: 1, stderr: 'ERROR: process "/bin/sh -c make" did not complete' }))
    const log = new Log(true)
    const { shared } = await context(fake, log)
    const result = await buildSide(shared, job('base'))
    expect(result.measurement).toBeNull()
    expect(result.outcome).toMatchObject({
      side: 'base',
      ok: false,
      error: 'process "/bin/sh -c make" did not complete'
    })
    expect(log.lines).toContain(
      'warning The base build of old/Dockerfile failed: process "/bin/sh -c make" did not complete'
    )
  })

  it("explains a head build that misses a COPY source in the Dockerfile's folder, and not a base build", async () => {
    const missing = 'ERROR: failed to calculate checksum of ref x::y: "/go.mod": not found'
    const fake = new FakeDocker(() => ({ exitCode: 1, stderr: missing }))
    const { shared } = await context(fake, new Log(true))
    const head = await buildSide(shared, job('head'))
    const base = await buildSide(shared, job('base'))
    expect(head.outcome.error).toContain('go.mod is not in app/')
    expect(base.outcome.error).not.toContain('is not in')
  })

  it('refuses a context that leaves the checkout through a symlink, without building', async () => {
    const fake = new FakeDocker(() => ({ exitCode: 0 }))
    const log = new Log(true)
    const { shared } = await context(fake, log)
    const result = await buildSide(shared, job('head', { target: target({ context: 'escape' }) }))
    expect(fake.builds).toEqual([])
    expect(result).toMatchObject({ side: 'head', outcome: { ok: false, durationMs: 0 }, measurement: null })
    expect(result.outcome.error).toContain("the build context 'escape' leaves the repository")
    expect(log.lines).toEqual([`warning The head build of app/Dockerfile: ${result.outcome.error}`])
  })

  it('builds nothing once the run is stopped, and throws the reason', async () => {
    const fake = new FakeDocker(() => ({ exitCode: 0 }))
    const controller = new AbortController()
    controller.abort(new InterruptedError('SIGTERM'))
    const { shared } = await context(fake, new Log(true), { signal: controller.signal })
    await expect(buildSide(shared, job('head'))).rejects.toBeInstanceOf(InterruptedError)
    expect(fake.builds).toEqual([])
  })

  it("prints a build beside the other side's in a group of its own, once the other's group has closed", async () => {
    const fake = new FakeDocker(() => ({ exitCode: 0, stderr: '#1 DONE 0.1s' }))
    const log = new Log(true)
    const { shared } = await context(fake, log)
    let closeOther: () => void = () => undefined
    const other = new Promise<void>(resolve => (closeOther = resolve))
    const side = buildSide(shared, job('base', { deferLog: other }))
    // The build runs at once; its log waits however long the other side's group stays open.
    while (fake.builds.length === 0) await new Promise(resolve => setTimeout(resolve, 5))
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(log.lines).toEqual([])
    closeOther()
    await side
    const [title, output, end] = log.lines
    expect([title, output?.trim(), end]).toEqual(['group Build base: old/Dockerfile', '#1 DONE 0.1s', 'end group'])
  })

  it('says in one line which build runs beside the other where builds are not streamed', async () => {
    const fake = new FakeDocker(() => ({ exitCode: 0 }))
    const log = new Log(false)
    const { shared } = await context(fake, log)
    await buildSide(shared, job('base', { deferLog: new Promise(() => undefined) }))
    expect(log.lines[0]).toBe('Build base: old/Dockerfile …')
    expect(log.lines.filter(line => line.startsWith('group'))).toEqual([])
  })
})
