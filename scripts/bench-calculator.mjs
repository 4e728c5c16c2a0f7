// npm run bench:calculator: the headline figure on a real build. The calculator example's
// single-stage PR (main builds it in two stages; the PR drops the second, so the Go toolchain
// ships: about +840 MB), checked by the bundled action (src/ in .tmp/bundle, run as the runner
// runs it) with the path breakdown (the default) and without it (explain: instructions),
// against the floor: `docker build` of the head and the base by hand, head first, the same
// command line the action uses.
//
// Every run gets a fixture of its own with a salt of its own in the build context, so no run
// finds its COPY or `go build` layers in the cache. BENCH_CALCULATOR_CACHE says where the salt
// goes and so what the toolchain step costs:
//   warm (default): in a file COPY reads; `apt-get install golang-go` comes from the cache, as
//     on a runner that keeps its layers: the builds take seconds and the breakdown weighs most;
//   cold: in a RUN before it, so every build installs Go from Debian's mirror (about a minute
//     each), as on a runner that starts empty.
// BENCH_TRIALS (default 3): medians of that many trials. Every image it makes is removed.
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { makeFreshBundle } from './fresh-bundle.mjs'
import { actionEnvironment } from './bench-action.mjs'
import { git } from './bench-git.mjs'

const run = promisify(execFile)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const example = join(root, 'examples', 'calculator')
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3)
const CACHE = process.env.BENCH_CALCULATOR_CACHE ?? 'warm'
if (!['warm', 'cold'].includes(CACHE)) {
  throw new Error(`Invalid BENCH_CALCULATOR_CACHE '${CACHE}': expected warm or cold`)
}
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
  const dir = await mkdtemp(join(tmpdir(), `dsc-bench-calculator-${prefix}-`))
  tempDirs.push(dir)
  return dir
}

/** The Dockerfile with the salt where BENCH_CALCULATOR_CACHE puts it. */
function salted(dockerfile, salt) {
  if (CACHE === 'warm') return dockerfile
  return dockerfile.replace(/^(FROM debian:bookworm.*)$/m, `$1\nRUN echo ${salt} > /salt`)
}

/** main: the two-stage calculator; feature: the single-stage one (the PR). */
async function fixture(salt) {
  const repo = await tempDir('repo')
  await git(repo, ['init', '--quiet', '-b', 'main'])
  await mkdir(join(repo, 'calculator'))
  for (const name of await readdir(example)) {
    if (!name.startsWith('Dockerfile'))
      await writeFile(join(repo, 'calculator', name), await readFile(join(example, name)))
  }
  await writeFile(join(repo, 'calculator', 'salt.txt'), `${salt}\n`)
  const dockerfile = async name => salted(await readFile(join(example, name), 'utf8'), salt)
  await writeFile(join(repo, 'calculator', 'Dockerfile'), await dockerfile('Dockerfile'))
  await git(repo, ['add', '--all'])
  await git(repo, ['commit', '--quiet', '-m', 'calculator, built in two stages'])
  await git(repo, ['checkout', '--quiet', '-b', 'feature'])
  await writeFile(join(repo, 'calculator', 'Dockerfile'), await dockerfile('Dockerfile.single'))
  await git(repo, ['commit', '--quiet', '-am', 'build in one stage'])
  return repo
}

/** The action on the fixture's feature branch against main; its breakdown's own time from its log. */
async function check(repo, inputs = {}) {
  const runnerTemp = await tempDir('runner')
  const env = await actionEnvironment({ workspace: repo, runnerTemp, inputs: { 'base-ref': 'main', ...inputs } })
  const bundle = join(makeFreshBundle({ log: () => {} }), 'index.js')
  const { ms, result } = await timed(
    () =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [bundle], { cwd: repo, env })
        let stdout = ''
        child.stdout.setEncoding('utf8').on('data', chunk => (stdout += chunk))
        child.stderr.resume()
        child.on('error', reject)
        // Exit 1 is the verdict (about +840 MB is over the default limit), not a failure here.
        child.on('close', code => (code === 0 || code === 1 ? resolve(stdout) : reject(new Error(stdout))))
      })
  )
  const report = JSON.parse(await readFile(join(runnerTemp, 'docker-size-check', 'default.json'), 'utf8'))
  const image = report.images[0]
  if (!image?.head || !image?.base) throw new Error(`The check measured no calculator: ${result}`)
  const paths = /^paths \S+: .* in ([\d.]+) s$/m.exec(result)
  return { ms, pathsMs: paths ? Number(paths[1]) * 1000 : 0, delta: image.delta, rows: image.paths?.paths?.length ?? 0 }
}

