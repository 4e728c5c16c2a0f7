// The command runner every docker and git call goes through, on real processes.
import { describe, expect, it } from '@jest/globals'
import { runChecked, runCommand, runForBytes } from '../../src/tools/exec.js'

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
