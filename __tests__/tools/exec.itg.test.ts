// The command runner every docker and git call goes through, on real processes.
import { afterAll, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runChecked, runCommand, runForBytes } from '../../src/tools/exec.js'
import { cleanupTempDirs, makeTempDir } from '../support/repo.js'

afterAll(async () => {
  await cleanupTempDirs()
})

describe('running a command', () => {
  it('keeps stdout and stderr apart and reports the exit code', async () => {
    const result = await runCommand('sh', ['-c', 'echo out; echo err >&2; exit 3'])
    expect(result).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' })
  })

  it('passes input, and decodes output whole (a character split between chunks stays intact)', async () => {
    // 200,000 two-byte characters: far more than one pipe read, so chunks end mid-character.
    const text = 'ü'.repeat(200_000)
    const result = await runCommand('cat', [], { input: text })
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe(text)
  })

  it('reads one long NUL-separated "line" of megabytes as it comes', async () => {
    const result = await runForBytes('sh', ['-c', 'head -c 5000000 /dev/zero'])
    expect(result.exitCode).toBe(0)
    expect(result.stdout.length).toBe(5_000_000)
  })

  it('says 127 for a program that is not there, as a shell would', async () => {
    const result = await runCommand('docker-size-check-no-such-program', ['x'])
    expect(result.exitCode).toBe(127)
    expect(result.stderr).toContain('ENOENT')
  })

  it('survives a program that exits without reading its input', async () => {
    const result = await runCommand('sh', ['-c', 'exit 0'], { input: 'x'.repeat(5_000_000) })
    expect(result.exitCode).toBe(0)
  })

  it('stops a program and every process it started when its signal aborts', async () => {
    const controller = new AbortController()
    const pidFile = join(await makeTempDir('exec'), 'pid')
    // A shell that starts a grandchild, as the docker CLI starts its buildx plugin.
    const running = runCommand('sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`], { signal: controller.signal })
    while (!(await readFile(pidFile, 'utf8').catch(() => '')).trim()) await new Promise(r => setTimeout(r, 20))
    const grandchild = Number((await readFile(pidFile, 'utf8')).trim())
    const stopped = Date.now()
    controller.abort()
    const result = await running
    expect(Date.now() - stopped).toBeLessThan(2_000)
    expect(result.exitCode).toBe(128 + 9)
    // Gone too, not left to run on (as a build would): no such process, or a zombie not yet reaped.
    await new Promise(r => setTimeout(r, 100))
    const state = await readFile(`/proc/${grandchild}/stat`, 'utf8').then(
      stat => stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0],
      () => 'gone'
    )
    expect(['gone', 'Z', 'X']).toContain(state)
  })

  it('does not start a program whose signal has aborted', async () => {
    const result = await runCommand('sh', ['-c', 'echo ran'], { signal: AbortSignal.abort() })
    expect(result).toMatchObject({ exitCode: 137, stdout: '' })
  })

  it('gives a killed program the exit code 128 + its signal', async () => {
    const result = await runCommand('sh', ['-c', 'kill -TERM $$'])
    expect(result.exitCode).toBe(128 + 15)
  })

  it('names the command, its code and its last words when a checked command fails', async () => {
    await expect(runChecked('sh', ['-c', 'echo why >&2; exit 2'])).rejects.toThrow(
      '`sh -c echo why >&2; exit 2` failed with exit code 2: why'
    )
  })
})
