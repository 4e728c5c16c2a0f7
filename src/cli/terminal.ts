import { Progress } from '../scheduler/progress.js'
import { judgeImage } from '../judge/judge.js'
import { formatDelta, formatPercent, formatSize } from '../shared/sizes.js'
import { statusOf } from '../report/markdown.js'
import { ImageResult, labelOf, Limits, MeasuredImage, Verdict } from '../shared/types.js'
import { inertExcept, inertText } from '../shared/inert.js'
import type { OutputSink } from '../shared/logger.js'

/** The part of a stream the command writes to: process.stdout, process.stderr or a test's buffer. */
export interface Output {
  write(text: string): unknown
  isTTY?: boolean
}

/**
 * Colour only where a person reads a terminal: never in pipes or CI logs, never with
 * NO_COLOR set (https://no-color.org); FORCE_COLOR asks for it anywhere.
 */
export function useColour(stream: Output, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  return stream.isTTY === true && env.TERM !== 'dumb' && !env.CI
}

/** A line rewritten in place every second needs a terminal; in pipes and CI each line stays. */
export function useLiveLine(stream: Output, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb' && !env.CI
}

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan'

const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39]
}

export const VERDICT_STYLE: Record<Verdict, Style> = { pass: 'green', warn: 'yellow', fail: 'red', error: 'red' }

export type Paint = (style: Style, text: string) => string

/** Paints text, whose own escape sequences and control characters go first (shared/inert.ts). */
export function painter(colour: boolean): Paint {
  return (style, text) =>
    colour ? `\x1b[${CODES[style][0]}m${inertText(text)}\x1b[${CODES[style][1]}m` : inertText(text)
}

/** What clears the live line before the next is drawn. */
const CLEAR_LINE = '\r\x1b[2K'

/** Every escape sequence the command writes itself: its colours, and the clearing of its live line. */
export const OWN_SEQUENCES: readonly string[] = [
  ...new Set(Object.values(CODES).flatMap(codes => codes.map(code => `\x1b[${code}m`))),
  CLEAR_LINE
]

/**
 * The last guard on one of the command's streams: whatever is written, only the command's
 * own sequences reach the terminal (its colours where it paints, the live line's clearing
 * where it draws one), and no other escape sequence or control character. Each outside
 * string is cleaned where it enters the output too (painter, TerminalProgress), so that one
 * cannot pass for one of ours either.
 */
export function inertOutput(stream: Output, own: { colour: boolean; live: boolean }): Output {
  const allowed = OWN_SEQUENCES.filter(sequence => (sequence === CLEAR_LINE ? own.live : own.colour))
  return { write: text => stream.write(inertExcept(text, allowed)), isTTY: stream.isTTY }
}

/** 41200 → "41.2 s", 83000 → "1 min 23 s". */
export function formatDuration(ms: number): string {
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const whole = Math.round(seconds)
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`
}

/** The elapsed time that opens every progress line: "[01:23]". */
export function clock(ms: number): string {
  const whole = Math.floor(ms / 1000)
  const minutes = Math.floor(whole / 60)
  return `[${String(minutes).padStart(2, '0')}:${String(whole % 60).padStart(2, '0')}]`
}

/** One line on one image, as soon as both its sides are measured: "calculator/Dockerfile 1.27 MB → 841 MB +840 MB (+66,155%) ❌ over limit". */
function imageLine(result: ImageResult): string {
  const sides = `${result.base ? formatSize(result.base.size) : '—'} → ${result.head ? formatSize(result.head.size) : '—'}`
  const delta =
    result.delta === null
      ? ''
      : ` ${formatDelta(result.delta)}${result.deltaPercent === null ? '' : ` (${formatPercent(result.deltaPercent)})`}`
  return `${labelOf(result.target)}: ${sides}${delta}, ${statusOf(result)}`
}

export interface TerminalProgressOptions {
  stream: Output
  colour: boolean
  /** Rewrite the current step's line every second with its elapsed time. */
  live: boolean
  quiet: boolean
  /** Stream the builds' output (and then no live line, which it would tear). */
  verbose: boolean
  limits: Limits
  now?: () => number
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * The command's Logger (and the scheduler's Progress): one line per step with the elapsed time, kept alive on a terminal,
 * one line per image once measured. Written to stderr, so stdout holds the result alone.
 */
export class TerminalProgress implements Progress {
  readonly streamBuilds: boolean
  private readonly started: number
  private readonly now: () => number
  private readonly paint: Paint
  /** The live line on screen, if any, to clear before anything else is written. */
  private liveLine = false

  constructor(private readonly options: TerminalProgressOptions) {
    this.now = options.now ?? Date.now
    this.started = this.now()
    this.paint = painter(options.colour)
    this.streamBuilds = options.verbose
  }

  elapsed(): number {
    return this.now() - this.started
  }

  elapsedText(): string {
    return formatDuration(this.elapsed())
  }

  paintDim(text: string): string {
    return this.paint('dim', text)
  }

  async group<T>(title: string, work: () => Promise<T>): Promise<T> {
    if (this.options.quiet) return work()
    const stepStarted = this.now()
    const prefix = `${this.paint('dim', clock(this.elapsed()))} ${this.paint('bold', title)}`
    if (!this.options.live || this.options.verbose) {
      this.line(`${prefix} …`)
      return work()
    }
    let frame = 0
    const draw = () => {
      const spent = formatDuration(this.now() - stepStarted)
      this.options.stream.write(
        `${CLEAR_LINE}${prefix} ${this.paint('cyan', SPINNER[frame++ % SPINNER.length] ?? '')} ${this.paint('dim', spent)}`
      )
      this.liveLine = true
    }
    draw()
    const timer = setInterval(draw, 1000)
    try {
      return await work()
    } finally {
      clearInterval(timer)
      this.clearLive()
      this.line(`${prefix} ${this.paint('dim', `(${formatDuration(this.now() - stepStarted)})`)}`)
    }
  }

  info(message: string): void {
    if (this.options.quiet) return
    this.line(`${this.paint('dim', clock(this.elapsed()))}   ${inertText(message)}`)
  }

  warning(message: string): void {
    if (this.options.quiet) return
    this.line(`${this.paint('dim', clock(this.elapsed()))} ${this.paint('yellow', `warning: ${message}`)}`)
  }

  /** Shown even with --quiet: an error is never what the user asked not to see. */
  error(message: string): void {
    this.line(`${this.paint('dim', clock(this.elapsed()))} ${this.paint('red', `error: ${message}`)}`)
  }

  debug(message: string): void {
    if (this.options.verbose) this.line(this.paint('dim', message))
  }

  /** A build's output as it comes (--verbose), cleaned like every other outside string. */
  commandOutput(): OutputSink {
    return {
      write: text => {
        this.clearLive()
        this.options.stream.write(inertText(text))
      },
      end: () => undefined
    }
  }

  imageDone(image: MeasuredImage): void {
    if (this.options.quiet) return
    // The same judgement as the final table, image by image as each one is done.
    const result = judgeImage(image, this.options.limits)
    this.line(
      `${this.paint('dim', clock(this.elapsed()))} ${this.paint(VERDICT_STYLE[result.verdict], imageLine(result))}`
    )
  }

  private line(text: string): void {
    this.clearLive()
    this.options.stream.write(`${text}\n`)
  }

  private clearLive(): void {
    if (!this.liveLine) return
    this.options.stream.write(CLEAR_LINE)
    this.liveLine = false
  }
}
