// The local command's pure parts: how it reads the working tree and picks the base.
import { describe, expect, it } from '@jest/globals'
import {
  defaultBaseCandidates,
  mergeWorkingTreeChanges,
  parseRemoteHead,
  pickRemote
} from '../../src/cli/repository.js'

describe('the working tree', () => {
  it('counts untracked files as added, once', () => {
    expect(
      mergeWorkingTreeChanges([{ path: 'a/Dockerfile', status: 'modified' }], ['new/Dockerfile', 'a/Dockerfile'])
    ).toEqual([
      { path: 'a/Dockerfile', status: 'modified' },
      { path: 'new/Dockerfile', status: 'added' }
    ])
  })

  it('finds the default base: the remote default branch, then main, then master', () => {
    expect(defaultBaseCandidates('origin/trunk')).toEqual(['origin/trunk', 'main', 'master'])
    expect(defaultBaseCandidates(null)).toEqual(['main', 'master'])
    expect(parseRemoteHead('refs/remotes/origin/trunk\n')).toBe('origin/trunk')
    expect(parseRemoteHead('refs/heads/main')).toBeNull()
    expect(pickRemote(['upstream', 'origin'])).toBe('origin')
    expect(pickRemote(['upstream'])).toBe('upstream')
    expect(pickRemote([])).toBeNull()
  })
})
