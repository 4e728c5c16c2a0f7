import { describe, expect, it } from '@jest/globals'
import { CommandError } from '../../src/tools/exec.js'
import {
  assertRevision,
  diffNameStatusArgs,
  isBlobEntry,
  objectIdOf,
  parseCatFileBatch,
  parseLsTree,
  parseNameStatus,
  parseWorktreeList,
  sparseCheckoutPatterns,
  splitNul,
  worktreeAddArgs
} from '../../src/tools/git.js'
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

describe('parseNameStatus', () => {
  it('maps every status letter to the GitHub API word', () => {
    const output = [
      'A',
      'new.txt',
      'M',
      'changed.txt',
      'D',
      'gone.txt',
      'T',
      'link',
      'R087',
      'old.txt',
      'moved.txt',
      'C100',
      'src.txt',
      'copy.txt',
      ''
    ].join('\0')
    expect(parseNameStatus(output)).toEqual([
      { path: 'new.txt', status: 'added' },
      { path: 'changed.txt', status: 'modified' },
      { path: 'gone.txt', status: 'removed' },
      { path: 'link', status: 'changed' },
      { path: 'moved.txt', status: 'renamed', previousPath: 'old.txt' },
      { path: 'copy.txt', status: 'copied', previousPath: 'src.txt' }
    ])
  })

  it('keeps paths exactly as they are: spaces, unicode, tabs, quotes, pipes, newlines', () => {
    const odd = [
      'dir with space/Dockerfile',
      'ünïcödé/ファイル.txt',
      'tab\there',
      '"quoted".txt',
      'pipe|name',
      'new\nline'
    ]
    const output = odd.map(file => `M\0${file}\0`).join('') + `R100\0a b/Dockerfile\0c\td/Dockerfile\0`
    expect(parseNameStatus(output)).toEqual([
      ...odd.map(file => ({ path: file, status: 'modified' })),
      { path: 'c\td/Dockerfile', status: 'renamed', previousPath: 'a b/Dockerfile' }
    ])
  })

  it('reads empty output as no changes', () => {
    expect(parseNameStatus('')).toEqual([])
  })

  it('treats statuses that cannot occur between commits as changed', () => {
    expect(parseNameStatus('U\0conflict.txt\0X\0odd.txt\0')).toEqual([
      { path: 'conflict.txt', status: 'changed' },
      { path: 'odd.txt', status: 'changed' }
    ])
  })

  it('throws on truncated output rather than inventing paths', () => {
    expect(() => parseNameStatus('M')).toThrow(/without a path/)
    expect(() => parseNameStatus('R100\0old.txt\0')).toThrow(/without two paths/)
  })
})

describe('command lines', () => {
  it('diffs a commit against the working tree when no head is given', () => {
    expect(diffNameStatusArgs(SHA_A)).toEqual([
      'diff',
      '--name-status',
      '-z',
      '-M',
      '--no-color',
      '--no-ext-diff',
      SHA_A,
      '--'
    ])
  })

  it('diffs with -z and rename detection, revisions before the path separator', () => {
    expect(diffNameStatusArgs(SHA_A, SHA_B)).toEqual([
      'diff',
      '--name-status',
      '-z',
      '-M',
      '--no-color',
      '--no-ext-diff',
      SHA_A,
      SHA_B,
      '--'
    ])
  })

  it('adds a detached, forced worktree', () => {
    expect(worktreeAddArgs('/tmp/wt', SHA_A)).toEqual(['worktree', 'add', '--detach', '--force', '/tmp/wt', SHA_A])
    expect(worktreeAddArgs('/tmp/wt', SHA_A, { checkout: false })).toEqual([
      'worktree',
      'add',
      '--detach',
      '--force',
      '--no-checkout',
      '/tmp/wt',
      SHA_A
    ])
  })

  it('writes sparse-checkout patterns anchored at the root, with wildcards and trailing spaces escaped', () => {
    expect(sparseCheckoutPatterns(['services/api', 'docker/api.Dockerfile'])).toBe(
      '/services/api\n/docker/api.Dockerfile\n'
    )
    expect(sparseCheckoutPatterns(['weird/[a]*?.txt', '!bang/#hash', 'trailing  ', 'back\\slash'])).toBe(
      '/weird/\\[a\\]\\*\\?.txt\n/\\!bang/\\#hash\n/trailing\\ \\ \n/back\\\\slash\n'
    )
    expect(() => sparseCheckoutPatterns(['line\nbreak'])).toThrow('cannot name')
    expect(() => sparseCheckoutPatterns(['.'])).toThrow('cannot name')
  })

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

  it('refuses revisions that git would read as options', () => {
    expect(() => diffNameStatusArgs('--output=/etc/passwd', SHA_B)).toThrow(/Invalid git revision/)
    expect(() => assertRevision('')).toThrow(/Invalid git revision/)
    expect(() => assertRevision('main')).not.toThrow()
  })
})

