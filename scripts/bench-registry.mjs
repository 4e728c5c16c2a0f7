// What comparing two registry images by reference costs, beside building them, in one run:
// a 2 MB and a 2 GB image (random bytes, incompressible), each at two tags that differ by one
// small layer, pushed to Debian's docker-registry on 127.0.0.1. Side by side:
//   build      the bundled command without references, on a git repository whose two
//              commits hold the two Dockerfiles (`--base HEAD~1 --head HEAD`): it builds both
//              sides and measures them, as a check without references does
//   reference  the bundled command with `--image REG/x:head --base-image REG/x:base`: the
//              index, manifests and configs read over HTTP, no layer fetched (median of 5)
// Prints a table and the two ratios the issue sets (2 GB / 2 MB by reference: within 2×;
// build / reference: at least 20×); asserts nothing. Everything it made is removed at the
// end, whatever failed: the images it tagged, its BuildKit cache records (by their marker),
// the registry and its storage, the temp folders.
//
//   npm run bench:registry     (on the overlay2 engine of DSC_ENGINE_HOSTS, else DOCKER_HOST's)
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeFreshBundle } from './fresh-bundle.mjs'

const RUNS = 5
const SIZES = [
  { label: '2 MB', bytes: 2_000_000 },
  { label: '2 GB', bytes: 2_000_000_000 }
]
/** What the head adds on top of the base: one small layer. */
const EXTRA = 10_000
const BASE_IMAGE = 'busybox:local'

function engineEnv() {
  const text = existsSync('/run/dsc-engines/env') ? readFileSync('/run/dsc-engines/env', 'utf8') : ''
  const hosts = process.env.DSC_ENGINE_HOSTS ?? /DSC_ENGINE_HOSTS='([^']*)'/.exec(text)?.[1] ?? ''
  const host = /overlay2=(\S+)/.exec(hosts)?.[1] ?? process.env.DOCKER_HOST
  const config =
    process.env.DOCKER_CONFIG_28 ?? /DOCKER_CONFIG_28='([^']*)'/.exec(text)?.[1] ?? process.env.DOCKER_CONFIG
  return { ...process.env, ...(host ? { DOCKER_HOST: host } : {}), ...(config ? { DOCKER_CONFIG: config } : {}) }
}

const env = engineEnv()
const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8', env, maxBuffer: 64 << 20 }).trim()
const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim()
const seconds = ms => (ms / 1000).toFixed(2)
const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

async function freePort() {
  const server = createServer()
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise(resolve => server.close(resolve))
  return port
}

async function startRegistry(dir) {
  const host = `127.0.0.1:${await freePort()}`
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: error, accesslog: { disabled: false } }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} }, delete: { enabled: true } }`,
      `http: { addr: ${host} }`,
      ''
    ].join('\n')
  )
  let output = ''
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout.on('data', chunk => (output += chunk))
  child.stderr.on('data', chunk => (output += chunk))
  const deadline = Date.now() + 20_000
  while (
    !(await fetch(`http://${host}/v2/`).then(
      response => response.ok,
      () => false
    ))
  ) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`docker-registry did not start: ${output}`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  return {
    host,
    output: () => output,
    stop: () =>
      new Promise(resolve => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', resolve)
        child.kill()
      })
  }
}

/**
 * Runs a program without blocking the event loop, so that the registry's access log keeps
 * being read meanwhile (a full pipe would stall the registry); its output, or an error.
 */
function run(program, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', chunk => (output += chunk))
    child.stderr.on('data', chunk => (output += chunk))
    child.on('error', reject)
    child.on('close', code =>
      code === 0 ? resolve(output) : reject(new Error(`${program} ${args.join(' ')} exited ${code}: ${output}`))
    )
  })
}

/** Runs the bundled command; its duration in ms and its JSON report. */
async function command(cli, args, cwd) {
  const folder = mkdtempSync(join(tmpdir(), 'dsc-bench-registry-json-'))
  const json = join(folder, 'report.json')
  const started = process.hrtime.bigint()
  await run('node', [cli, ...args, '--quiet', '--json', json], cwd)
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const report = JSON.parse(readFileSync(json, 'utf8'))
  rmSync(folder, { recursive: true, force: true })
  return { ms, report }
}

