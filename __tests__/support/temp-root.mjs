// jest's globalSetup and globalTeardown for the whole run: every temporary folder a test, a
// helper or the code under test makes through os.tmpdir() lands in one folder of this run
// (TMPDIR, which the workers and the spawned action and command inherit), and at the end
// that folder must be empty. Whatever is left there is a folder some test forgot to remove
// (the `dsc-runner-*` folders were, for a long time): the run fails naming it, and the
// folder goes anyway, so a test run never leaves anything behind in the system's /tmp.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const VARIABLE = 'DSC_TEST_TMPDIR'

export async function setup() {
  const folder = mkdtempSync(join(tmpdir(), 'dsc-test-run-'))
  process.env[VARIABLE] = folder
  process.env.TMPDIR = folder
}

export async function teardown() {
  const folder = process.env[VARIABLE]
  if (!folder) return
  const left = readdirSync(folder)
  rmSync(folder, { recursive: true, force: true })
  if (left.length) {
    throw new Error(
      `The tests left ${left.length} temporary folder(s) behind (removed now): ${left.join(', ')}. ` +
        'Remove what a test makes in its afterAll (makeTempDir and cleanupTempDirs in __tests__/support/repo.ts).'
    )
  }
}
