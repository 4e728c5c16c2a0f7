/**
 * The step that broke a build, read from the last lines of its output, so that the failure
 * section can show it first: the instruction, the Dockerfile's line, and that step's own last
 * lines of output, rather than the first lines of the log (BuildKit's `#1 [internal] load
 * build definition`), which say nothing about why.
 *
 * What the builders print (recorded here, buildx 0.13 and Docker 28's BuildKit, and the legacy builder):
 * - BuildKit, one block per step: `#7 [3/4] RUN make`, its output as `#7 0.257 text`, and
 *   `#7 ERROR: …` when it fails. After the progress, a summary of the failed step:
 *   `------`, ` > [3/4] RUN make:`, its last lines of output (`0.257 text`), `------`; newer
 *   BuildKit then quotes the Dockerfile: `Dockerfile:3`, `--------------------`,
 *   `   3 | >>> RUN make`, …; and last `ERROR: failed to solve: …`.
 * - the legacy builder: `Step 3/4 : RUN make`, ` ---> Running in 0a1b…`, the output as it
 *   is, and `The command '/bin/sh -c make' returned a non-zero code: 2`.
 * All of it is build output, hostile text: this only picks lines, the renderer escapes them.
 */

import { allInstructions } from '../tools/dockerfile.js'

export interface FailedStep {
  /** The instruction as the builder names it: `RUN make`; null when the log does not say. */
  instruction: string | null
  /** BuildKit's `[stage i/n]` or the legacy builder's `i/n`. */
  step: string | null
  /** The Dockerfile's line, where the builder quotes it. */
  line: number | null
  /** The step's own last lines of output, timestamps taken off. */
  output: string[]
  /** The line that says why, when there is one. */
  error: string | null
}

/** Lines of a step's own output the section shows. */
const STEP_LINES = 10

const SUMMARY_HEAD = /^ > \[([^\]]+)\] (.+):$/
const VERTEX_HEAD = /^#(\d+) \[([^\]]+)\] (.+)$/
const VERTEX_ERROR = /^#(\d+) ERROR: (.+)$/
const SOLVE_ERROR = /^ERROR: (?:failed to solve: )?(.+)$/
const EXCERPT_HEAD = /^(?:\S+):(\d+)$/
const EXCERPT_MARK = /^\s*(\d+) \| >>> ?(.*)$/
const LEGACY_STEP = /^Step (\d+\/\d+) : (.+)$/
const LEGACY_ERROR = /^(The command .+ returned a non-zero code: \d+)$/
const TIMESTAMP = /^\d+\.\d+ /

export function parseFailedStep(log: string): FailedStep | null {
  const lines = log.split('\n')
  return buildkitStep(lines) ?? legacyStep(lines)
}

function buildkitStep(lines: string[]): FailedStep | null {
  const solve = lastMatch(lines, SOLVE_ERROR)
  const error = solve ? (solve.match[1] as string) : null
  const line = excerptLine(lines)
  // The summary BuildKit prints after the progress: the instruction and its last lines.
  const summary = lastMatch(lines, SUMMARY_HEAD)
  if (summary) {
    const output: string[] = []
    for (const text of lines.slice(summary.index + 1)) {
      if (/^-{6,}$/.test(text)) break
      output.push(text.replace(TIMESTAMP, ''))
    }
    return {
      step: summary.match[1] as string,
      instruction: summary.match[2] as string,
      line: line?.number ?? null,
      output: output.slice(-STEP_LINES),
      error
    }
  }
  // No summary (cut off, or an older BuildKit): the vertex that reports an ERROR.
  const failed = lastMatch(lines, VERTEX_ERROR)
  if (failed) {
    const vertex = failed.match[1] as string
    const head = lines.map(text => VERTEX_HEAD.exec(text)).find(match => match?.[1] === vertex)
    const prefix = `#${vertex} `
    const output = lines
      .slice(0, failed.index)
      .filter(text => text.startsWith(prefix) && !VERTEX_HEAD.test(text))
      .map(text => text.slice(prefix.length).replace(TIMESTAMP, ''))
      .filter(text => !/^(DONE|CACHED|ERROR)\b/.test(text))
    return {
      step: head?.[2] ?? null,
      instruction: head?.[3] ?? line?.instruction ?? null,
      line: line?.number ?? null,
      output: output.slice(-STEP_LINES),
      error: error ?? (failed.match[2] as string)
    }
  }
  if (line) return { step: null, instruction: line.instruction, line: line.number, output: [], error }
  return null
}

/** BuildKit's quote of the Dockerfile: `Dockerfile:3`, a rule, then `   3 | >>> RUN make`. */
function excerptLine(lines: string[]): { number: number; instruction: string | null } | null {
  for (let i = lines.length - 1; i > 0; i--) {
    const mark = EXCERPT_MARK.exec(lines[i] as string)
    if (!mark) continue
    // Walk up to the excerpt's head, which names the first line the arrow marks.
    for (let j = i - 1; j >= 0 && i - j < 20; j--) {
      const head = EXCERPT_HEAD.exec(lines[j] as string)
      if (head) return { number: Number(head[1]), instruction: firstMarked(lines, j) }
    }
    return { number: Number(mark[1]), instruction: mark[2] || null }
  }
  return null
}

function firstMarked(lines: string[], from: number): string | null {
  for (const text of lines.slice(from + 1, from + 30)) {
    const mark = EXCERPT_MARK.exec(text)
    if (mark) return mark[2]?.trim() || null
  }
  return null
}

function legacyStep(lines: string[]): FailedStep | null {
  const step = lastMatch(lines, LEGACY_STEP)
  const failed = lastMatch(lines, LEGACY_ERROR)
  if (!step && !failed) return null
  const from = step ? step.index + 1 : 0
  const to = failed && failed.index >= from ? failed.index : lines.length
  const output = lines.slice(from, to).filter(text => !/^ ---> /.test(text) && !/^Removing intermediate/.test(text))
  return {
    step: step ? (step.match[1] as string) : null,
    instruction: step ? (step.match[2] as string) : null,
    line: null,
    output: output.slice(-STEP_LINES),
    error: failed ? (failed.match[1] as string) : null
  }
}

function lastMatch(lines: string[], pattern: RegExp): { index: number; match: RegExpExecArray } | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = pattern.exec(lines[i] as string)
    if (match) return { index: i, match }
  }
  return null
}

/**
 * The Dockerfile line of the failing step, where the builder's output names the step but
 * quotes no line (BuildKit before Docker 23, the legacy builder): the one instruction of the
 * file that says the same, whitespace aside. Null when none or several do, or the log names
 * no step: a wrong line is worse than none.
 */
export function failedStepLine(log: string, dockerfile: string): number | null {
  const step = parseFailedStep(log)
  if (!step) return null
  if (step.line !== null) return step.line
  if (!step.instruction) return null
  const wanted = normalize(step.instruction)
  let matches: number[]
  try {
    matches = allInstructions(dockerfile)
      .filter(instruction => normalize(`${instruction.keyword} ${instruction.args}`) === wanted)
      .map(instruction => instruction.line)
  } catch {
    return null
  }
  return matches.length === 1 ? (matches[0] as number) : null
}

/** One space between words, the keyword in upper case (`run` is RUN). */
function normalize(text: string): string {
  const [keyword = '', ...rest] = text.trim().split(/\s+/)
  return [keyword.toUpperCase(), ...rest].join(' ')
}
