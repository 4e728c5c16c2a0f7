import { describe, expect, it } from '@jest/globals'
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
