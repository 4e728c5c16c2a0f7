import * as z from 'zod'
import { FORBIDDEN_CHARACTERS } from './forbidden-characters.js'

// The kinds of field a run file holds, each defined once for both directions:
// - `write`: what this tool makes of its own, honest data so that the reader accepts it
//   (colour codes and control characters removed, long text cut with a marker, log tails
//   bounded in lines and characters);
// - `read`: what a file written by anyone must satisfy (a fork's PR can write its artifact
//   byte by byte): the same limits, enforced; text kept as written, since the report shows it inside code;
// - `stored`: our own measurement kept as it was measured and read back as kept (the baseline
//   records, which the record run signs): the same bounds, text neither cleaned nor checked, so
//   that an instruction read back from a record is the one measured, and matches the head's.
// A limit changed here changes the writer, the reader and the records together.

export type Direction = 'write' | 'read' | 'stored'

/**
 * Caps on what a run file or a baseline record may hold; well above any real run, far below
 * what could hurt. One bound a list: where the run files and the records had two (1,000 and
 * 2,000 instructions), the larger is kept, so no file an earlier release wrote is refused.
 */
export const FIELD_LIMITS = {
  /** The file's size. A real report of 1,000 images with failed builds is under 1 MB. */
  maxBytes: 4 * 1024 * 1024,
  maxImages: 1000,
  /** A path from the repository root (Linux allows 4,096; no repository needs that). */
  maxPath: 1024,
  /** A reason, an error, an instruction, an engine field. */
  maxText: 2000,
  /** A name from the images config. */
  maxName: 200,
  /** The last lines of a failed build's output: at most this many characters… */
  maxLog: 8000,
  /** …and this many lines (the build keeps 20). */
  maxLogLines: 20,
  maxSize: Number.MAX_SAFE_INTEGER,
  maxLayers: 10_000,
  /** Instructions of one image's stage, and stages of its Dockerfile. */
  maxInstructions: 2000,
  /** A line of a Dockerfile (1-based). */
  maxLine: 1_000_000,
  /** An instruction's keyword (the longest, HEALTHCHECK, has 11 letters). */
  maxKeyword: 32,
  /**
   * An instruction's arguments as a baseline record keeps them: whole, because a base read from
   * a record is matched to the head's instructions by this text (explain/match.ts), and a cut
   * one would never match. A run file cuts them at `maxText`: it only shows them.
   */
  maxStoredArgs: 4000,
  /** An image id as an engine or a registry gives it (sha256:<64 hex digits>). */
  maxId: 200,
  /** What a stage starts from (`FROM debian:bookworm`): an image reference or a stage's name. */
  maxFrom: 500,
  /** A baseline record holds every image of the default branch, a run file those of one PR. */
  maxRecordedImages: 2000,
  /** Records a trend reads and shows: GitHub's chart reads well up to about 30 points. */
  maxTrend: 30,
  maxNotes: 20
} as const

/** What a cut field ends (or, for a log, starts) with. */
const CUT_MARKER = '…'

// CSI and OSC sequences (colours, cursor moves, titles, links) as terminals and BuildKit write them.
const ESCAPE_SEQUENCE =
  // eslint-disable-next-line no-control-regex -- escape sequences are what this removes
  /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])|\u009b[0-?]*[ -/]*[@-~]/g
const C1_CONTROLS = /[\u0080-\u009f]/g
const ALL_FORBIDDEN = new RegExp(FORBIDDEN_CHARACTERS.source, 'g')

function stripControls(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(ALL_FORBIDDEN, '').replace(C1_CONTROLS, '')
}

/** One line of text as the reader accepts it: whitespace controls become spaces, others go, cut at `max`. */
function cleanLine(text: string, max: number): string {
  const line = stripControls(text.replace(/\r\n|[\r\n\t]/g, ' '))
  return cutEnd(line, max)
}

/**
 * A build's log tail as the reader accepts it. A `\r` rewrites the line on a terminal (progress
 * bars), so only what follows the last one stays; the last `maxLogLines` lines, and of those
 * the last `maxLog` characters, starting with the marker when cut.
 */
export function cleanLog(text: string): string {
  const lines = text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map(line => stripControls(line.slice(line.lastIndexOf('\r') + 1)).replace(/\t/g, '    '))
  while (lines.length > 1 && lines.at(-1)?.trim() === '') lines.pop()
  while (lines.length > 1 && lines[0]?.trim() === '') lines.shift()
  const tail = lines.slice(-FIELD_LIMITS.maxLogLines).join('\n')
  if (tail.length <= FIELD_LIMITS.maxLog) return tail
  let rest = tail.slice(-(FIELD_LIMITS.maxLog - CUT_MARKER.length))
  // Never start with half a surrogate pair.
  if (/^[\uDC00-\uDFFF]/.test(rest)) rest = rest.slice(1)
  return CUT_MARKER + rest
}

function cutEnd(text: string, max: number): string {
  if (text.length <= max) return text
  let cut = text.slice(0, max - CUT_MARKER.length)
  // Never split a surrogate pair: half an emoji is a broken character.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return cut + CUT_MARKER
}

