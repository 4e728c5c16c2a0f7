import { describe, expect, it } from '@jest/globals'
import { liveParts, renderGfm } from '../support/gfm.js'
import { displayText, pathsMarkdown, pathsText } from '../../src/report/paths-table.js'
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
    // A figure keeps its unit on its line: a non-breaking space between them.
    expect(text).toContain('| `/usr/lib/go-1.19/` | — | 3\u00a0MB | +3\u00a0MB | L4 |')
    expect(text).toContain('| `/opt/old` | 1\u00a0MB | — | -1\u00a0MB | — |')
    // What to do about a path is said above the fold, as an alert (report/cause.ts), not here.
    expect(text).not.toContain('💡')
  })

  it('cannot be broken by a hostile path: no markup, no table cell, no hidden text gets through', () => {
    const hostile = '/srv/a|b`<img src=x onerror=alert(1)>\n| x | y |\u202egnp.exe @octocat #1 [x](http://e)'
    const text = pathsMarkdown(breakdown(hostile, 'RUN </code><script>alert(1)</script>'))
    expect(text).not.toContain('\u202e')
    // What GitHub makes of it: nothing live outside code, and one row of five cells.
    const html = renderGfm(text)
    expect(liveParts(html)).toEqual([])
    const row = /<tr>\s*<td[^>]*><code>\/srv\/[\s\S]*?<\/tr>/.exec(html)?.[0] ?? ''
    expect(row.match(/<td/g)).toHaveLength(5)
    expect(row).toContain(
      'a|b`&lt;img src=x onerror=alert(1)&gt;\\u{a}| x | y |\\u{202e}gnp.exe @octocat #1 [x](http://e)/'
    )
  })

  it('say nothing when no path changed', () => {
    expect(pathsMarkdown({ ...breakdown('/x'), paths: [], hints: [] })).toBe('')
  })
})

describe('the paths in the command', () => {
  it('lists the top rows with their line and instruction', () => {
    const rows = pathsText(breakdown('/usr/lib/go-1.19', 'RUN apt-get install -y golang-go'), 1)
    expect(rows).toEqual([['   /usr/lib/go-1.19/', '+3 MB', 'L4 RUN apt-get install -y golang-go']])
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
