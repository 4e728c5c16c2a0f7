// `npm run demo` on an engine that answers but cannot run a build's RUN step (its network
// bridge deleted) or whose containers cannot reach Debian's mirror. A `docker` first on PATH
// passes every command to the real one but fails the builds as such an engine does; the rest
// (docker info, the images scripts/docker-engine.sh looks for) is the real engine's.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROJECT_ROOT } from '../support/action-runner.js'
import { cleanupTempDirs, makeTempDir } from '../support/repo.js'

let realDocker = ''

beforeAll(() => {
  // A missing engine fails here, loudly.
  execFileSync('docker', ['info'], { stdio: 'pipe' })
  realDocker = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim()
})

afterAll(async () => {
  await cleanupTempDirs()
})

const BRIDGE_GONE =
  'ERROR: failed to solve: process "/bin/sh -c true" did not complete successfully: ' +
  'failed to create endpoint on network bridge: could not find bridge docker0: route ip+net: no such network interface'
const MIRROR_UNREACHABLE = [
  '#9 [build 2/6] RUN apt-get update && apt-get install -y --no-install-recommends golang-go',
  '#9 0.512 Err:1 bookworm InRelease',
  '#9 0.512   Temporary failure resolving the mirror',
  '#9 1.020 E: Unable to locate package golang-go',
  '#9 ERROR: process "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends golang-go" did not complete successfully: exit code: 100',
  'ERROR: failed to solve: process "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends golang-go" did not complete successfully: exit code: 100'
].join('\n')

/** A folder with a `docker` that fails builds (those naming $FAKE_MATCH, or every one) with `output`. */
async function fakeDocker(output: string): Promise<string> {
  const dir = await makeTempDir('wtreadable-fake-docker-')
  writeFileSync(join(dir, 'build-output.txt'), `${output}\n`)
  const script = `#!/bin/sh
# Fails a build (docker build, docker buildx build) as a broken engine does; passes the rest on.
case "$1" in build) is_build=1 ;; buildx) [ "$2" = build ] && is_build=1 ;; esac
if [ -n "$is_build" ] && { [ -z "$FAKE_MATCH" ] || printf '%s\\n' "$@" | grep -q "$FAKE_MATCH"; }; then
  cat "${join(dir, 'build-output.txt')}" >&2
  exit 1
fi
exec "${realDocker}" "$@"
`
  writeFileSync(join(dir, 'docker'), script)
  chmodSync(join(dir, 'docker'), 0o755)
  return dir
}

function demo(fakeDir: string, match = '') {
  return spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'demo.mjs')], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${fakeDir}:${process.env.PATH ?? ''}`, FAKE_MATCH: match },
    timeout: 300_000
  })
}

describe('the demo on a broken engine', () => {
  it('says once that the engine cannot run a RUN step, what Docker said and what the demo needs, and exits 1', async () => {
    const result = demo(await fakeDocker(BRIDGE_GONE))
    const output = `${result.stdout}\n${result.stderr}`
    expect(result.status).toBe(1)
    expect(output.match(/cannot run a RUN step/g)).toHaveLength(1)
    expect(output.match(/could not find bridge docker0/g)).toHaveLength(1)
    expect(output).toContain("must reach Debian's package mirror")
    expect(output).not.toContain('measured')
    expect(output).not.toContain('=== A branch')
  }, 300_000)

  it("says once why when the calculator's build cannot reach the mirror, and stops", async () => {
    const result = demo(await fakeDocker(MIRROR_UNREACHABLE), 'calculator')
    const output = `${result.stdout}\n${result.stderr}`
    expect(result.status).toBe(1)
    expect(output).toContain("demo: the calculator's build failed: The head build failed:")
    expect(output).toContain("must reach Debian's package mirror")
    expect(output).not.toContain('measured null')
    expect(output).not.toContain('A branch that adds it back')
  }, 300_000)
})
