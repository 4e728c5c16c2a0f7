// The two limits a command of the PR author's files runs under (bake --print): an
// environment of exactly what is given, and a time limit that ends what it started too.
import { describe, expect, it } from '@jest/globals'
import { networkIsolation } from '../../src/discover/bake.js'
import { runCommand } from '../../src/tools/exec.js'

describe('runCommand with envOnly', () => {
  it("gives the command the environment given and nothing of this process's", async () => {
    process.env.EXEC_LIMITS_SECRET = 'ghs_should_not_pass'
    try {
      const result = await runCommand('/bin/sh', ['-c', 'echo "[$HOME][$EXEC_LIMITS_SECRET][$PATH]"'], {
        env: { HOME: '/nowhere', PATH: '/usr/bin:/bin' },
        envOnly: true
      })
      expect(result.stdout.trim()).toBe('[/nowhere][][/usr/bin:/bin]')
      const inherited = await runCommand('/bin/sh', ['-c', 'echo "[$EXEC_LIMITS_SECRET]"'], { env: { HOME: '/x' } })
      expect(inherited.stdout.trim()).toBe('[ghs_should_not_pass]')
    } finally {
      delete process.env.EXEC_LIMITS_SECRET
    }
  })
})

describe('runCommand with timeoutMs', () => {
  it('kills the command and the processes it started, and exits 124', async () => {
    const started = Date.now()
    // The child's child holds stdout open: it too must be gone for the call to return.
    const result = await runCommand('/bin/sh', ['-c', 'sleep 20 & sleep 20; echo done'], { timeoutMs: 300 })
    expect(result.exitCode).toBe(124)
    expect(result.stdout).not.toContain('done')
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('leaves a command that finishes in time alone', async () => {
    const result = await runCommand('/bin/sh', ['-c', 'echo quick'], { timeoutMs: 5_000 })
    expect(result).toMatchObject({ exitCode: 0, stdout: 'quick\n' })
  })
})

describe("bake's network isolation", () => {
  it('leaves a command only a loopback, where the machine allows a network namespace', async () => {
    const prefix = await networkIsolation()
    // CI runs as root (it installs the engine), where unshare works; a runner that forbids user
    // namespaces gets the proxies alone, which the unit tests of bakeEnvironment cover.
    expect(prefix).toEqual(['unshare', '--net', '--map-root-user', '--'])
    const result = await runCommand(prefix[0] ?? 'unshare', [...prefix.slice(1), 'cat', '/proc/net/dev'])
    const interfaces = result.stdout
      .split('\n')
      .slice(2)
      .map(line => line.split(':')[0]?.trim())
      .filter(Boolean)
    expect(interfaces).toEqual(['lo'])
  })
})
