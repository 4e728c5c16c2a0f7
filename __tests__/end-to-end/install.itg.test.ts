// The install the README documents, as a user runs it: `npm pack` makes the package's
// tarball, `npm install -g` puts `docker-size-check` on the PATH (here into a prefix of the
// test's own), and the installed command checks a real repository. The package is packed
// from a copy of the project whose dist/ is the test run's bundle of src/, so what is tested
// is the code as edited, in the package's shape (package.json's `bin` and `files`).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile, execFileSync } from 'node:child_process'
import { cp, readFile, rm } from 'node:fs/promises'
import * as os from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PROJECT_ROOT, TEST_BUNDLE } from '../support/action-runner.js'
import { cleanupTempDirs, commitFiles, git, makeRepo, makeTempDir } from '../support/repo.js'

const execFileAsync = promisify(execFile)
const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }

let prefix: string
let tarball: string

/** Runs the installed command by its name, found on the PATH as a shell would find it. */
async function installed(cwd: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const env = {
    PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
    HOME: process.env.HOME ?? os.tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: os.devNull,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {})
  }
  try {
    const { stdout, stderr } = await execFileAsync('docker-size-check', args, { cwd, env })
    return { exitCode: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string }
    if (typeof failed.code !== 'number') throw error
    return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
  }
}

beforeAll(async () => {
  // A missing engine fails here, loudly: these tests never skip themselves.
  execFileSync('docker', ['info'], { stdio: 'pipe' })
  const project = await makeTempDir('pack')
  for (const file of ['package.json', 'README.md', 'LICENSE', 'action.yml']) {
    await cp(join(PROJECT_ROOT, file), join(project, file))
  }
  await cp(TEST_BUNDLE, join(project, 'dist'), { recursive: true })
  await rm(join(project, 'dist', '.source-hash'))

  // The README's two commands, with a prefix of the test's own instead of the global one.
  const packed = await execFileAsync('npm', ['pack'], { cwd: project })
  tarball = packed.stdout.trim().split('\n').pop() ?? ''
  prefix = await makeTempDir('prefix')
  await execFileAsync(
    'npm',
    ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', `./${tarball}`],
    { cwd: project }
  )
})

afterAll(async () => {
  await cleanupTempDirs()
})

describe('the package, packed and installed as the README says', () => {
  it('is the tarball the README names', async () => {
    expect(tarball).toBe(`docker-size-check-${pkg.version}.tgz`)
    expect(await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8')).toContain(`npm install -g ./${tarball}`)
  })

  it('puts docker-size-check on the PATH, which prints its version', async () => {
    const run = await installed(os.tmpdir(), ['--version'])
    expect(run).toEqual({ exitCode: 0, stdout: `docker-size-check ${pkg.version}\n`, stderr: '' })
  })

  it('checks a repository: a branch whose image grows past the limit exits 1 and says so', async () => {
    const repo = await makeRepo()
    await commitFiles(
      repo,
      { Dockerfile: 'FROM busybox:local\nCOPY payload.bin /payload.bin\n', 'payload.bin': 'x'.repeat(100_000) },
      'base'
    )
    await git(repo, ['checkout', '--quiet', '-b', 'grow'])
    await commitFiles(repo, { 'payload.bin': 'x'.repeat(400_000) }, 'grow')

    const run = await installed(repo, ['--base', 'main'])
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/^Dockerfile +\S+ MB +\S+ MB +\+300 kB +\+\S+% +❌ over limit$/m)
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('❌ 1 image grew past the limit: +300 kB')
  })
})
