// npm run bench:records (also the last part of npm run bench): what baseline records save.
//
// A repository of 20 images on busybox:local; a PR changes the RUN of one of them, so its
// head and base share no layer but the FROM (the case records are for: a base build that
// costs as much as the head's). In one run, side by side, medians of BENCH_TRIALS (3):
//   - the check with a record: `mode: record` ran on main first (untimed), then the PR check
//     (the bundled action, src/ in .tmp/bundle, as the runner starts it) takes the base from the record;
//   - the check without one (`baseline: build`), in a fixture of its own;
//   - the floor: `docker build` of that image's head and base by hand.
// Every fixture has its own salt in every Dockerfile, so no timed build finds its layers in
// the cache (the record run built main's layers, which the PR's head does not use).
// Then the store with 1,000 records: what a PR run pays to read it (fetch + index + one
// record) and a record run to write one more (fetch, commit, push), over a local bare origin.
import { execFile, execFileSync } from 'node:child_process'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { makeFreshBundle } from './fresh-bundle.mjs'
import { actionEnvironment } from './bench-action.mjs'
import { GIT_ENV, git } from './bench-git.mjs'

const run = promisify(execFile)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const IMAGES = 20
const TOUCHED = 'svc-07'
const RUN_MB = Number(process.env.BENCH_RECORDS_RUN_MB ?? 100)
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3)
const RECORDS = 1000
const token = randomBytes(3).toString('hex')
const tempDirs = []
const madeTags = []
// The records' key pair, as docs/trust-model.md has a maintainer make it: the record runs sign
// with the private half, the public half is committed on main, and PR runs check with it.
const KEYS = generateKeyPairSync('ed25519')
const PRIVATE_PEM = KEYS.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const PUBLIC_PEM = KEYS.publicKey.export({ type: 'spki', format: 'pem' }).toString()
const recordInputs = { mode: 'record', 'records-key': PRIVATE_PEM }

const seconds = ms => (ms / 1000).toFixed(2)
const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
async function timed(work) {
  const started = performance.now()
  await work()
  return performance.now() - started
}
async function tempDir(prefix) {
  const dir = await mkdtemp(join(tmpdir(), `dsc-bench-records-${prefix}-`))
  tempDirs.push(dir)
  return dir
}

/** main: 20 services; feature: one service's RUN writes one byte more (no layer shared but the FROM). */
async function fixture(salt) {
  const repo = await tempDir('repo')
  await git(repo, ['init', '--quiet', '-b', 'main'])
  const dockerfile = (name, bytes) =>
    `FROM busybox:local\nRUN echo ${salt}-${name} > /salt && head -c ${bytes} /dev/urandom > /data.bin\n`
  for (let i = 1; i <= IMAGES; i++) {
    const name = `svc-${String(i).padStart(2, '0')}`
    await mkdir(join(repo, name), { recursive: true })
    await writeFile(join(repo, name, 'Dockerfile'), dockerfile(name, RUN_MB * 1_000_000))
  }
  await mkdir(join(repo, '.github'), { recursive: true })
  await writeFile(join(repo, '.github', 'docker-size-check-records.pub'), PUBLIC_PEM)
  await git(repo, ['add', '--all'])
  await git(repo, ['commit', '--quiet', '-m', 'twenty services'])
  await git(repo, ['checkout', '--quiet', '-b', 'feature'])
  await writeFile(join(repo, TOUCHED, 'Dockerfile'), dockerfile(TOUCHED, RUN_MB * 1_000_000 + 1))
  await git(repo, ['commit', '--quiet', '-am', 'one service writes a byte more'])
  const bare = await tempDir('origin')
  await git(bare, ['clone', '--quiet', '--bare', repo, '.'])
  return { repo, bare }
}

/** A clone of the origin at `branch`, with `origin` set, as a workspace. */
async function workspaceOf(bare, branch) {
  const dir = await tempDir('workspace')
  await git(dir, ['clone', '--quiet', '--branch', branch, bare, '.'])
  return dir
}

