// The setup every end-to-end test file shares: the GitHub API stand-in, started before the
// file's tests and stopped after, and a loud failure where no Docker engine answers (these
// tests never skip themselves: in CI that would hide a broken setup).
import { afterAll, beforeAll } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { GitHubStandin } from './github-standin.js'
import { TEST_TOKEN } from './pull-request.js'
import { cleanupTempDirs } from './repo.js'

export function useEndToEnd(): GitHubStandin {
  const standin = new GitHubStandin({ token: TEST_TOKEN })
  beforeAll(async () => {
    execFileSync('docker', ['info'], { stdio: 'pipe' })
    await standin.start()
  })
  afterAll(async () => {
    await standin.stop()
    await cleanupTempDirs()
  })
  return standin
}
