import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  isProvablyDead,
  newRunIdentity,
  ownPidTable,
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
      pidTable: ownPidTable(),
      pid: process.pid,
      started: run.started,
      nonce: run.nonce
    })
    expect(scratchFolderName(run)).toMatch(/^dsc-[0-9a-f]{12}-\d+-(\d+|x)-[0-9a-f]{6}$/)
    expect(parseScratchFolderName(scratchFolderName(run))).toEqual(parseRunLabel(runLabelValue(run)))
  })

  it('names its process table by the boot and the PID namespace, the same for every run of a namespace', () => {
    expect(run.pidTable).toMatch(/^[0-9a-f]{12}$/)
    const child = spawnSync(
      process.execPath,
      [
        '-e',
        "const {createHash}=require('crypto'),fs=require('fs');console.log(createHash('sha256').update(fs.readFileSync('/proc/sys/kernel/random/boot_id','utf8').trim()+'\\n'+fs.readlinkSync('/proc/self/ns/pid')).digest('hex').slice(0,12))"
      ],
      { encoding: 'utf8' }
    )
    expect(child.stdout.trim()).toBe(run.pidTable)
  })

  it('reads no run from names it did not write, nor from the earlier form without a process table', () => {
    for (const name of [
      'dsc-runner-abc123',
      'dsc-explain-x',
      'docker-size-check-abc',
      'dsc-1-2-abcdef',
      'dsc-0123456789ab-1-2-zzzzzz',
      'dsc-'
    ]) {
      expect(parseScratchFolderName(name)).toBeNull()
    }
    expect(parseRunLabel('x-1-2-abcdef')).toBeNull()
    expect(parseRunLabel('1-2-abcdef@host')).toBeNull()
    expect(parseRunLabel('x@host')).toBeNull()
    expect(parseRunLabel('x-1-2-abcdef@host')).toEqual({ pidTable: 'x', pid: 1, started: '2', nonce: 'abcdef' })
  })

  it('is alive while its process runs: this one, and any other run of this process', () => {
    expect(isProvablyDead(run)).toBe(false)
    expect(isProvablyDead({ ...run, pid: process.ppid, started: processStart(process.ppid) ?? '' })).toBe(false)
  })

  it('is dead once its process has exited, or when its pid now belongs to a process started at another time', () => {
    const exited = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
    const pid = Number(exited.stdout.trim())
    expect(isProvablyDead({ pidTable: ownPidTable(), pid, started: '12345' })).toBe(true)
    expect(isProvablyDead({ pidTable: ownPidTable(), pid: process.ppid, started: '1' })).toBe(true)
  })

  it('is never provably dead by its pid in another process table or an unknown one, whatever that pid is here', () => {
    const exited = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' })
    const pid = Number(exited.stdout.trim())
    // Another container's pid 1, whose pid here is this process's or a gone one.
    for (const pidTable of ['0123456789ab', 'x']) {
      expect(isProvablyDead({ pidTable, pid, started: '1' })).toBe(false)
      expect(isProvablyDead({ pidTable, pid: process.pid, started: '1' })).toBe(false)
    }
  })

  it('where its start time is unknown, is dead only when its pid is free', () => {
    expect(isProvablyDead({ pidTable: ownPidTable(), pid: process.ppid, started: '' })).toBe(false)
  })
})