/** The bundled action, as the runner starts it. */
async function action(workspace, inputs, extraEnv = {}) {
  const runnerTemp = await tempDir('runner')
  const env = await actionEnvironment({
    workspace,
    runnerTemp,
    event: { ref: 'refs/heads/main', repository: { default_branch: 'main' } },
    inputs,
    env: extraEnv
  })
  const { stdout } = await run(process.execPath, [join(makeFreshBundle({ log: () => {} }), 'index.js')], {
    cwd: workspace,
    env,
    maxBuffer: 64 << 20
  })
  return stdout
}

async function dockerBuild(folder, side) {
  const tag = `docker-size-check-bench:${token}-${side}-${madeTags.length}`
  madeTags.push(tag)
  const args = ['buildx', 'build', '--load', '--progress=plain', '--provenance=false']
  await run('docker', [...args, '--file', join(folder, TOUCHED, 'Dockerfile'), '--tag', tag, join(folder, TOUCHED)])
}

async function trial(index) {
  // With a record: record main (untimed), then the PR's check.
  const recorded = await fixture(`rec-${token}-${index}`)
  await action(await workspaceOf(recorded.bare, 'main'), recordInputs, { GITHUB_REF: 'refs/heads/main' })
  const prWithRecord = await workspaceOf(recorded.bare, 'feature')
  // The same without the path breakdown, in a fixture of its own: the first check's head
  // build would otherwise come from the cache.
  const recordedNoPaths = await fixture(`rec-nopaths-${token}-${index}`)
  await action(await workspaceOf(recordedNoPaths.bare, 'main'), recordInputs, { GITHUB_REF: 'refs/heads/main' })
  const prWithRecordNoPaths = await workspaceOf(recordedNoPaths.bare, 'feature')
  // Without: the same PR in a fixture of its own.
  const plain = await fixture(`plain-${token}-${index}`)
  const prWithout = await workspaceOf(plain.bare, 'feature')
  // The floor: head and base of the touched image by hand.
  const floorFixture = await fixture(`floor-${token}-${index}`)
  const floorHead = await workspaceOf(floorFixture.bare, 'feature')
  const floorBase = await workspaceOf(floorFixture.bare, 'main')
  await run('sync', [])
  let log = ''
  const withRecord = await timed(async () => {
    log = await action(prWithRecord, { 'base-ref': 'main' })
  })
  if (!/base from the record of/.test(log) || /Build base:/.test(log))
    throw new Error(`The record was not used:\n${log}`)
  // Without the path breakdown, which reads the head's unshared layers from docker save.
  const withRecordNoPaths = await timed(() =>
    action(prWithRecordNoPaths, { 'base-ref': 'main', explain: 'instructions' })
  )
  const withoutRecord = await timed(() => action(prWithout, { 'base-ref': 'main', baseline: 'build' }))
  const floor = await timed(async () => {
    await dockerBuild(floorHead, 'head')
    await dockerBuild(floorBase, 'base')
  })
  await removeMadeImages()
  return { withRecord, withRecordNoPaths, withoutRecord, floor }
}

async function removeMadeImages() {
  if (madeTags.length) await run('docker', ['image', 'rm', '--force', ...madeTags.splice(0)]).catch(() => undefined)
}