/** A little of a refused value, JSON-quoted, for the message. */
export function short(value: unknown): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value)
  return text === undefined ? typeof value : text.length > 40 ? `${text.slice(0, 40)}…` : text
}

const tooLong = (max: number) => ({
  error: (issue: { input?: unknown }) =>
    `is ${typeof issue.input === 'string' ? issue.input.length : '?'} characters long, over the limit of ${max}.`
})
const noControls = (multiline: boolean) => (value: string) =>
  !FORBIDDEN_CHARACTERS.test(value) && !/[\u0080-\u009f]/.test(value) && (multiline || !/[\n\r\t]/.test(value))

/** One line of text: a reason, an error, a name. */
export function text(direction: Direction, max: number = FIELD_LIMITS.maxText) {
  if (direction === 'write') return z.string().transform(value => cleanLine(value, max))
  if (direction === 'stored') return z.string().max(max, tooLong(max))
  return z.string().max(max, tooLong(max)).refine(noControls(false), { error: 'holds control characters.' })
}

/**
 * The last lines of a build's output. Shown only inside `<pre>`, escaped, where GitHub links
 * no mentions or references, so it stays as docker wrote it (BuildKit numbers its steps `#5`).
 */
export function log(direction: Direction) {
  if (direction === 'write') return z.string().transform(cleanLog)
  if (direction === 'stored') return z.string().max(FIELD_LIMITS.maxLog, tooLong(FIELD_LIMITS.maxLog))
  return z
    .string()
    .max(FIELD_LIMITS.maxLog, tooLong(FIELD_LIMITS.maxLog))
    .refine(noControls(true), { error: 'holds control characters.' })
    .refine(value => value.split('\n').length <= FIELD_LIMITS.maxLogLines, {
      error: `holds more than ${FIELD_LIMITS.maxLogLines} lines.`
    })
}

/**
 * A relative path inside the repository: no `..` step, no leading `/`, no empty step and no
 * URL scheme (`https://evil.example/login` is no path a repository holds, and would be a link).
 */
export function path(direction: Direction, allowEmpty = false) {
  const inside = (value: string) =>
    (allowEmpty && value === '') ||
    (value !== '' &&
      !value.startsWith('/') &&
      !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) &&
      !value.split('/').some(step => step === '..' || step === ''))
  if (direction === 'write') return z.string().transform(value => cleanLine(value, FIELD_LIMITS.maxPath))
  if (direction === 'stored') return z.string().max(FIELD_LIMITS.maxPath, tooLong(FIELD_LIMITS.maxPath))
  return z
    .string()
    .max(FIELD_LIMITS.maxPath, tooLong(FIELD_LIMITS.maxPath))
    .refine(noControls(false), { error: 'holds control characters.', abort: true })
    .refine(inside, { error: 'is not a path inside the repository.' })
}

export function wholeNumber(min: number, max: number) {
  const error = (issue: { input?: unknown }) =>
    issue.input === undefined
      ? 'is missing.'
      : `is ${short(issue.input)}; expected a whole number from ${min} to ${max}.`
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error })
}

/** A commit SHA (SHA-1 or SHA-256); '' where `allowEmpty` (a run that stopped before it knew). */
export function sha(allowEmpty = false) {
  return z
    .string({ error: issue => `is ${short(issue.input)}; expected a commit SHA of 40 hex digits.` })
    .refine(value => (allowEmpty && value === '') || /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(value), {
      error: issue => `is ${short(issue.input)}; expected a commit SHA of 40 hex digits.`
    })
}

export function oneOf<const T extends readonly [string, ...string[]]>(choices: T) {
  return z.enum(choices, {
    error: issue => `is ${short(issue.input)}; expected one of ${choices.join(', ')}.`
  })
}

/**
 * The message for the first problem of a failed parse, naming the field as
 * `images[0].head.size`. A list over its cap is said first: its entries' own problems are
 * beside the point then.
 */
export function describeIssue(error: z.ZodError, root: string): string {
  const issue = error.issues.find(candidate => candidate.code === 'too_big') ?? error.issues[0]
  if (!issue) return `${root} is not valid.`
  const at = issue.path.reduce<string>(
    (sum, step) => (typeof step === 'number' ? `${sum}[${step}]` : sum ? `${sum}.${String(step)}` : String(step)),
    ''
  )
  if (/^[A-Z]/.test(issue.message)) return issue.message
  return `${at || root} ${issue.message}`
}

/** Messages for what no field's own error names: a missing field, an object or list of the wrong type. */
export function genericError(issue: { code: string; input?: unknown; expected?: string }): string | undefined {
  if (issue.input === undefined) return 'is missing.'
  if (issue.code === 'invalid_type') {
    if (issue.expected === 'object') return 'is not an object.'
    if (issue.expected === 'array') return 'is not a list.'
    return `is ${short(issue.input)}; expected a ${issue.expected ?? 'value'}.`
  }
  return undefined
}