async function floor(repo) {
  const head = join(await tempDir('head'), 'w')
  const base = join(await tempDir('base'), 'w')
  await git(repo, ['worktree', 'add', '--detach', '--quiet', head, 'feature'])
  await git(repo, ['worktree', 'add', '--detach', '--quiet', base, 'main'])
  await run('sync', [])
  return (
    await timed(async () => {
      for (const [side, folder] of [
        ['head', head],
        ['base', base]
      ]) {
        const tag = `docker-size-check-bench:calculator-${token}-${side}-${madeTags.length}`
        madeTags.push(tag)
        const context = join(folder, 'calculator')
        await run('docker', [...BUILD_ARGS, '--file', join(context, 'Dockerfile'), '--tag', tag, context], {
          maxBuffer: 64 << 20
        })
      }
    })
  ).ms
}

async function removeMadeImages() {
  if (madeTags.length) await run('docker', ['image', 'rm', '--force', ...madeTags.splice(0)]).catch(() => undefined)
}

async function main() {
  makeFreshBundle()
  const docker = (await run('docker', ['version', '--format', '{{.Server.Version}}'])).stdout.trim()
  const storage = (await run('docker', ['info', '--format', '{{.Driver}}'])).stdout.trim()
  if (CACHE === 'warm') {
    // The toolchain layer in the cache, as the warm runs expect it (untimed).
    console.error('calculator: warming the cache (apt-get install golang-go) …')
    await floor(await fixture(`warm-${token}`))
    await removeMadeImages()
  }
  const trials = []
  for (let i = 0; i < TRIALS; i++) {
    console.error(`calculator: trial ${i + 1}/${TRIALS} …`)
    const repos = {
      withPaths: await fixture(`paths-${token}-${i}`),
      without: await fixture(`nopaths-${token}-${i}`),
      floor: await fixture(`floor-${token}-${i}`)
    }
    await run('sync', [])
    // Taking turns at going first, as npm run bench does.
    const order = i % 2 === 0 ? ['withPaths', 'without', 'floor'] : ['floor', 'without', 'withPaths']
    const trial = {}
    for (const name of order) {
      trial[name] =
        name === 'floor'
          ? await floor(repos.floor)
          : await check(repos[name], name === 'without' ? { explain: 'instructions' } : {})
    }
    trials.push(trial)
    await removeMadeImages()
  }
  const withPaths = median(trials.map(t => t.withPaths.ms))
  const without = median(trials.map(t => t.without.ms))
  const floorMs = median(trials.map(t => t.floor))
  const pathsMs = median(trials.map(t => t.withPaths.pathsMs))
  const rows = [
    ['the single-stage PR (+840 MB): the check, with the path breakdown', `${seconds(withPaths)} s`, ''],
    ['  of which the breakdown (its own log line)', `${seconds(pathsMs)} s`, ''],
    ['  the check without it (explain: instructions)', `${seconds(without)} s`, ''],
    ['  floor: docker build head + base by hand', `${seconds(floorMs)} s`, ''],
    ['  with the breakdown / floor', `${(withPaths / floorMs).toFixed(2)}x`, ''],
    ['  without the breakdown / floor', `${(without / floorMs).toFixed(2)}x`, '']
  ]
  const width = Math.max(...rows.map(row => row[0].length))
  console.log(
    `\n${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Docker ${docker} (${storage}), Node ${process.version}; ` +
      `examples/calculator, the toolchain ${CACHE === 'warm' ? 'from the layer cache' : 'installed by every build'}; medians of ${TRIALS} trials\n`
  )
  for (const [what, value, note] of rows) console.log(`${what.padEnd(width)}  ${value.padStart(9)}  ${note}`.trimEnd())
  console.log(
    `\n${JSON.stringify({
      calculator: {
        cache: CACHE,
        trials: TRIALS,
        withPathsMs: Math.round(withPaths),
        pathsMs: Math.round(pathsMs),
        withoutPathsMs: Math.round(without),
        floorMs: Math.round(floorMs),
        withPathsOverFloor: Number((withPaths / floorMs).toFixed(3)),
        withoutPathsOverFloor: Number((without / floorMs).toFixed(3)),
        delta: trials[0].withPaths.delta
      }
    })}`
  )
}

try {
  await main()
} finally {
  await removeMadeImages()
  await Promise.all(tempDirs.map(dir => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })))
}
