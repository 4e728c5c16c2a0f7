// The bundle the end-to-end tests, the demo and the benchmark run: src/ built with ncc exactly
// as `npm run bundle` builds dist/ (the action in index.js, the command in cli/index.js), but
// into .tmp/bundle, so that they run what you edited, not the dist/ last committed, and leave
// the committed dist/ alone (`npm run check-dist` still compares that one with src/).
//
// jest runs it as the integration project's globalSetup; scripts/demo.mjs and bench.mjs call
// makeFreshBundle(); `node scripts/fresh-bundle.mjs` runs it by hand. A build takes about 15 s on two cores, so it is skipped when the
// sources it is made from (src/, the lock file, tsconfig.json, package.json) hash to what
// the last build recorded.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
export const FRESH_BUNDLE = join(root, '.tmp', 'bundle')
const STAMP = '.source-hash'

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? filesUnder(path) : [path]
  })
}

/** One hash of every input of the bundle: a change to any of them makes a new build. */
export function sourceHash() {
  const hash = createHash('sha256')
  const inputs = [
    ...filesUnder(join(root, 'src')),
    ...['package.json', 'package-lock.json', 'tsconfig.json'].map(f => join(root, f))
  ]
  for (const path of inputs.sort()) {
    if (!existsSync(path) || !statSync(path).isFile()) continue
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0')
  }
  return hash.digest('hex')
}

function ncc(entry, out) {
  const bin = join(root, 'node_modules', '.bin', 'ncc')
  const result = spawnSync(bin, ['build', entry, '-o', out, '--license', 'licenses.txt'], {
    cwd: root,
    encoding: 'utf8'
  })
  if (result.error) throw result.error
  if (result.status !== 0)
    throw new Error(`ncc build ${entry} failed (exit ${result.status}):\n${result.stderr}${result.stdout}`)
}

/** Makes .tmp/bundle from src/ unless it is current; returns its folder. */
export function makeFreshBundle({ log = message => process.stderr.write(`${message}\n`) } = {}) {
  const hash = sourceHash()
  const stamp = join(FRESH_BUNDLE, STAMP)
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return FRESH_BUNDLE
  const started = Date.now()
  // Built beside, then moved in place: a build that fails leaves no half bundle to run.
  const building = `${FRESH_BUNDLE}-${process.pid}`
  rmSync(building, { recursive: true, force: true })
  try {
    ncc('src/index.ts', building)
    ncc('src/cli/index.ts', join(building, 'cli'))
    writeFileSync(join(building, STAMP), hash)
    rmSync(FRESH_BUNDLE, { recursive: true, force: true })
    renameSync(building, FRESH_BUNDLE)
  } finally {
    rmSync(building, { recursive: true, force: true })
  }
  log(
    `[fresh-bundle] src/ bundled into ${relative(root, FRESH_BUNDLE)} in ${((Date.now() - started) / 1000).toFixed(1)} s`
  )
  return FRESH_BUNDLE
}

// jest's globalSetup.
export default async function globalSetup() {
  // A run against another bundle (DSC_TEST_BUNDLE, see __tests__/support/action-runner.ts)
  // needs none of src/.
  if (process.env.DSC_TEST_BUNDLE) {
    if (!existsSync(join(process.env.DSC_TEST_BUNDLE, 'index.js')))
      throw new Error(`DSC_TEST_BUNDLE=${process.env.DSC_TEST_BUNDLE} holds no index.js: bundle it first`)
    return
  }
  makeFreshBundle()
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) makeFreshBundle()
