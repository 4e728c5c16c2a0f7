// npm run bench:paths: what the path breakdown (explain: paths) adds to a run, on the real engine.
//
// Two workloads, each a git repository whose branch changes every image it has:
// - the calculator: examples/calculator, multi-stage on main and single-stage on the
//   branch (the seed case: about 840 MB at the head, sharing no layer with the base);
// - a 20-image PR: 20 images FROM busybox:local whose RUN writes 10 MB on main and 12 MB on
//   the branch (the busybox layer is shared, the RUN's is not).
// Each runs the bundled command (dist/cli/index.js) once to fill the build cache, then
// BENCH_TRIALS times (default 3) with `--explain instructions` and with the default
// (`paths,instructions`) in turn; medians are printed side by side, with the breakdown's own
// time from the JSON report, the bytes it read and passed over, and the command's peak
// memory (from /usr/bin/time where it exists). The calculator's build is also timed without
// the cache once (BENCH_COLD=0 skips it: it downloads Go from Debian's mirror), since that
// is the share that matters: what the breakdown adds to a real build.
import { execFile, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { git } from './bench-git.mjs'

const run = promisify(execFile)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const CLI = join(root, 'dist', 'cli', 'index.js')
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3)
const COLD = process.env.BENCH_COLD !== '0'
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null
const temps = []

const seconds = ms => `${(ms / 1000).toFixed(2)} s`
const megabytes = bytes => `${(bytes / 1e6).toFixed(0)} MB`
const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function writeTree(dir, files) {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), content)
  }
}

/** A repository whose main holds `base` and whose branch `feature` (checked out) holds `head` on top. */
async function repository(name, base, head) {
  const dir = await mkdtemp(join(tmpdir(), `dsc-bench-paths-${name}-`))
  temps.push(dir)
  await git(dir, ['init', '--quiet', '--initial-branch=main'])
  await writeTree(dir, base)
  await git(dir, ['add', '-A'])
  await git(dir, ['commit', '--quiet', '-m', 'base'])
  await git(dir, ['checkout', '--quiet', '-b', 'feature'])
  await writeTree(dir, head)
  await git(dir, ['add', '-A'])
  await git(dir, ['commit', '--quiet', '-m', 'head'])
  return dir
}

async function calculatorRepo() {
  const example = join(root, 'examples', 'calculator')
  const files = {}
  for (const name of await readdir(example)) {
    if (!name.startsWith('Dockerfile')) files[`calculator/${name}`] = await readFile(join(example, name))
  }
  const dockerfile = variant => readFile(join(example, variant), 'utf8')
  return repository(
    'calculator',
    { ...files, 'calculator/Dockerfile': await dockerfile('Dockerfile') },
    { 'calculator/Dockerfile': await dockerfile('Dockerfile.single') }
  )
}

async function twentyImagesRepo() {
  const salt = Math.random().toString(36).slice(2)
  const image = mb =>
    Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [
        `images/img${i}/Dockerfile`,
        `FROM busybox:local\nRUN echo ${salt}-${i} > /salt && head -c ${mb}000000 /dev/urandom > /data.bin\n`
      ])
    )
  return repository('20', image(10), image(12))
}

