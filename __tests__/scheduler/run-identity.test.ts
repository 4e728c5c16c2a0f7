import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import {
  isProvablyDead,
  newRunIdentity,
  parseRunLabel,
  parseScratchFolderName,
  processStart,
  runLabelValue,
  scratchFolderName
} from '../../src/scheduler/run-identity.js'

describe('a run', () => {
  const run = newRunIdentity('/tmp/root')

  it('names its label and its scratch folder so that a later run can read them back', () => {
    expect(parseRunLabel(runLabelValue(run))).toEqual({
      host: hostname(),
      pid: process.pid,
      started: run.started,
      nonce: run.nonce
    })
    expect(scratchFolderName(run)).toMatch(/^dsc-\d+-(\d+|x)-[0-9a-f]{6}$/)
    expect(parseScratchFolderName(scratchFolderName(run))).toMatchObject({ pid: process.pid, nonce: run.nonce })
  })

  it('reads no run from names it did not write', () => {
    for (const name of ['dsc-runner-abc123', 'dsc-explain-x', 'docker-size-check-abc', 'dsc-1-2-zzzzzz', 'dsc-']) {
      expect(parseScratchFolderName(name)).toBeNull()
    }
    expect(parseRunLabel('1-2-abcdef')).toBeNull()
    expect(parseRunLabel('x@host')).toBeNull()
  })

  it('is alive while its process runs: this one, and any other run of this process', () => {
    expect(isProvablyDead(run)).toBe(false)
    expect(isProvablyDead({ ...run, pid: process.ppid, started: processStart(process.ppid) ?? '' })).toBe(false)
  })

  it('is dead once its process has exited, or when its pid now belongs to a process started at another time', () => {
    const exited = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
    const pid = Number(exited.stdout.trim())
    expect(isProvablyDead({ host: hostname(), pid, started: '12345' })).toBe(true)
    expect(isProvablyDead({ host: hostname(), pid: process.ppid, started: '1' })).toBe(true)
  })

  it('is never provably dead on another host, or where its start time is unknown and its pid is in use', () => {
    expect(isProvablyDead({ host: `${hostname()}-other`, pid: 999_999_999, started: '1' })).toBe(false)
    expect(isProvablyDead({ host: hostname(), pid: process.ppid, started: '' })).toBe(false)
  })
})