/** An origin whose store already holds RECORDS records, made with git plumbing (untimed). */
async function storeWithRecords(signer, RECORD_SCHEMA) {
  const repo = await tempDir('store')
  await git(repo, ['init', '--quiet', '-b', 'main'])
  await git(repo, ['commit', '--quiet', '--allow-empty', '-m', 'root'])
  const bare = await tempDir('store-origin')
  await git(bare, ['clone', '--quiet', '--bare', repo, '.'])
  const image = i => ({
    key: `services/svc-${i % 20}/Dockerfile`,
    dockerfile: `services/svc-${i % 20}/Dockerfile`,
    context: `services/svc-${i % 20}`,
    fingerprint: {
      source: 'a'.repeat(64),
      build: 'b'.repeat(64),
      platform: 'linux/amd64',
      from: { 'debian:bookworm': `sha256:${'c'.repeat(64)}` },
      secrets: {},
      measure: 'inspect/graphdriver'
    },
    measurement: {
      size: 100_000_000 + i,
      id: `sha256:${'d'.repeat(64)}`,
      layers: 12,
      sizeSource: 'inspect',
      instructions: Array.from({ length: 20 }, (_, line) => ({
        keyword: 'RUN',
        args: `step ${line}`,
        line: line + 1,
        endLine: line + 1,
        size: 1000 * line
      }))
    }
  })
  // The worst case for the paths: each record built its image again, so none shares its
  // layers' file (400 entries, as many as a record keeps of an image).
  const layersOf = i => ({
    layers: [
      {
        diffId: `sha256:${i.toString(16).padStart(64, '0')}`,
        blob: `blobs/sha256/${i.toString(16).padStart(64, '0')}`,
        source: {
          line: 3,
          instruction: 'RUN apt-get update && apt-get install -y --no-install-recommends build-essential'
        },
        summary: {
          files: Array.from({ length: 300 }, (_, n) => [
            `/usr/lib/x86_64-linux-gnu/package-${n}/lib${n}.so.${i}`,
            10_000 + n
          ]),
          folders: Array.from({ length: 100 }, (_, n) => [`/usr/share/doc/package-${n}`, 2_000 + n + i])
        }
      }
    ]
  })
  const commits = Array.from({ length: RECORDS }, (_, i) => i.toString(16).padStart(40, '0'))
  const lines = []
  const entries = []
  for (const [i, commit] of commits.entries()) {
    const recordedAt = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
    const paths = await git(repo, ['hash-object', '-w', '--stdin'], `${JSON.stringify(layersOf(i), null, 1)}\n`)
    lines.push(`100644 ${paths}\tpaths/${paths}.json`)
    const record = { schema: RECORD_SCHEMA, commit, recordedAt, images: [{ ...image(i), paths: { blob: paths } }] }
    const text = `${JSON.stringify(record, null, 1)}\n`
    const blob = await git(repo, ['hash-object', '-w', '--stdin'], text)
    lines.push(`100644 ${blob}\trecords/${commit}.json`)
    const signature = await git(repo, ['hash-object', '-w', '--stdin'], signer.sign(`records/${commit}.json`, text))
    lines.push(`100644 ${signature}\trecords/${commit}.json.sig`)
    const sizes = { [record.images[0].key]: record.images[0].measurement.size }
    entries.unshift({ commit, recordedAt, sizes, paths: [paths] })
  }
  const indexText = `${JSON.stringify({ schema: 'docker-size-check/records-index@1', records: entries }, null, 1)}\n`
  const indexBlob = await git(repo, ['hash-object', '-w', '--stdin'], indexText)
  const indexSignature = await git(repo, ['hash-object', '-w', '--stdin'], signer.sign('index.json', indexText))
  const indexFile = join(await tempDir('index'), 'index')
  const env = { ...GIT_ENV, GIT_INDEX_FILE: indexFile }
  await new Promise((resolve, reject) => {
    const child = execFile('git', ['update-index', '--add', '--index-info'], { cwd: repo, env }, error =>
      error ? reject(error) : resolve()
    )
    child.stdin.end(
      `${[...lines, `100644 ${indexBlob}\tindex.json`, `100644 ${indexSignature}\tindex.json.sig`].join('\n')}\n`
    )
  })
  const tree = (await promisify(execFile)('git', ['write-tree'], { cwd: repo, env })).stdout.trim()
  const commit = await git(repo, ['commit-tree', tree, '-m', 'records'])
  await git(repo, ['push', '--quiet', bare, `${commit}:refs/docker-size-check/records`])
  return { bare, commits }
}

