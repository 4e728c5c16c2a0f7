// What compressed-size: true costs: the time to stream `docker save` through the tar
// reader and gzip every layer, beside the time `docker save` alone takes, on a 2 MB image
// (busybox:local), a 200 MB one (debian:bookworm) and the calculator built in one stage
// (about 840 MB). Prints seconds and MB/s; asserts nothing.
//
//   npm run bench:compressed
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const out = mkdtempSync(join(tmpdir(), 'dsc-bench-compressed-'))

// The module under test, compiled as the action bundles it.
execFileSync('npx', ['ncc', 'build', 'src/measure/compressed.ts', '-o', out, '--quiet'], { cwd: root })
const { measureCompressed } = await import(pathToFileURL(join(out, 'index.js')).href)

const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8' }).trim()
const calculator = `docker-size-check-bench:calculator-${randomBytes(3).toString('hex')}`

function save(tag, consume) {
  const child = spawn('docker', ['image', 'save', tag], { stdio: ['ignore', 'pipe', 'inherit'] })
  const closed = new Promise((resolve, reject) =>
    child.on('close', code => (code === 0 ? resolve() : reject(new Error(`docker image save ${tag} exited ${code}`))))
  )
  return Promise.all([consume(child.stdout), closed]).then(([result]) => result)
}

async function drain(stream) {
  let bytes = 0
  for await (const chunk of stream) bytes += chunk.length
  return bytes
}

async function timed(work) {
  const started = process.hrtime.bigint()
  const result = await work()
  return { result, seconds: Number(process.hrtime.bigint() - started) / 1e9 }
}

const mb = bytes => (bytes / 1e6).toFixed(1)

try {
  process.stdout.write('Building the calculator in one stage (examples/calculator/Dockerfile.single)… ')
  execFileSync('docker', ['build', '-q', '-f', 'Dockerfile.single', '-t', calculator, '.'], {
    cwd: join(root, 'examples', 'calculator'),
    stdio: ['ignore', 'ignore', 'inherit']
  })
  console.log('done')
  console.log(`node ${process.version}, Docker ${docker('version', '-f', '{{.Server.Version}}')}\n`)
  console.log('| Image | Size | docker save alone | compressed-size | Compressed | Ratio |')
  console.log('| :-- | --: | --: | --: | --: | --: |')
  for (const tag of ['busybox:local', 'debian:bookworm', calculator]) {
    const size = Number(docker('image', 'inspect', '-f', '{{.Size}}', tag))
    const plain = await timed(() => save(tag, drain))
    const measured = await timed(() => save(tag, measureCompressed))
    const { bytes, bytesRead } = measured.result
    console.log(
      `| ${tag.startsWith('docker-size-check-bench') ? 'calculator (single stage)' : tag} | ${mb(size)} MB | ` +
        `${plain.seconds.toFixed(2)} s (${mb(plain.result / plain.seconds)} MB/s) | ` +
        `${measured.seconds.toFixed(2)} s (${mb(bytesRead / measured.seconds)} MB/s) | ${mb(bytes)} MB | ` +
        `${((100 * bytes) / bytesRead).toFixed(1)}% |`
    )
  }
} finally {
  execFileSync('docker', ['image', 'rm', '--force', calculator], { stdio: 'ignore' })
  rmSync(out, { recursive: true, force: true })
}
