import { describe, expect, it } from '@jest/globals'
import { CommandError } from '../../src/tools/exec.js'
import {
  deepenArgs,
  deepenSchedule,
  fetchBaseArgs,
  isMissingOnRemote,
  planBaseRef,
  resolveRevisions,
  unshallowArgs,
  validateBaseRef,
  type RevisionGit
} from '../../src/revisions/base-commit.js'
import { nth } from '../support/lists.js'

const SHA_A = 'a'.repeat(40)
const SHA_B = 'b'.repeat(40)

describe('command lines', () => {
  it.each([
    [
      'a shallow clone fetches the tip alone',
      true,
      ['--no-tags', '--no-recurse-submodules', '--depth=1', 'origin', '+refs/heads/main:refs/remotes/origin/main']
    ],
    [
      'a full clone must not become shallow',
      false,
      ['--no-tags', '--no-recurse-submodules', 'origin', '+refs/heads/main:refs/remotes/origin/main']
    ]
  ])('fetches the base: %s', (_name, shallow, expected) => {
    expect(fetchBaseArgs('origin', '+refs/heads/main:refs/remotes/origin/main', shallow)).toEqual(expected)
  })

  it('deepens and unshallows both sides by SHA', () => {
    expect(deepenArgs('upstream', 4, SHA_A, SHA_B)).toEqual([
      '--no-tags',
      '--no-recurse-submodules',
      '--deepen=4',
      'upstream',
      SHA_A,
      SHA_B
    ])
    expect(unshallowArgs('origin', SHA_A, SHA_B)).toEqual([
      '--no-tags',
      '--no-recurse-submodules',
      '--unshallow',
      'origin',
      SHA_A,
      SHA_B
    ])
  })
})

describe('deepenSchedule', () => {
  it.each([
    [1, [1]],
    [3, [1, 2]],
    [10, [1, 2, 4, 3]],
    [1000, [1, 2, 4, 8, 16, 32, 64, 128, 256, 489]],
    [0, []]
  ])('maxDeepen %d → %j', (max, steps) => {
    expect(deepenSchedule(max)).toEqual(steps)
    expect(steps.reduce((sum, step) => sum + step, 0)).toBe(max)
  })
})

describe('planBaseRef', () => {
  it('tries the remote-tracking branch, the local branch, a tag, then anything git resolves, and fetches branch then tag', () => {
    expect(planBaseRef('main', 'origin')).toEqual({
      input: 'main',
      kind: 'name',
      local: ['refs/remotes/origin/main', 'refs/heads/main', 'refs/tags/main', 'main'],
      fetch: [
        { refspec: '+refs/heads/main:refs/remotes/origin/main', resolves: 'refs/remotes/origin/main' },
        { refspec: '+refs/tags/main:refs/tags/main', resolves: 'refs/tags/main' }
      ]
    })
  })

  it.each([
    [
      'refs/heads/release/1.x',
      'branch',
      ['refs/remotes/origin/release/1.x', 'refs/heads/release/1.x'],
      '+refs/heads/release/1.x:refs/remotes/origin/release/1.x'
    ],
    [
      'refs/remotes/origin/dev',
      'branch',
      ['refs/remotes/origin/dev', 'refs/heads/dev'],
      '+refs/heads/dev:refs/remotes/origin/dev'
    ],
    ['refs/tags/v1.2.3', 'tag', ['refs/tags/v1.2.3'], '+refs/tags/v1.2.3:refs/tags/v1.2.3'],
    ['refs/pull/7/head', 'ref', ['refs/pull/7/head'], '+refs/pull/7/head:refs/pull/7/head'],
    [SHA_A.toUpperCase(), 'sha', [SHA_A], SHA_A],
    ['c'.repeat(64), 'sha', ['c'.repeat(64)], 'c'.repeat(64)]
  ])('%s is a %s', (input, kind, local, refspec) => {
    const plan = planBaseRef(input, 'origin')
    expect(plan.kind).toBe(kind)
    expect(plan.local).toEqual(local)
    expect(nth(plan.fetch, 0).refspec).toBe(refspec)
  })

  it('uses the given remote in refspecs', () => {
    expect(nth(planBaseRef('main', 'upstream').fetch, 0).refspec).toBe('+refs/heads/main:refs/remotes/upstream/main')
  })

  it('trims surrounding whitespace from the input', () => {
    expect(planBaseRef('  main\n', 'origin').input).toBe('main')
  })
})

