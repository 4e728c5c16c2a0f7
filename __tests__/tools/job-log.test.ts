// The action's Logger, writing through the real @actions/core to stdout, read back the way
// the runner reads the job log (support/workflow-commands.ts).
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { couldBeCommand, JobLog } from '../../src/tools/job-log.js'
import { readAsRunner } from '../support/workflow-commands.js'

let written: string
beforeEach(() => {
  written = ''
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
    return true
  })
})
afterEach(() => {
  jest.restoreAllMocks()
})

/** The lines the runner shows as text (not the stop and resume lines). */
function shown(log: ReturnType<typeof readAsRunner>): string[] {
  return log.lines.filter(line => !line.actedOn).map(line => line.text)
}

describe('JobLog', () => {
  it('puts a command’s output, split anywhere, in one block the runner acts on nothing in, and resumes after', () => {
    const log = new JobLog()
    const output = log.commandOutput()
    for (const chunk of [
      '#5 0.1 ::err',
      'or file=Dockerfile,line=1::forged\n',
      '::add-mask::secret\n',
      'x ##[warning]y'
    ])
      output.write(chunk)
    output.end()
    log.info('after')
    const read = readAsRunner(written)
    expect(read.commands).toEqual([])
    expect(read.stoppedWith).toBeNull()
    expect(shown(read)).toEqual([
      '#5 0.1 ::error file=Dockerfile,line=1::forged',
      '::add-mask::secret',
      'x ##[warning]y',
      'after'
    ])
    expect(written).toMatch(/^::stop-commands::([0-9a-f]{32})\n[^]*\n::\1::\nafter\n$/)
  })

  it('leaves plain info lines as they are, and wraps one the runner could read as a command', () => {
    const log = new JobLog()
    log.info('Docker 28.5.2 (API 1.51, overlay2)')
    expect(written).toBe('Docker 28.5.2 (API 1.51, overlay2)\n')
    log.info('  ::warning::forged/Dockerfile (added)')
    log.info('a line\nx ##[add-mask]word')
    const read = readAsRunner(written)
    expect(read.commands).toEqual([])
    expect(shown(read)).toEqual([
      'Docker 28.5.2 (API 1.51, overlay2)',
      '  ::warning::forged/Dockerfile (added)',
      'a line',
      'x ##[add-mask]word'
    ])
    expect(couldBeCommand('no colons here')).toBe(false)
    expect(couldBeCommand('\u00a0::warning::x')).toBe(true)
  })

  it('closes the block for its own warnings, errors and groups, so that the runner acts on them', async () => {
    const log = new JobLog()
    await log.group('Build head: ::warning::forged/Dockerfile', () => {
      const output = log.commandOutput()
      output.write('::error::forged one\n')
      log.warning('The build is slow', { file: 'a/Dockerfile', startLine: 2 })
      output.write('::error::forged two')
      log.error('ours')
      output.write('\n')
      output.end()
      return Promise.resolve()
    })
    const read = readAsRunner(written)
    expect(read.stoppedWith).toBeNull()
    expect(read.commands).toEqual([
      { command: 'group', properties: {}, data: 'Build head: ::warning::forged/Dockerfile' },
      { command: 'warning', properties: { file: 'a/Dockerfile', line: '2' }, data: 'The build is slow' },
      { command: 'error', properties: {}, data: 'ours' },
      { command: 'endgroup', properties: {}, data: '' }
    ])
    expect(shown(read)).toEqual(['::error::forged one', '::error::forged two'])
    // A fresh token for each block.
    const tokens = read.lines.filter(line => line.parsed?.command === 'stop-commands').map(line => line.parsed?.data)
    expect(tokens).toHaveLength(3)
    expect(new Set(tokens).size).toBe(3)
  })

  it('keeps one block open while two outputs overlap, and a build’s own stop and resume lines change nothing', () => {
    const log = new JobLog()
    const first = log.commandOutput()
    const second = log.commandOutput()
    first.write('::stop-commands::mine\n')
    second.write('::mine::\n')
    first.end()
    second.write('::error::forged after the first ended\n')
    second.end()
    second.end()
    const read = readAsRunner(written)
    expect(read.commands).toEqual([])
    expect(read.stoppedWith).toBeNull()
    expect(shown(read)).toEqual(['::stop-commands::mine', '::mine::', '::error::forged after the first ended'])
  })

  it('strips escape sequences and carriage returns, after which the runner would start a new line', () => {
    const log = new JobLog()
    const output = log.commandOutput()
    output.write('progress\r::error::forged\u001b[2J\n')
    output.end()
    const read = readAsRunner(written)
    expect(read.commands).toEqual([])
    expect(shown(read)).toEqual(['progress::error::forged'])
  })
})
