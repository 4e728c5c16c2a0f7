// npm run bench: what the check costs in a repository of many images, on the real engine.
//
// 1. A PR that touches 1 of 20 images (a source file in its build context), checked by the
//    bundled action (src/ bundled into .tmp/bundle/index.js, run as the runner runs it: base-ref, no PR event, no
//    comment), against
//    - the floor: `docker build` of that image's head and base by hand, the same command
//      line the action uses, head first, nothing else;
//    - the naive workflow: every image built at the head and at the base.
//    "Same cache state": every run gets a fixture of its own, whose Dockerfiles start with
//    a RUN that writes a fresh random salt, so none of them finds a layer of its own images
//    in the cache; all three start from the same cached base image (busybox:local), and in
//    each the base build may reuse what the head build just made, as it would on a runner.
// 2. The overhead: the command's wall time minus the time during which at least one of its
//    builds ran (it logs when each starts and how long each took).
// 3. Measuring: `docker image inspect` + `docker history` of a 1 GB image against a 2 MB one.
//
// It prints a table and one JSON line. Every image it makes has a unique tag and is removed.
// BENCH_TRIALS (default 5) repeats part 1, the naive workflow runs once; medians are reported.
// BENCH_RUN_MB (default "20,200") lists how many MB each image's RUN writes, one workload each:
// that sets how long a build takes, and the command's overhead is fixed, so its share of the
// run is shown for short builds (about 1 s) and for longer ones (about 3 s).
// Each trial also runs the command without the path breakdown (explain: instructions), on a
// fixture of its own, so that what the breakdown costs is read from one run.
// BENCH_NAIVE=0 skips the naive workflow (40 builds a workload), for quicker runs while working.
// BENCH_LARGE_FILES (default 40000, 0 to skip) adds a workload with the first RUN size in a
// repository that also holds that many files no image reads: a large monorepo, where the
// command's git work and checkouts grow and the floor's builds do not.
import { execFile, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, totalmem, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { makeFreshBundle } from './fresh-bundle.mjs'
import { actionEnvironment } from './bench-action.mjs'
import { git } from './bench-git.mjs'

const run = promisify(execFile)
/** The bundled action, set by main(). */
let actionEntry
const IMAGES = 20
const TOUCHED = 7
const RUN_MBS = (process.env.BENCH_RUN_MB ?? '20,200').split(',').map(Number)
if (RUN_MBS.some(mb => !Number.isFinite(mb) || mb <= 0)) {
  throw new Error(`Invalid BENCH_RUN_MB '${process.env.BENCH_RUN_MB}': expected sizes in MB, such as 20,200`)
}
const LARGE_FILES = Number(process.env.BENCH_LARGE_FILES ?? 40_000)
if (!Number.isInteger(LARGE_FILES) || LARGE_FILES < 0) {
  throw new Error(`Invalid BENCH_LARGE_FILES '${process.env.BENCH_LARGE_FILES}': expected a whole number, 0 to skip`)
}
// The workloads: one per RUN size, then the first size again in a large repository.
const SHAPES = [
  ...RUN_MBS.map(runMB => ({ name: `${runMB}MB`, label: `RUN writing ${runMB} MB`, runMB, otherFiles: 0 })),
  ...(LARGE_FILES > 0
    ? [
        {
          name: `${RUN_MBS[0]}MB+${LARGE_FILES}files`,
          label: `RUN writing ${RUN_MBS[0]} MB, ${LARGE_FILES} more files`,
          runMB: RUN_MBS[0],
          otherFiles: LARGE_FILES
        }
      ]
    : [])
]
const TRIALS = Number(process.env.BENCH_TRIALS ?? 5)
const NAIVE = process.env.BENCH_NAIVE !== '0'
const MEASURE_REPEATS = 15
const BUILD_ARGS = ['buildx', 'build', '--load', '--progress=plain', '--provenance=false']
const token = randomBytes(3).toString('hex')
const madeTags = []
const tempDirs = []

const seconds = ms => (ms / 1000).toFixed(2)
const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
async function timed(work) {
  const started = performance.now()
  const result = await work()
  return { ms: performance.now() - started, result }
}

async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), `dsc-bench-${prefix}-`))
  tempDirs.push(dir)
  return dir
}

/**
 * The fixture: 20 services on busybox:local, each a RUN that writes runMB of random bytes
 * and a COPY of its own files, and `otherFiles` files that no image reads (the rest of a
 * monorepo); `main` holds them, `feature` changes one source file of one service.
 */