const bundle = makeFreshBundle()
const cli = join(bundle, 'cli', 'index.js')
const work = mkdtempSync(join(tmpdir(), 'dsc-bench-registry-'))
const marker = `dsc-bench-registry-issue-23-${randomBytes(4).toString('hex')}`
const tags = []
let registry = null
const rows = []
try {
  docker('image', 'inspect', '--format', '{{.Id}}', BASE_IMAGE)
  mkdirSync(join(work, 'registry'))
  registry = await startRegistry(join(work, 'registry'))
  const info = docker('version', '--format', '{{.Server.Version}}')
  console.error(`Docker ${info} on ${env.DOCKER_HOST ?? 'the default socket'}; registry ${registry.host}`)
  for (const { label, bytes } of SIZES) {
    // A repository whose two commits are the base's and the head's Dockerfile.
    const repo = join(work, `repo-${bytes}`)
    mkdirSync(repo)
    git(repo, 'init', '--quiet', '-b', 'main')
    const big = `RUN head -c ${bytes} /dev/urandom > /payload.bin && echo ${marker}-${bytes}`
    const small = `RUN head -c ${EXTRA} /dev/urandom > /extra.bin && echo ${marker}-${bytes}-extra`
    for (const [message, lines] of [
      ['base', [`FROM ${BASE_IMAGE}`, big]],
      ['head', [`FROM ${BASE_IMAGE}`, big, small]]
    ]) {
      writeFileSync(join(repo, 'Dockerfile'), `${lines.join('\n')}\n`)
      git(repo, 'add', 'Dockerfile')
      git(repo, '-c', 'user.name=bench', '-c', 'user.email=bench@invalid', 'commit', '--quiet', '-m', message)
    }
    console.error(`${label}: building both sides with the command…`)
    const built = await command(cli, ['--base', 'HEAD~1', '--head', 'HEAD', '--keep-images'], repo)
    const [image] = built.report.images
    const ids = { base: image.base.id, head: image.head.id }
    const repository = `${registry.host}/bench-${bytes}`
    const refs = { base: `${repository}:base`, head: `${repository}:head` }
    for (const side of ['base', 'head']) {
      docker('tag', ids[side], refs[side])
      tags.push(refs[side])
    }
    console.error(`${label}: pushing ${refs.base} and ${refs.head}…`)
    const pushStarted = Date.now()
    for (const side of ['base', 'head']) await run('docker', ['push', '--quiet', refs[side]], work)
    const pushMs = Date.now() - pushStarted
    // The local images and their build cache go now: the disk holds one big image at a time.
    docker('image', 'rm', '--force', refs.base, refs.head, ids.base, ids.head)
    docker('builder', 'prune', '--force', '--filter', `description~=${marker}-${bytes}`)
    tags.splice(0)

    console.error(`${label}: comparing by reference, ${RUNS} runs…`)
    const logFrom = registry.output().length
    const times = []
    let compared = null
    for (let run = 0; run < RUNS; run++) {
      const result = await command(cli, ['--image', refs.head, '--base-image', refs.base], work)
      times.push(result.ms)
      compared = result.report.images[0]
    }
    const blobGets = [
      ...registry
        .output()
        .slice(logFrom)
        .matchAll(/"GET (\/v2\/\S*\/blobs\/\S+)/g)
    ].length
    rows.push({
      label,
      built: { ms: built.ms, base: image.base.size, head: image.head.size },
      pushMs,
      reference: { ms: median(times), min: Math.min(...times), base: compared.base.size, head: compared.head.size },
      // Only the two configs are blobs read: each run reads 2 (the layers never).
      blobGets: blobGets / RUNS
    })
  }
} finally {
  for (const tag of tags) spawnSync('docker', ['image', 'rm', '--force', tag], { env, stdio: 'ignore' })
  spawnSync('docker', ['builder', 'prune', '--force', '--filter', `description~=${marker}`], { env, stdio: 'ignore' })
  await registry?.stop()
  rmSync(work, { recursive: true, force: true })
}

console.log(
  `node ${process.version}, ${availableParallelism()} cores, Docker ${docker('version', '--format', '{{.Server.Version}}')} (overlay2)\n`
)
console.log(
  '| Image | Built and measured (both sides) | By reference (median of 5) | Ratio | Unpacked base → head | Pull size base → head | Blobs read a run | Push (not timed in the ratio) |'
)
console.log('| :-- | --: | --: | --: | --: | --: | --: | --: |')
for (const row of rows) {
  console.log(
    `| ${row.label} | ${seconds(row.built.ms)} s | ${seconds(row.reference.ms)} s | ${(row.built.ms / row.reference.ms).toFixed(0)}× | ` +
      `${row.built.base.toLocaleString('en')} → ${row.built.head.toLocaleString('en')} B | ` +
      `${row.reference.base.toLocaleString('en')} → ${row.reference.head.toLocaleString('en')} B | ${row.blobGets} | ${seconds(row.pushMs)} s |`
  )
}
const [small, large] = rows
if (small && large) {
  const sameCost = large.reference.ms / small.reference.ms
  const faster = large.built.ms / large.reference.ms
  console.log('')
  console.log(`2 GB / 2 MB by reference: ${sameCost.toFixed(2)}× (target: within 2×)`)
  console.log(`2 GB built / 2 GB by reference: ${faster.toFixed(0)}× (target: at least 20×)`)
}
