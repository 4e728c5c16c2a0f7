import { describe, expect, it } from '@jest/globals'
import { displayText, pathsMarkdown, pathsText } from '../../src/report/paths.js'
import { PathBreakdown } from '../../src/shared/types.js'

function breakdown(path: string, instruction = 'RUN make'): PathBreakdown {
  return {
    paths: [
      {
        path,
        kind: 'folder',
        base: 0,
        head: 3_000_000,
        delta: 3_000_000,
        source: { side: 'head', line: 4, instruction }
      },
      { path: '/opt/old', kind: 'file', base: 1_000_000, head: 0, delta: -1_000_000, source: null }
    ],
    hints: [
      {
        kind: 'deleted-later',
        path,
        bytes: 3_000_000,
        files: 2,
        source: { side: 'head', line: 4, instruction },
        deletedBy: { side: 'head', line: null, instruction: 'RUN rm -rf /x' }
      }
    ],
    layers: {
      base: [{ diffId: 'sha256:a', state: 'shared' }],
      head: [
        { diffId: 'sha256:a', state: 'shared' },
        { diffId: 'sha256:b', state: 'read' }
      ]
    },
    bytesRead: 3_000_000,
    bytesSkipped: 2_000_000,
    durationMs: 10
  }
}

describe('the paths in the comment', () => {
  it('show each row with its sizes and the line that put the bytes there', () => {
    const text = pathsMarkdown(breakdown('/usr/lib/go-1.19'))
    expect(text).toContain('(1 layer read, 1 shared layer passed over)')
    expect(text).toContain('| <code>/usr/lib/go-1.19/</code> | — | 3 MB | +3 MB | L4 |')
    expect(text).toContain('| <code>/opt/old</code> | 1 MB | — | -1 MB | — |')
    expect(text).toContain(
      '> 💡 <code>/usr/lib/go-1.19</code> (2 files, 3 MB) is added by L4 and deleted by <code>RUN rm -rf /x</code>, but still ships'
    )
  })

  it('cannot be broken by a hostile path: no markup, no table cell, no hidden text gets through', () => {
    const hostile = '/srv/a|b`<img src=x onerror=alert(1)>\n| x | y |\u202egnp.exe @octocat #1 [x](http://e)'
    const text = pathsMarkdown(breakdown(hostile, 'RUN </code><script>alert(1)</script>'))
    expect(text).not.toContain('<img')
    expect(text).not.toContain('<script')
    expect(text).not.toContain('\u202e')
    const row = text.split('\n').find(line => line.startsWith('| <code>/srv/'))!
    // One row, five cells: the path's `|` and line break stay inside its code.
    expect(row.split(' | ')).toHaveLength(5)
    expect(row).toContain('a&#124;b&#96;&lt;img src=x onerror=alert(1)&gt;\\u{a}&#124; x')
    expect(row).toContain('\\u{202e}gnp.exe @octocat #1 [x](http://e)/</code>')
    // Each mention and reference is inside <code>, where GitHub makes none.
    for (const line of text.split('\n')) {
      const outside = line.replace(/<code>.*?<\/code>/g, '')
      expect(outside).not.toMatch(/@octocat|#1|\]\(/)
    }
  })

  it('say nothing when no path changed', () => {
    expect(pathsMarkdown({ ...breakdown('/x'), paths: [], hints: [] })).toBe('')
  })
})

describe('the paths in the command', () => {
  it('lists the top rows with their line and instruction, and the hints', () => {
    const { rows, hints } = pathsText(breakdown('/usr/lib/go-1.19', 'RUN apt-get install -y golang-go'), 1)
    expect(rows).toEqual([['   /usr/lib/go-1.19/', '+3 MB', 'L4 RUN apt-get install -y golang-go']])
    expect(hints[0]).toMatch(/^ {3}hint: \/usr\/lib\/go-1\.19 \(2 files, 3 MB\) is added by L4 RUN apt-get/)
  })

  it('writes control characters as escapes and cuts a long path in its middle', () => {
    expect(displayText('/a\u001b[31mred\u0007')).toBe('/a\\u{1b}[31mred\\u{7}')
    const long = `/${'d/'.repeat(100)}file.txt`
    const shown = displayText(long, 40)
    expect([...shown]).toHaveLength(40)
    expect(shown.startsWith('/d/d/')).toBe(true)
    expect(shown.endsWith('file.txt')).toBe(true)
  })
})
