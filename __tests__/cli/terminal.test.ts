import { describe, expect, it } from '@jest/globals'
import { renderTerminalReport } from '../../src/cli/render.js'
import {
  clock,
  formatDuration,
  Output,
  OWN_SEQUENCES,
  painter,
  TerminalProgress,
  useColour,
  useLiveLine
} from '../../src/cli/terminal.js'
import { compareImages } from '../../src/judge/judge.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { limits, measured, revisions } from '../support/command-images.js'

const ESC = '\u001b'

class Buffer implements Output {
  text = ''
  constructor(readonly isTTY = false) {}
  write(text: string) {
    this.text += text
    return true
  }
}

describe("the command's painter", () => {
  it('cleans the text it paints, so that only its own codes wrap it', () => {
    const painted = painter(true)('red', `a${ESC}[2J${ESC}[32mb`)
    expect(painted).toBe(`${ESC}[31mab${ESC}[39m`)
    expect(OWN_SEQUENCES).toContain(`${ESC}[31m`)
    expect(painter(false)('red', `a${ESC}[2Jb`)).toBe('ab')
  })
})

describe('colour', () => {
  const tty = { write: () => true, isTTY: true }
  const pipe = { write: () => true, isTTY: false }
  it.each([
    [tty, {}, true],
    [pipe, {}, false],
    [tty, { NO_COLOR: '1' }, false],
    [tty, { CI: 'true' }, false],
    [tty, { TERM: 'dumb' }, false],
    [pipe, { FORCE_COLOR: '1' }, true],
    [tty, { FORCE_COLOR: '0' }, false],
    [pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false]
  ])('on %j with %j: %s', (stream, env, expected) => {
    expect(useColour(stream, env)).toBe(expected)
  })

  it('keeps the live line to terminals', () => {
    expect(useLiveLine(tty, {})).toBe(true)
    expect(useLiveLine(pipe, {})).toBe(false)
    expect(useLiveLine(tty, { CI: '1' })).toBe(false)
  })
})

describe('times', () => {
  it('reads as a person would say them', () => {
    expect(formatDuration(41_230)).toBe('41.2 s')
    expect(formatDuration(83_000)).toBe('1 min 23 s')
    expect(formatDuration(3_605_000)).toBe('60 min 05 s')
    expect(clock(0)).toBe('[00:00]')
    expect(clock(83_999)).toBe('[01:23]')
  })
})

describe('TerminalProgress', () => {
  function progress(options: { quiet?: boolean; live?: boolean; colour?: boolean } = {}) {
    const stream = new Buffer(options.live)
    let now = 1_000
    const tick = (ms: number) => (now += ms)
    const terminal = new TerminalProgress({
      stream,
      colour: options.colour ?? false,
      live: options.live ?? false,
      quiet: options.quiet ?? false,
      verbose: false,
      limits,
      now: () => now
    })
    return { stream, tick, terminal }
  }

  it('prints in a pipe one line per step and one per image, each with the elapsed time, in plain text', async () => {
    const { stream, tick, terminal } = progress()
    tick(5_000)
    const value = await terminal.group('Build head: a/Dockerfile', () => {
      tick(61_000)
      return Promise.resolve(42)
    })
    expect(value).toBe(42)
    terminal.info('head a/Dockerfile: 400 bytes in 61.0 s')
    terminal.warning('The base build of a/Dockerfile failed')
    terminal.imageDone(measured('a/Dockerfile', 100_000, 400_000))
    expect(stream.text.split('\n')).toEqual([
      '[00:05] Build head: a/Dockerfile …',
      '[01:06]   head a/Dockerfile: 400 bytes in 61.0 s',
      '[01:06] warning: The base build of a/Dockerfile failed',
      '[01:06] a/Dockerfile: 100 kB → 400 kB +300 kB (+300%), ❌ over limit',
      ''
    ])
    expect(terminal.streamBuilds).toBe(false)
  })

  it('on a terminal, ends the step line with its duration and colours the image line by verdict', async () => {
    const { stream, tick, terminal } = progress({ live: true, colour: true })
    await terminal.group('Changes', () => Promise.resolve(tick(1_500)))
    terminal.imageDone(measured('a/Dockerfile', 400_000, 100_000))
    expect(stream.text).toContain('\r\x1b[2K')
    expect(stream.text).toContain('Changes\x1b[22m \x1b[2m(1.5 s)\x1b[22m\n')
    expect(stream.text).toContain('\x1b[32ma/Dockerfile: 400 kB → 100 kB -300 kB (-75%), 📉 smaller\x1b[39m')
  })

  it('judges an image by its own limit, as the final table does', () => {
    const { stream, terminal } = progress()
    // Grows 5%: within the global 10%, past the image's own 1%.
    const strict = measured('a/Dockerfile', 100_000, 105_000)
    strict.target.name = 'strict api'
    strict.target.limits = { maxIncrease: parseGrowthThreshold('max-increase', '1%') }
    terminal.imageDone(strict)
    const table = renderTerminalReport(compareImages(revisions, [strict], limits), {
      limits,
      baseName: 'main',
      headName: 'the working tree',
      runError: null,
      colour: false
    })
    expect(stream.text).toContain('strict api: 100 kB → 105 kB +5 kB (+5%), ❌ over limit')
    expect(table).toMatch(/strict api.*over limit/)
  })

  it('says nothing when quiet, and still runs the work', async () => {
    const { stream, terminal } = progress({ quiet: true })
    expect(await terminal.group('Changes', () => Promise.resolve('done'))).toBe('done')
    terminal.info('x')
    terminal.warning('y')
    terminal.imageDone(measured('a/Dockerfile', 1, 2))
    expect(stream.text).toBe('')
  })
})