describe('parseWorktreeList and splitNul', () => {
  it('reads the worktree folders from porcelain output', () => {
    const output = `worktree /repo\nHEAD ${SHA_A}\nbranch refs/heads/main\n\nworktree /tmp/base wt\nHEAD ${SHA_B}\ndetached\n\n`
    expect(parseWorktreeList(output)).toEqual(['/repo', '/tmp/base wt'])
  })

  it('splits NUL-separated output and drops the trailing empty field', () => {
    expect(splitNul('a\0b c\0')).toEqual(['a', 'b c'])
    expect(splitNul('')).toEqual([])
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

describe('parseLsTree', () => {
  it('reads mode, type and object of any path, as `git ls-tree -r -z` prints them', () => {
    const output =
      '100644 blob 3b18e512dba79e4c8300dd08aeb37f8e728b8dad\tapi/Dockerfile\0' +
      '100755 blob e69de29bb2d1d6434b8b29ae775ad8c2e48c5391\tapi/run me\twith tab.sh\0' +
      '160000 commit 5e1c309dae7f45e0f39b1bf3ac3cd9db12e7d689\tvendor/lib\0'
    const files = parseLsTree(output)
    expect([...files]).toEqual([
      ['api/Dockerfile', '100644 blob 3b18e512dba79e4c8300dd08aeb37f8e728b8dad'],
      ['api/run me\twith tab.sh', '100755 blob e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'],
      ['vendor/lib', '160000 commit 5e1c309dae7f45e0f39b1bf3ac3cd9db12e7d689']
    ])
    expect(objectIdOf(files.get('api/Dockerfile')!)).toBe('3b18e512dba79e4c8300dd08aeb37f8e728b8dad')
    expect(isBlobEntry(files.get('api/Dockerfile')!)).toBe(true)
    expect(isBlobEntry(files.get('vendor/lib')!)).toBe(false)
    expect(parseLsTree('')).toEqual(new Map())
  })

  it('refuses output it does not understand', () => {
    expect(() => parseLsTree('garbage\0')).toThrow("Unexpected `git ls-tree` output: 'garbage'")
    expect(() => parseLsTree('100644 blob abc\0next\tpath\0')).toThrow('Unexpected `git ls-tree` output')
  })
})

describe('parseCatFileBatch', () => {
  it('reads each blob by the byte count in its header, and skips the missing', () => {
    const a = 'a'.repeat(40)
    const b = 'b'.repeat(40)
    const c = 'c'.repeat(40)
    const text = 'ü\nzwei\n'
    const output = Buffer.concat([
      Buffer.from(`${a} blob ${Buffer.byteLength(text)}\n`),
      Buffer.from(text),
      Buffer.from(`\n${c} missing\n${b} blob 0\n\n`)
    ])
    expect([...parseCatFileBatch(output)]).toEqual([
      [a, text],
      [b, '']
    ])
  })

  it('refuses output cut short', () => {
    expect(() => parseCatFileBatch(Buffer.from(`${'a'.repeat(40)} blob 10\nshort\n`))).toThrow('cut short')
  })
})