describe('validateBaseRef', () => {
  it.each([
    '',
    '-x',
    '--upload-pack=evil',
    'main branch',
    'main~1',
    'a:b',
    'a..b',
    'x@{1}',
    'a//b',
    '/main',
    'main/',
    'main.',
    'main.lock',
    'wild*'
  ])('rejects %j and names the input', ref => {
    expect(() => validateBaseRef(ref)).toThrow(/^Invalid base-ref '.*': .* Expected a branch name/)
  })

  it.each(['main', 'release/1.x', 'feature-x_y', 'v1.2.3', SHA_A, 'ünïcode'])('accepts %j', ref => {
    expect(() => validateBaseRef(ref)).not.toThrow()
  })
})

describe('isMissingOnRemote', () => {
  const failure = (stderr: string) => new CommandError('git', ['fetch'], { exitCode: 128, stdout: '', stderr })
  it.each([
    ["fatal: couldn't find remote ref refs/heads/nope", true],
    ['fatal: remote error: upload-pack: not our ref 1234567890123456789012345678901234567890', true],
    ['error: Server does not allow request for unadvertised object abc', true],
    ["fatal: 'origin' does not appear to be a git repository", false],
    ['fatal: Authentication failed', false]
  ])('%s → %s', (stderr, missing) => {
    expect(isMissingOnRemote(failure(stderr))).toBe(missing)
  })

  it('is false for errors that are not failed commands', () => {
    expect(isMissingOnRemote(new Error("couldn't find remote ref"))).toBe(false)
  })
})

/** A fake over a tiny in-memory history: enough to check the decisions, not git itself. */
function fakeGit(state: { refs: Record<string, string>; mergeBase: string | null; shallow: boolean }) {
  const fetches: string[][] = []
  const git: RevisionGit = {
    resolveCommits: names => Promise.resolve(names.map(name => state.refs[name] ?? null)),
    isShallow: () => Promise.resolve(state.shallow),
    mergeBase: () => Promise.resolve(state.mergeBase),
    fetch: args => {
      fetches.push(args)
      return Promise.resolve()
    },
    countCommits: () => Promise.resolve(1)
  }
  return { git, fetches }
}

describe('resolveRevisions decisions', () => {
  it('fetches nothing when the base resolves locally and the merge-base is known', async () => {
    const { git, fetches } = fakeGit({
      refs: { HEAD: SHA_A, 'refs/remotes/origin/main': SHA_B },
      mergeBase: SHA_B,
      shallow: false
    })
    await expect(resolveRevisions(git, { baseRef: 'main' })).resolves.toEqual({ baseSha: SHA_B, headSha: SHA_A })
    expect(fetches).toEqual([])
  })

  it('says which input is wrong when nothing is found anywhere', async () => {
    const { git, fetches } = fakeGit({ refs: { HEAD: SHA_A }, mergeBase: null, shallow: true })
    await expect(resolveRevisions(git, { baseRef: 'nope' })).rejects.toThrow(/Unknown base-ref 'nope'/)
    // Both the branch and the tag were tried (the fake "fetches" without creating refs).
    expect(fetches.map(args => args.at(-1))).toEqual([
      '+refs/heads/nope:refs/remotes/origin/nope',
      '+refs/tags/nope:refs/tags/nope'
    ])
  })

  it('refuses an invalid base-ref before running any git command', async () => {
    const { git, fetches } = fakeGit({ refs: {}, mergeBase: null, shallow: true })
    await expect(resolveRevisions(git, { baseRef: '--upload-pack=touch /tmp/x' })).rejects.toThrow(/Invalid base-ref/)
    expect(fetches).toEqual([])
  })

  it('stops deepening when no new commits arrive, then tries the whole history once', async () => {
    const { git, fetches } = fakeGit({
      refs: { HEAD: SHA_A, 'refs/remotes/origin/main': SHA_B },
      mergeBase: null,
      shallow: true
    })
    await expect(resolveRevisions(git, { baseRef: 'main' })).rejects.toThrow(/share no history/)
    expect(fetches.map(args => args[2])).toEqual(['--deepen=1', '--unshallow'])
  })
})
