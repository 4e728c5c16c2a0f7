import { describe, expect, it } from '@jest/globals'
import { inertExcept, inertLine, inertText } from '../../src/shared/inert.js'

const ESC = '\u001b'

describe('inertText', () => {
  it.each([
    ['an OSC 8 link, BEL-terminated', `a${ESC}]8;;https://evil.example\u0007link${ESC}]8;;\u0007b`, 'alinkb'],
    ['an OSC 8 link, ST-terminated', `a${ESC}]8;;https://evil.example${ESC}\\link${ESC}]8;;${ESC}\\b`, 'alinkb'],
    ['a window title', `${ESC}]0;pwned\u0007x`, 'x'],
    ['a clear-screen and a cursor move', `${ESC}[2J${ESC}[H${ESC}[10;20Hx`, 'x'],
    ['colours', `${ESC}[1;31mred${ESC}[0m`, 'red'],
    ['a terminal reset', `${ESC}cx`, 'x'],
    ['a DCS string', `${ESC}Pq#0;2;0;0;0${ESC}\\x`, 'x'],
    ['8-bit CSI and OSC', '\u009b2Jx\u009d0;t\u0007y', 'xy'],
    ['a lone ESC at the end, cut mid-sequence', `x${ESC}`, 'x'],
    ['a sequence cut before its final byte', `x${ESC}[12;`, 'x'],
    ['a carriage return that rewrites the line, a backspace, NUL, DEL', 'ok\rFAKE\b\u0000\u007f', 'okFAKE'],
    ['bidi overrides', 'a\u202eb\u2066c\u2069', 'abc']
  ])('removes %s', (_, text, inert) => {
    expect(inertText(text)).toBe(inert)
  })

  it('keeps printable text, tabs, line breaks and non-Latin scripts', () => {
    expect(inertText('café\t✅ 1.2 MB\r\nnext 行')).toBe('café\t✅ 1.2 MB\nnext 行')
  })

  it('on one line: line breaks and tabs become spaces', () => {
    expect(inertLine('a\nb\tc\r\nd')).toBe('a b c d')
  })
})

describe('inertExcept', () => {
  it("lets the command's own sequences through and nothing else", () => {
    const own = `${ESC}[31m`
    expect(inertExcept(`${own}red${ESC}[39m ${ESC}]8;;x\u0007l${ESC}]8;;\u0007`, [own])).toBe(`${own}red l`)
  })

  it('lets no placeholder character of the text pose as one of ours', () => {
    expect(inertExcept('\uf780x', [`${ESC}[31m`])).toBe('x')
  })

  it('with nothing allowed, is inertText', () => {
    expect(inertExcept(`${ESC}[31mred`, [])).toBe('red')
  })
})