async function storeCosts() {
  // The module under test, compiled as the action bundles it.
  const out = await tempDir('store-module')
  execFileSync('npx', ['ncc', 'build', 'src/records/store.ts', '-o', out, '--quiet'], { cwd: root })
  const { RecordStore, RecordsSigner, RecordsVerifier } = await import(pathToFileURL(join(out, 'index.js')).href)
  const signer = RecordsSigner.fromPem(PRIVATE_PEM)
  const verifier = RecordsVerifier.fromPem(PUBLIC_PEM, 'the bench key')
  // The module logs each git command line as the action's debug output: not part of the figures.
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk, ...rest) => (String(chunk).startsWith('::debug::') ? true : write(chunk, ...rest))
  const { bare, commits } = await storeWithRecords(signer, 'docker-size-check/record@1')
  const reads = []
  const writes = []
  for (let i = 0; i < 5; i++) {
    const clone = await tempDir('reader')
    // Over file://, as over the network: the clone holds the branch's objects only, and the
    // timed fetch transfers the records (a plain path would hard-link every object).
    await git(clone, ['clone', '--quiet', pathToFileURL(bare).href, '.'])
    const store = new RecordStore(clone, 'refs/docker-size-check/records', verifier)
    reads.push(
      await timed(async () => {
        await store.fetch('origin')
        await store.readIndex()
        const read = await store.readRecord(commits[RECORDS - 1 - i])
        await store.readPaths(read.images[0].paths.blob)
      })
    )
    const record = JSON.parse(JSON.stringify(await store.readRecord(commits[RECORDS - 1])))
    record.commit = `f${String(i).padStart(39, '0')}`
    record.recordedAt = new Date(Date.UTC(2027, 0, 1) + i * 60_000).toISOString()
    writes.push(await timed(() => store.write('origin', record, signer)))
  }
  return { readMs: median(reads), writeMs: median(writes) }
}

async function main() {
  const docker = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim()
  const storage = execFileSync('docker', ['info', '--format', '{{.Driver}}'], { encoding: 'utf8' }).trim()
  const trials = []
  for (let i = 0; i < TRIALS; i++) {
    console.error(`records: trial ${i + 1}/${TRIALS} …`)
    trials.push(await trial(i))
  }
  console.error(`the store with ${RECORDS} records …`)
  const store = await storeCosts()
  const withRecord = median(trials.map(t => t.withRecord))
  const withRecordNoPaths = median(trials.map(t => t.withRecordNoPaths))
  const withoutRecord = median(trials.map(t => t.withoutRecord))
  const floor = median(trials.map(t => t.floor))
  const rows = [
    ['PR touching 1 of 20 images (a RUN of ' + RUN_MB + ' MB): check with a record', `${seconds(withRecord)} s`, ''],
    ['  the same, without the path breakdown (explain: instructions)', `${seconds(withRecordNoPaths)} s`, ''],
    ['  the same check without a record (baseline: build)', `${seconds(withoutRecord)} s`, ''],
    ['  floor: docker build head + base by hand', `${seconds(floor)} s`, ''],
    ['  with a record / floor', `${(withRecord / floor).toFixed(2)}x`, 'target ≤ 0.60x'],
    ['  with a record, without paths / floor', `${(withRecordNoPaths / floor).toFixed(2)}x`, ''],
    ['  without / floor', `${(withoutRecord / floor).toFixed(2)}x`, ''],
    [
      `store of ${RECORDS} records: a PR run reads it (fetch, index, one record and its paths)`,
      `${store.readMs.toFixed(0)} ms`,
      'median of 5'
    ],
    [`  a record run writes one more (fetch, commit, push)`, `${store.writeMs.toFixed(0)} ms`, '']
  ]
  const width = Math.max(...rows.map(row => row[0].length))
  console.log(
    `\n${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Docker ${docker} (${storage}), Node ${process.version}; medians of ${TRIALS} trials\n`
  )
  for (const [what, value, note] of rows) console.log(`${what.padEnd(width)}  ${value.padStart(9)}  ${note}`.trimEnd())
  console.log(
    `\n${JSON.stringify({
      records: {
        withRecordMs: Math.round(withRecord),
        withRecordNoPathsMs: Math.round(withRecordNoPaths),
        withoutRecordMs: Math.round(withoutRecord),
        floorMs: Math.round(floor),
        ratio: Number((withRecord / floor).toFixed(3)),
        target: withRecord / floor <= 0.6
      },
      store: { records: RECORDS, readMs: Math.round(store.readMs), writeMs: Math.round(store.writeMs) }
    })}`
  )
}

try {
  await main()
} finally {
  await removeMadeImages()
  await Promise.all(tempDirs.map(dir => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })))
}