async function makeFixture(salt, { runMB, otherFiles }) {
  const repo = await tempDir('repo')
  await git(repo, ['init', '--quiet', '-b', 'main'])
  // 200 files a folder, a folder's files written at once.
  for (let first = 0; first < otherFiles; first += 200) {
    const folder = join(repo, 'libs', `lib-${String(first / 200).padStart(4, '0')}`)
    await mkdir(folder, { recursive: true })
    const count = Math.min(200, otherFiles - first)
    await Promise.all(
      Array.from({ length: count }, (_, i) => writeFile(join(folder, `file-${i}.txt`), `library file ${first + i}\n`))
    )
  }
  for (let i = 1; i <= IMAGES; i++) {
    const name = `svc-${String(i).padStart(2, '0')}`
    await mkdir(join(repo, name, 'src'), { recursive: true })
    await writeFile(
      join(repo, name, 'Dockerfile'),
      [
        'FROM busybox:local',
        `RUN echo ${salt}-${name} > /salt`,
        `RUN head -c ${runMB * 1_000_000} /dev/urandom > /data.bin`,
        'COPY src/ /app/',
        ''
      ].join('\n')
    )
    await writeFile(join(repo, name, 'src', 'main.txt'), `${name} version 1\n`.repeat(1000))
  }
  await git(repo, ['add', '--all'])
  await git(repo, ['commit', '--quiet', '-m', 'twenty services'])
  await git(repo, ['checkout', '--quiet', '-b', 'feature'])
  const touched = `svc-${String(TOUCHED).padStart(2, '0')}`
  await writeFile(join(repo, touched, 'src', 'main.txt'), `${touched} version 2\n`.repeat(3000))
  await git(repo, ['commit', '--quiet', '-am', 'change one service'])
  return { repo, touched, names: Array.from({ length: IMAGES }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`) }
}

/** Checkouts of the head and the base, as the action makes them (not timed). */
async function worktrees(repo) {
  const head = join(await tempDir('head'), 'w')
  const base = join(await tempDir('base'), 'w')
  await git(repo, ['worktree', 'add', '--detach', '--quiet', head, 'feature'])
  await git(repo, ['worktree', 'add', '--detach', '--quiet', base, 'main'])
  return { head, base }
}

async function dockerBuild(folder, name, side) {
  const tag = `docker-size-check-bench:${token}-${name}-${side}-${madeTags.length}`
  madeTags.push(tag)
  await run('docker', [...BUILD_ARGS, '--file', join(folder, name, 'Dockerfile'), '--tag', tag, join(folder, name)], {
    maxBuffer: 64 << 20
  })
}

/** The action, as the runner starts it, on the fixture's feature branch against main. */
async function runCommand(repo, extraInputs = {}) {
  const runnerTemp = await tempDir('runner')
  const env = await actionEnvironment({ workspace: repo, runnerTemp, inputs: { 'base-ref': 'main', ...extraInputs } })
  // RUNNER_DEBUG makes the action log each command line as it starts one: with the time each
  // line arrives, that places every build on the run's clock.
  env.RUNNER_DEBUG = '1'
  const { ms, lines } = await runTimed(process.execPath, [actionEntry], { cwd: repo, env })
  const starts = new Map()
  const builds = []
  let pathsMs = 0
  for (const { at, text } of lines) {
    // The breakdown's own line: how long it read and compared the layers.
    const paths = /^paths \S+: .* in ([\d.]+) s$/.exec(text)
    if (paths) pathsMs += Number(paths[1]) * 1000
    const start = /^::debug::\$ docker (?:buildx )?build .*--file \S+\/(head|base)\//.exec(text)
    if (start) starts.set(start[1], at)
    const done = /^(head|base) \S+: \d+ bytes in ([\d.]+) s$/.exec(text)
    if (done) builds.push({ from: starts.get(done[1]), to: starts.get(done[1]) + Number(done[2]) * 1000 })
  }
  const report = JSON.parse(await readFile(join(runnerTemp, 'docker-size-check', 'default.json'), 'utf8'))
  if (report.images.length !== 1 || report.verdict === 'error') {
    throw new Error(`Expected one image checked, got ${report.images.length} (${report.error ?? report.verdict})`)
  }
  return { ms, buildMs: coveredMs(builds), builds: builds.length, pathsMs }
}

/** How long at least one of the intervals was running: builds side by side count once. */
function coveredMs(intervals) {
  let covered = 0
  let reached = -Infinity
  for (const { from, to } of [...intervals].sort((a, b) => a.from - b.from)) {
    covered += Math.max(0, to - Math.max(from, reached))
    reached = Math.max(reached, to)
  }
  return covered
}

/** Runs a program and notes when each line of its stdout arrived, in ms after it started. */
function runTimed(command, args, options) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, options)
    const lines = []
    let pending = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', chunk => {
      const at = performance.now() - started
      pending += chunk
      const complete = pending.split('\n')
      pending = complete.pop()
      for (const text of complete) lines.push({ at, text })
    })
    child.stderr.setEncoding('utf8').on('data', chunk => (stderr += chunk))
    child.on('error', reject)
    child.on('close', code => {
      const ms = performance.now() - started
      if (code === 0) resolve({ ms, lines })
      else reject(new Error(`The action exited ${code}: ${lines.map(line => line.text).join('\n')}${stderr}`))
    })
  })
}

async function trial(index, shape) {
  const commandFixture = await makeFixture(`cmd-${token}-${shape.name}-${index}`, shape)
  const noPathsFixture = await makeFixture(`nopaths-${token}-${shape.name}-${index}`, shape)
  const floorFixture = await makeFixture(`floor-${token}-${shape.name}-${index}`, shape)
  const floorTrees = await worktrees(floorFixture.repo)
  const floorRun = () =>
    timed(async () => {
      await dockerBuild(floorTrees.head, floorFixture.touched, 'head')
      await dockerBuild(floorTrees.base, floorFixture.touched, 'base')
    })
  // Written files go to disk before the clock starts: a write-back of the fixtures would
  // slow whichever goes first.
  await run('sync', [])
  // Taking turns at going first, so that a machine that warms up or slows down over the run
  // weighs on both alike.
  let command, noPaths, floor
  if (index % 2 === 0) {
    command = await runCommand(commandFixture.repo)
    noPaths = await runCommand(noPathsFixture.repo, { explain: 'instructions' })
    floor = await floorRun()
  } else {
    floor = await floorRun()
    noPaths = await runCommand(noPathsFixture.repo, { explain: 'instructions' })
    command = await runCommand(commandFixture.repo)
  }

  let naive = null
  if (index === 0 && NAIVE) {
    const naiveFixture = await makeFixture(`naive-${token}-${shape.name}-${index}`, shape)
    const naiveTrees = await worktrees(naiveFixture.repo)
    await run('sync', [])
    naive = await timed(async () => {
      for (const name of naiveFixture.names) await dockerBuild(naiveTrees.head, name, 'head')
      for (const name of naiveFixture.names) await dockerBuild(naiveTrees.base, name, 'base')
    })
  }
  await removeMadeImages()
  return { command, noPathsMs: noPaths.ms, floorMs: floor.ms, naiveMs: naive?.ms ?? null }
}

async function removeMadeImages() {
  if (madeTags.length) await run('docker', ['image', 'rm', '--force', ...madeTags.splice(0)]).catch(() => undefined)
}

/** Median time of `docker image inspect` + `docker history`, as the check reads an image. */
async function measuring(reference) {
  const times = []
  for (let i = 0; i < MEASURE_REPEATS; i++) {
    const { ms } = await timed(async () => {
      await run('docker', ['image', 'inspect', reference], { maxBuffer: 64 << 20 })
      await run('docker', ['history', '--no-trunc', '--format', '{{json .}}', reference], { maxBuffer: 64 << 20 })
    })
    times.push(ms)
  }
  return median(times)
}

async function bigImage() {
  const folder = await tempDir('big')
  const tag = `docker-size-check-bench:${token}-1gb`
  await writeFile(join(folder, 'Dockerfile'), 'FROM debian:bookworm\nRUN head -c 800000000 /dev/urandom > /big.bin\n')
  await run('docker', [...BUILD_ARGS, '--tag', tag, folder], { maxBuffer: 64 << 20 })
  madeTags.push(tag)
  return tag
}

function machine() {
  const docker = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim()
  const buildx = execFileSync('docker', ['buildx', 'version'], { encoding: 'utf8' }).trim().split(' ')[1] ?? 'none'
  const storage = execFileSync('docker', ['info', '--format', '{{.Driver}}'], { encoding: 'utf8' }).trim()
  return {
    cpus: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    docker,
    buildx,
    storage
  }
}

/** One workload: TRIALS runs of the PR check against the floor, the naive workflow once. */
async function workload(shape) {
  const trials = []
  for (let i = 0; i < TRIALS; i++) {
    console.error(`${shape.label}: trial ${i + 1}/${TRIALS} …`)
    trials.push(await trial(i, shape))
  }
  const commandMs = median(trials.map(t => t.command.ms))
  const noPathsMs = median(trials.map(t => t.noPathsMs))
  const floorMs = median(trials.map(t => t.floorMs))
  const naiveMs = trials[0].naiveMs
  return {
    name: shape.name,
    runMB: shape.runMB,
    otherFiles: shape.otherFiles,
    builds: trials[0].command.builds,
    commandMs: Math.round(commandMs),
    commandBuildMs: Math.round(median(trials.map(t => t.command.buildMs))),
    overheadMs: Math.round(median(trials.map(t => t.command.ms - t.command.buildMs))),
    pathsMs: Math.round(median(trials.map(t => t.command.pathsMs))),
    noPathsMs: Math.round(noPathsMs),
    floorMs: Math.round(floorMs),
    naiveMs: naiveMs === null ? null : Math.round(naiveMs),
    commandOverFloor: Number((commandMs / floorMs).toFixed(3)),
    noPathsOverFloor: Number((noPathsMs / floorMs).toFixed(3)),
    naiveOverCommand: naiveMs === null ? null : Number((naiveMs / commandMs).toFixed(2))
  }
}

async function main() {
  actionEntry = join(makeFreshBundle(), 'index.js')
  const host = machine()
  console.error(`Benchmark on ${host.cpus} cores (${host.cpuModel}), Docker ${host.docker}, buildx ${host.buildx}`)
  const workloads = []
  for (const shape of SHAPES) workloads.push(await workload(shape))

  console.error('measuring a 1 GB image …')
  const big = await bigImage()
  const bigSize = Number(execFileSync('docker', ['image', 'inspect', '-f', '{{.Size}}', big], { encoding: 'utf8' }))
  const smallSize = Number(
    execFileSync('docker', ['image', 'inspect', '-f', '{{.Size}}', 'busybox:local'], { encoding: 'utf8' })
  )
  const measureBigMs = await measuring(big)
  const measureSmallMs = await measuring('busybox:local')
  await removeMadeImages()

  const each = format => workloads.map(format)
  const rows = [
    ['each RUN writes', ...each(w => `${w.runMB} MB`), ''],
    ['files no image reads', ...each(w => w.otherFiles.toLocaleString('en-US')), ''],
    ['PR touching 1 of 20 images: the command', ...each(w => `${seconds(w.commandMs)} s`), ''],
    ['  its builds (wall time, side by side counted once)', ...each(w => `${seconds(w.commandBuildMs)} s`), ''],
    ['  overhead (outside docker build)', ...each(w => `${seconds(w.overheadMs)} s`), ''],
    ['  the path breakdown (its own log line)', ...each(w => `${seconds(w.pathsMs)} s`), ''],
    ['the same without the breakdown (explain: instructions)', ...each(w => `${seconds(w.noPathsMs)} s`), ''],
    ['floor: docker build head + base by hand', ...each(w => `${seconds(w.floorMs)} s`), ''],
    ['command / floor', ...each(w => `${w.commandOverFloor.toFixed(2)}x`), 'target ≤ 1.10x'],
    ['without the breakdown / floor', ...each(w => `${w.noPathsOverFloor.toFixed(2)}x`), ''],
    ...(NAIVE
      ? [
          ['naive: all 20 images on both sides', ...each(w => `${seconds(w.naiveMs)} s`), ''],
          ['naive / command', ...each(w => `${w.naiveOverCommand.toFixed(1)}x`), 'target ≥ 10x']
        ]
      : []),
    [
      `measure ${(bigSize / 1e9).toFixed(2)} GB image (inspect + history)`,
      `${measureBigMs.toFixed(0)} ms`,
      'median of 15'
    ],
    [`measure ${(smallSize / 1e6).toFixed(2)} MB image (inspect + history)`, `${measureSmallMs.toFixed(0)} ms`, ''],
    ['1 GB / 2 MB', `${(measureBigMs / measureSmallMs).toFixed(2)}x`, 'target ≤ 2x']
  ]
  const width = Math.max(...rows.map(row => row[0].length))
  console.log(
    `\n${host.cpus} cores (${host.cpuModel}), ${host.memoryGiB} GiB, Docker ${host.docker} (${host.storage}), buildx ${host.buildx}, Node ${host.node}`
  )
  console.log(
    `${IMAGES} images FROM busybox:local, each a RUN writing random bytes and a COPY of its sources; medians of ${TRIALS} trials\n`
  )
  for (const [what, ...values] of rows) {
    const note = values.length > 1 ? values.pop() : ''
    console.log(`${what.padEnd(width)}  ${values.map(value => value.padStart(9)).join('  ')}  ${note}`.trimEnd())
  }
  const figures = {
    machine: host,
    images: IMAGES,
    trials: TRIALS,
    workloads,
    measureBigMs: Math.round(measureBigMs),
    measureSmallMs: Math.round(measureSmallMs),
    bigImageBytes: bigSize,
    smallImageBytes: smallSize,
    measureRatio: Number((measureBigMs / measureSmallMs).toFixed(2)),
    targets: {
      commandOverFloor: Object.fromEntries(workloads.map(w => [w.name, w.commandOverFloor <= 1.1])),
      naiveOverCommand: NAIVE ? Object.fromEntries(workloads.map(w => [w.name, w.naiveOverCommand >= 10])) : null,
      measureRatio: measureBigMs / measureSmallMs <= 2
    }
  }
  console.log(`\n${JSON.stringify(figures)}`)
}

try {
  await main()
} finally {
  await removeMadeImages()
  await Promise.all(tempDirs.map(dir => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })))
}