/** One run of the command; its wall time, peak memory and JSON report. */
async function runCli(repo, explain) {
  const report = join(repo, '..', `${repo.split('/').pop()}-${explain}.json`)
  const args = [CLI, '--base', 'main', '--max-increase=', '--explain', explain, '--json', report, '--quiet']
  const [command, commandArgs] = TIME
    ? [TIME, ['-f', 'peak-rss-kb %M', process.execPath, ...args]]
    : [process.execPath, args]
  const started = performance.now()
  const child = spawn(command, commandArgs, {
    cwd: repo,
    env: { ...process.env, CI: '1' },
    stdio: ['ignore', 'ignore', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', chunk => (stderr += chunk))
  const code = await new Promise(resolve => child.on('close', resolve))
  const wallMs = performance.now() - started
  if (code !== 0) throw new Error(`The command exited ${code} in ${repo}:\n${stderr.slice(-2000)}`)
  const peak = /peak-rss-kb (\d+)/.exec(stderr)
  const json = JSON.parse(await readFile(report, 'utf8'))
  temps.push(report)
  return { wallMs, peakBytes: peak ? Number(peak[1]) * 1024 : null, json }
}

async function workload(name, repo) {
  await runCli(repo, 'paths,instructions') // fills the build cache; not counted
  const without = []
  const withPaths = []
  for (let trial = 0; trial < TRIALS; trial++) {
    without.push(await runCli(repo, 'instructions'))
    withPaths.push(await runCli(repo, 'paths,instructions'))
  }
  const last = withPaths[withPaths.length - 1].json
  const breakdowns = last.images.map(image => image.paths).filter(Boolean)
  if (breakdowns.length !== last.images.length)
    throw new Error(`${name}: ${last.images.length - breakdowns.length} images have no breakdown`)
  const sum = field => breakdowns.reduce((total, paths) => total + paths[field], 0)
  const peak = runs => (runs.every(r => r.peakBytes !== null) ? median(runs.map(r => r.peakBytes)) : null)
  return {
    name,
    images: last.images.length,
    headBytes: last.images.reduce((total, image) => total + (image.head?.size ?? 0), 0),
    withoutMs: median(without.map(r => r.wallMs)),
    withMs: median(withPaths.map(r => r.wallMs)),
    breakdownMs: median(withPaths.map(r => r.json.images.reduce((t, image) => t + (image.paths?.durationMs ?? 0), 0))),
    bytesRead: sum('bytesRead'),
    bytesSkipped: sum('bytesSkipped'),
    peakWithout: peak(without),
    peakWith: peak(withPaths),
    top: breakdowns[0].paths[0]
  }
}

/** The seed's single-stage image built without the cache: what a real build of it costs. */
async function coldBuild() {
  const dir = join(root, 'examples', 'calculator')
  const tag = `docker-size-check-bench:paths-cold-${process.pid}`
  const started = performance.now()
  await run('docker', ['build', '--no-cache', '-q', '-f', join(dir, 'Dockerfile.single'), '-t', tag, dir], {
    maxBuffer: 16 << 20
  })
  const ms = performance.now() - started
  await run('docker', ['image', 'rm', '--force', tag]).catch(() => undefined)
  return ms
}

async function main() {
  if (!existsSync(CLI))
    throw new Error('dist/cli/index.js is missing: run npm run bundle first (npm run bench:paths does).')
  const results = [await workload('calculator (seed, single-stage head)', await calculatorRepo())]
  results.push(await workload('20-image PR (10 MB → 12 MB each)', await twentyImagesRepo()))
  const cold = COLD ? await coldBuild() : null
  const rss = bytes => (bytes === null ? '—' : megabytes(bytes))
  const lines = [
    '| Workload | Head bytes | Run without paths | Run with paths | Paths add | Breakdown itself | Layers read / passed over | Peak memory without / with |',
    '| :-- | --: | --: | --: | --: | --: | --: | --: |',
    ...results.map(
      r =>
        `| ${r.name} | ${megabytes(r.headBytes)} | ${seconds(r.withoutMs)} | ${seconds(r.withMs)} | ` +
        `+${seconds(Math.max(0, r.withMs - r.withoutMs))} | ${seconds(r.breakdownMs)} | ` +
        `${megabytes(r.bytesRead)} / ${megabytes(r.bytesSkipped)} | ${rss(r.peakWithout)} / ${rss(r.peakWith)} |`
    )
  ]
  console.log(lines.join('\n'))
  console.log('')
  console.log(
    `Builds come from the cache in these runs (the first run of each workload filled it), so "Paths add" is the breakdown's whole cost. ` +
      (cold === null
        ? 'The cold build was skipped (BENCH_COLD=0).'
        : `The calculator's single-stage image takes ${seconds(cold)} to build without the cache: the breakdown adds ` +
          `${((100 * (results[0].withMs - results[0].withoutMs)) / cold).toFixed(0)}% to that build.`)
  )
  console.log(
    `Top path of the calculator: ${results[0].top.path} ${megabytes(results[0].top.delta)} (L${results[0].top.source?.line}).`
  )
  console.log(JSON.stringify({ bench: 'paths', trials: TRIALS, coldBuildMs: cold, results }))
}

try {
  await main()
} finally {
  for (const path of temps) await rm(path, { recursive: true, force: true })
}
