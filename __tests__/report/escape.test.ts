import { describe, expect, it } from '@jest/globals'
import { code, htmlCode, preformatted, prose } from '../../src/report/escape.js'

describe('code', () => {
  it.each([
    ['api/Dockerfile', {}, '`api/Dockerfile`'],
    ['a`b', {}, '``a`b``'],
    ['`x`', {}, '`` `x` ``'],
    [' x ', {}, '`  x  `'],
    ['a|b\\|c', { table: true }, '`a\\|b\\\\|c`'],
    ['a|b', {}, '`a|b`'],
    ['line\nbreak\u202e', {}, '`line break`'],
    ['', {}, '` `'],
    ['abcdef', { max: 4 }, '`abc…`']
  ])('puts %p in a code span no character of it can end', (text, options, expected) => {
    expect(code(text, options)).toBe(expected)
  })

  it('escapes HTML where markdown is not parsed', () => {
    expect(htmlCode('<b>&</b>\n@x')).toBe('<code>&lt;b&gt;&amp;&lt;/b&gt; @x</code>')
    expect(preformatted('a <b>\n\u202eb')).toBe('<pre>a &lt;b&gt;\nb</pre>')
  })
})

describe('prose', () => {
  it.each([
    ['Grew +1.25 MB (+5%), past the max-increase of 10%.', 'Grew +1.25 MB (+5%), past the max-increase of 10%.'],
    ['Grew +3 B (+<0.01%), within the limit.', 'Grew +3 B (+&lt;0.01%), within the limit.'],
    ['The head build failed: exit @octocat #1', 'The head build failed: `exit @octocat #1`'],
    [
      'No Docker engine answers (`docker info` exited 1: Cannot connect to unix:///x.sock.). Start it.',
      'No Docker engine answers (`docker info` exited 1: `Cannot connect to unix:///x.sock.). Start it.`'
    ],
    [
      'The Docker engine stopped answering (Cannot connect at unix:///x.sock.). Check it.',
      'The Docker engine stopped answering (Cannot connect at `unix:///x.sock.). Check it.`'
    ],
    ['@octocat: hello', '`@octocat: hello`'],
    ['see GH-1 now', 'see `GH-1 now`'],
    ['commit e7e354a0 is it', 'commit `e7e354a0 is it`']
  ])('shows %p as text up to what is not inert, and that as code', (text, expected) => {
    expect(prose(text)).toBe(expected)
  })
})
