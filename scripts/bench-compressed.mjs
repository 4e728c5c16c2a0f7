// What compressed-size: true costs, before and after, in one run: the time to stream
// `docker save` and measure the pull size, beside the time `docker save` alone takes, on a
// 2 MB image (busybox:local), a 200 MB one (debian:bookworm) and the calculator built in
// one stage (about 840 MB), on every engine named in DSC_ENGINE_HOSTS (scripts/engines.sh
// writes it to /run/dsc-engines/env), or on DOCKER_HOST's.
//   before  the layers gzip-compressed one after the other at zlib's level 6 (the code of
//           commit e7e354a, compiled from git); on the containerd store the blobs were
//           passed through as they came
//   after   overlay2: the gzip estimate in blocks side by side on every core (level 4);
//           containerd store: the stored blobs' sizes, read in the same pass that sums
//           the layers' files for the compared figure
// Prints seconds and MB/s; asserts nothing.
//
//   npm run bench:compressed
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = mkdtempSync(join(tmpdir(), 'dsc-bench-compressed-'))
const BEFORE = 'e7e354a'

// The modules under test, compiled as the action bundles them.
function compile(source, name) {
  execFileSync('npx', ['ncc', 'build', source, '-o', join(out, name), '--quiet'], { cwd: root })
  return import(pathToFileURL(join(out, name, 'index.js')).href)
}
mkdirSync(join(root, '.tmp'), { recursive: true })
const beforeSource = join(root, '.tmp', 'compressed-before.ts')
writeFileSync(beforeSource, execFileSync('git', ['show', `${BEFORE}:src/measure/compressed.ts`], { cwd: root }))
const before = await compile(beforeSource, 'before')
const after = await compile('src/measure/compressed.ts', 'after')
const saved = await compile('src/measure/unpacked.ts', 'unpacked')
rmSync(beforeSource)

function engines() {
  let text = process.env.DSC_ENGINE_HOSTS
  if (!text && existsSync('/run/dsc-engines/env')) {
    text = /DSC_ENGINE_HOSTS='([^']*)'/.exec(readFileSync('/run/dsc-engines/env', 'utf8'))?.[1]
  }
  if (!text) return [['default', process.env.DOCKER_HOST ?? '']]
  return text.split(/\s+/).map(pair => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])
}

const mb = bytes => (bytes / 1e6).toFixed(1)

async function timed(work) {
  const started = process.hrtime.bigint()
  const result = await work()
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
}

async function drain(stream) {
  let bytes = 0
  for await (const chunk of stream) bytes += chunk.length
  return bytes
}

console.log(`node ${process.version}, ${availableParallelism()} cores\n`)
console.log('| Engine | Image | Size | docker save alone | Before | After | Pull size before | after |')
console.log('| :-- | :-- | --: | --: | --: | --: | --: | --: |')
for (const [name, host] of engines()) {
  const env = { ...process.env, ...(host ? { DOCKER_HOST: host } : {}) }
  const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8', env }).trim()
  const save = (tag, consume) => {
    const child = spawn('docker', ['image', 'save', tag], { stdio: ['ignore', 'pipe', 'inherit'], env })
    const closed = new Promise((resolve, reject) =>
      child.on('close', code => (code === 0 ? resolve() : reject(new Error(`docker image save ${tag} exited ${code}`))))
    )
    return Promise.all([consume(child.stdout), closed]).then(([result]) => result)
  }
  const containerd = docker('info', '-f', '{{range .DriverStatus}}{{index . 1}} {{end}}').includes(
    'io.containerd.snapshotter.v1'
  )
  const calculator = `docker-size-check-bench:calculator-${randomBytes(3).toString('hex')}`
  try {
    execFileSync('docker', ['build', '-q', '-f', 'Dockerfile.single', '-t', calculator, '.'], {
      cwd: join(root, 'examples', 'calculator'),
      stdio: ['ignore', 'ignore', 'inherit'],
      env
    })
    const engine = `${name} (Docker ${docker('version', '-f', '{{.Server.Version}}')})`
    for (const tag of ['busybox:local', 'debian:bookworm', calculator]) {
      const plain = await timed(() => save(tag, drain))
      const old = await timed(() => save(tag, before.measureCompressed))
      const now = containerd
        ? await timed(async () => {
            const image = await save(tag, saved.measureSavedImage)
            return { bytes: image.storedBytes, size: image.fileBytes }
          })
        : await timed(() => save(tag, after.measureCompressed))
      const size = now.result.size ?? Number(docker('image', 'inspect', '-f', '{{.Size}}', tag))
      const label = tag === calculator ? 'calculator (single stage)' : tag
      console.log(
        `| ${engine} | ${label} | ${mb(size)} MB | ${plain.seconds.toFixed(2)} s | ` +
          `${old.seconds.toFixed(2)} s | ${now.seconds.toFixed(2)} s | ${mb(old.result.bytes)} MB | ${mb(now.result.bytes)} MB |`
      )
    }
  } finally {
    execFileSync('docker', ['image', 'rm', '--force', calculator], { stdio: 'ignore', env })
  }
}
rmSync(out, { recursive: true, force: true })
