// `npm run demo`: the local command on the calculator example, in a scratch git repository.
// A branch that drops the Dockerfile's second stage must be blocked (exit 1, about +840 MB);
// a branch that puts it back must pass and show the win (exit 0, about -99.8%). Exits 0 only
// when both outcomes are as expected.
//
// On a fresh Debian machine it first makes a Docker engine ready (scripts/docker-engine.sh,
// the script CI runs); where Docker already answers, that script changes nothing.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeFreshBundle } from './fresh-bundle.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const example = join(root, 'examples', 'calculator')
const started = Date.now()

function say(text) {
  process.stdout.write(`${text}\n`)
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options })
  if (result.error) throw result.error
  return result.status ?? 1
}

function must(command, args, options = {}) {
  const status = run(command, args, options)
  if (status !== 0) {
    say(`demo: \`${command} ${args.join(' ')}\` exited ${status}`)
    process.exit(1)
  }
}

// 1. The engine, and the command. In a checkout with its dependencies, src/ as it is now,
//    bundled into .tmp/bundle (again only when src/ changed), so the demo shows what you
//    edited; in a fresh clone, the committed dist/ (what src/ builds: `npm run check-dist`),
//    which needs no `npm ci`.
must('bash', [join(root, 'scripts', 'docker-engine.sh')])
const bundle = existsSync(join(root, 'node_modules', '.bin', 'ncc')) ? makeFreshBundle() : join(root, 'dist')
const cli = join(bundle, 'cli', 'index.js')

// The engine must run a RUN step, and the calculator's RUN steps fetch Go from Debian's
// package mirror. An engine that answers `docker info` but cannot start a build container
// (its network bridge deleted, say) would otherwise fail every build with the same error.
const NEEDS =
  "The demo builds examples/calculator, whose RUN steps run in containers that must reach Debian's package mirror " +
  '(apt-get install golang-go): it needs an engine that runs containers with a network.'

/** The line of Docker's output that says why, or its last line. */
function dockerSaid(output) {
  const lines = output
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean)
  const reason = [...lines].reverse().find(line => /^(ERROR|error)\b|failed|could not|cannot/i.test(line))
  return (reason ?? lines.at(-1) ?? 'no output').slice(0, 500)
}

function stop(lines) {
  for (const line of lines) say(`demo: ${line}`)
  say(`\nDemo failed (${Math.round((Date.now() - started) / 1000)} s).`)
  process.exit(1)
}

function preflight() {
  const context = mkdtempSync(join(tmpdir(), 'docker-size-check-demo-preflight-'))
  writeFileSync(join(context, 'Dockerfile'), 'FROM debian:bookworm\nRUN true\n')
  const result = spawnSync('docker', ['build', '--no-cache', '--quiet', context], { encoding: 'utf8' })
  rmSync(context, { recursive: true, force: true })
  if (result.status === 0) {
    const id = result.stdout.trim().split('\n').at(-1)
    if (id) spawnSync('docker', ['image', 'rm', '--force', id], { stdio: 'ignore' })
    return
  }
  stop([
    `the Docker engine cannot run a RUN step. Docker said: ${dockerSaid(`${result.stdout ?? ''}\n${result.stderr ?? ''}`)}`,
    NEEDS,
    'Check that `docker run --rm debian:bookworm true` works, then run the demo again.'
  ])
}
preflight()

// 2. A scratch repository: main has the two-stage calculator.
const scratch = mkdtempSync(join(tmpdir(), 'docker-size-check-demo-'))
const repo = join(scratch, 'repo')
mkdirSync(join(repo, 'calculator'), { recursive: true })
// The repository's own identity and no user configuration (hooks, signing) for its commits.
const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: process.platform === 'win32' ? 'NUL' : '/dev/null',
  GIT_AUTHOR_NAME: 'Demo',
  GIT_AUTHOR_EMAIL: 'demo@example.test',
  GIT_COMMITTER_NAME: 'Demo',
  GIT_COMMITTER_EMAIL: 'demo@example.test'
}
const git = (...args) => must('git', ['-C', repo, ...args], { env: gitEnv, stdio: ['ignore', 'ignore', 'inherit'] })
const twoStages = readFileSync(join(example, 'Dockerfile'), 'utf8')
const oneStage = readFileSync(join(example, 'Dockerfile.single'), 'utf8')
const setDockerfile = text => writeFileSync(join(repo, 'calculator', 'Dockerfile'), text)

git('init', '--quiet', '-b', 'main')
for (const name of readdirSync(example)) {
  if (!name.startsWith('Dockerfile')) writeFileSync(join(repo, 'calculator', name), readFileSync(join(example, name)))
}
setDockerfile(twoStages)
git('add', '--all')
git('commit', '--quiet', '-m', 'calculator, built in two stages')

/** Runs the bundled command on the checked-out branch; returns its exit status and JSON report. */
function check(title, args) {
  const reportPath = join(scratch, `report-${Date.now()}.json`)
  say(`\n=== ${title}\n$ docker-size-check ${args.join(' ')}`.trimEnd())
  const status = run(process.execPath, [cli, ...args, '--json', reportPath], { cwd: repo })
  const report = existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, 'utf8')) : null
  return { status, image: report?.images?.[0] ?? null }
}

const problems = []
try {
  // 3. The PR that drops the second stage: the Go toolchain ships in the image.
  git('checkout', '--quiet', '-b', 'drop-stage')
  setDockerfile(oneStage)
  git('commit', '--quiet', '-am', 'build in one stage')
  const regression = check('A branch that drops the second stage (expected: exit 1, about +840 MB)', [])
  if (!regression.image) {
    rmSync(scratch, { recursive: true, force: true })
    stop([`the command exited ${regression.status} before it measured the calculator (its message is above).`, NEEDS])
  }
  if (regression.image.verdict === 'error') {
    // Nothing after this can pass: say why once, not once per check.
    rmSync(scratch, { recursive: true, force: true })
    stop([`the calculator's build failed: ${regression.image.reason}`, NEEDS])
  }
  if (regression.status !== 1) problems.push(`the regression exited ${regression.status}, expected 1`)
  if (!(regression.image?.delta > 500_000_000 && regression.image?.verdict === 'fail')) {
    problems.push(`the regression measured ${JSON.stringify(regression.image?.delta)} B, expected about +840 MB`)
  }

  // 4. The PR that puts it back, compared with the one-stage branch.
  git('checkout', '--quiet', '-b', 'add-stage')
  setDockerfile(twoStages)
  git('commit', '--quiet', '-am', 'build in two stages again')
  const improvement = check('A branch that adds it back (expected: exit 0, about -99.8%)', ['--base', 'drop-stage'])
  if (improvement.status !== 0) problems.push(`the improvement exited ${improvement.status}, expected 0`)
  if (!(improvement.image?.deltaPercent < -99 && improvement.image?.verdict === 'pass')) {
    problems.push(`the improvement measured ${JSON.stringify(improvement.image?.deltaPercent)}%, expected about -99.8%`)
  }
} finally {
  rmSync(scratch, { recursive: true, force: true })
}

const took = `${Math.round((Date.now() - started) / 1000)} s`
if (problems.length) {
  say(`\nDemo failed (${took}): ${problems.join('; ')}.`)
  process.exit(1)
}
say(`\nDemo passed (${took}): the dropped stage was blocked (exit 1), the restored one passed (exit 0).`)
