// Runs the bundled command (cli/index.js of the test bundle, made from src/) as a user's shell would: in a folder of a
// repository, with flags, its output in pipes (so plain text, no colour).
import { execFile } from 'node:child_process'
import * as os from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { TEST_BUNDLE } from './action-runner.js'

const execFileAsync = promisify(execFile)

export const CLI_PATH = join(TEST_BUNDLE, 'cli', 'index.js')

export interface CliRun {
  exitCode: number
  stdout: string
  stderr: string
}

export async function runCliBundle(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    // The developer's git configuration stays out, as in the repository helpers.
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: os.devNull,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...(process.env.DOCKER_CONFIG ? { DOCKER_CONFIG: process.env.DOCKER_CONFIG } : {}),
    // The test run's temporary folder (temp-root.mjs), so that what the command leaves is seen.
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    ...env
  }
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI_PATH, ...args], {
      cwd,
      env: environment,
      maxBuffer: 64 * 1024 * 1024
    })
    return { exitCode: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string }
    if (typeof failed.code !== 'number') throw error
    return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' }
  }
}
