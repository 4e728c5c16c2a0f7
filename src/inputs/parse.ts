import { InputError, errorMessage } from '../shared/errors.js'
import { DEFAULT_DOCKERFILE_GLOBS } from './globs.js'
import { COMMENT_KEY_PATTERN } from './comment-key.js'
import { assertRecordsRef, DEFAULT_RECORDS_REF } from './records-ref.js'

// The parsers of the input table (table.ts). Each takes the text and the `label` the user
// knows the value by: the input's name in the action (`max-increase`), the flag in the
// command (`--max-increase`). Their errors are InputErrors that name the label, the value
// and the fix.

export const BASELINE_MODES = ['auto', 'record', 'build'] as const
export const DEFAULT_RECORDS_DEPTH = 50

export const COMMENT_MODES = ['always', 'changed', 'never'] as const
export type CommentMode = (typeof COMMENT_MODES)[number]

/**
 * What a run does. `check` builds, measures and comments; `measure` builds and measures and
 * leaves the comment to a later `comment` run (the fork-safe two-step workflow in docs/forks.md);
 * `merge` publishes the reports of several shards as one; `record` measures the default
 * branch's images and stores them as baseline records for later PR runs. A new mode is one more entry here
 * and a branch in main.ts.
 */
export const RUN_MODES = ['check', 'measure', 'comment', 'merge', 'record'] as const

/** Where `actions/download-artifact` puts the shards' reports in docs/monorepos.md's shard workflow. */
export const DEFAULT_REPORTS = 'docker-size-reports'

/** The `dockerfiles` input; empty means the usual names at any depth. */
export function parseDockerfileGlobs(value: string, label = 'dockerfiles'): string[] {
  const globs = parseList(value)
  for (const glob of globs) {
    const problem = unbalancedGlob(glob)
    if (problem) {
      throw new InputError(
        `Invalid ${label} '${value}': the glob '${glob}' has ${problem}. Expected globs one a line or separated by ` +
          'commas, such as services/*/Dockerfile (a YAML list in [ ] is not read as one; write one glob a line).'
      )
    }
  }
  return globs.length ? globs : DEFAULT_DOCKERFILE_GLOBS
}

/** Brackets and braces a glob opens and never closes (or closes unopened); such a glob matches nothing. */
function unbalancedGlob(glob: string): string | null {
  const closing = { '[': ']', '{': '}' } as const
  const open: string[] = []
  for (let i = 0; i < glob.length; i++) {
    const char = glob.charAt(i)
    if (char === '\\') {
      i++
      continue
    }
    if (char === '[' || char === '{') open.push(closing[char])
    else if (char === ']' || char === '}') {
      if (open.pop() !== char) return `a '${char}' that closes nothing`
    }
  }
  return open.length ? `an unclosed '${open[open.length - 1] === ']' ? '[' : '{'}'` : null
}

const MAX_PARALLEL = 32

export function parseParallel(value: string, label = 'parallel'): number {
  const text = value.trim()
  if (text === '') return 1
  const count = Number(text)
  if (!/^\d+$/.test(text) || count < 1 || count > MAX_PARALLEL) {
    throw new InputError(
      `Invalid ${label} '${text}'. Expected how many builds may run at once, a whole number from 1 to ${MAX_PARALLEL} ` +
        '(about the number of cores: 2 on a standard hosted runner).'
    )
  }
  return count
}

export function parseRecordsRef(value: string, label = 'records-ref'): string {
  const text = value.trim()
  if (text === '') return DEFAULT_RECORDS_REF
  try {
    assertRecordsRef(text, label)
  } catch (error) {
    throw new InputError(errorMessage(error))
  }
  return text
}

const MAX_RECORDS_DEPTH = 1000

export function parseRecordsDepth(value: string, label = 'records-depth'): number {
  const text = value.trim()
  if (text === '') return DEFAULT_RECORDS_DEPTH
  const depth = Number(text)
  if (!/^\d+$/.test(text) || depth < 1 || depth > MAX_RECORDS_DEPTH) {
    throw new InputError(
      `Invalid ${label} '${text}'. Expected how many commits of the base branch to search for a record, ` +
        `a whole number from 1 to ${MAX_RECORDS_DEPTH}, such as ${DEFAULT_RECORDS_DEPTH}.`
    )
  }
  return depth
}

/** Splits a list input written one item a line or separated by commas; `#` starts a comment line. */
export function parseList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map(item => item.trim())
    .filter(item => item !== '' && !item.startsWith('#'))
}

export function parseChoice<T extends string>(input: string, value: string, choices: readonly T[], fallback: T): T {
  const text = value.trim()
  if (text === '') return fallback
  const match = choices.find(choice => choice === text.toLowerCase())
  if (match) return match
  throw new InputError(`Invalid ${input} '${text}'. Expected one of: ${choices.join(', ')}.`)
}

export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  const text = value.trim().toLowerCase()
  if (text === '') return fallback
  if (text === 'true') return true
  if (text === 'false') return false
  throw new InputError(`Invalid ${input} '${value.trim()}'. Expected true or false.`)
}

export function parseCommentKey(value: string, label = 'comment-key'): string {
  const text = value.trim()
  if (text === '') return 'default'
  // The key is written into an HTML comment; `--` or `>` would close it early.
  if (!COMMENT_KEY_PATTERN.test(text)) {
    throw new InputError(
      `Invalid ${label} '${text}'. Use up to 64 letters, digits, dots, underscores or hyphens, such as 'api-images'.`
    )
  }
  return text
}

export function parseCommentAuthor(value: string, label = 'comment-author'): string {
  const text = value.trim()
  // GitHub logins: letters, digits and single hyphens, up to 39; an app's bot adds `[bot]`.
  if (text !== '' && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/.test(text)) {
    throw new InputError(
      `Invalid ${label} '${text}'. Give the login that posts the comment, such as 'my-app[bot]', or leave it empty.`
    )
  }
  return text
}

/** Any revision git understands (HEAD~2, a short SHA, origin/main), but nothing git would read as an option. */
export function parseRevision(ref: string, label: string): string {
  if (ref.trim() === '' || ref.startsWith('-')) {
    throw new InputError(
      `Invalid ${label} '${ref}': expected a branch, tag or commit (such as main, v1.2.0 or HEAD~1).`
    )
  }
  return ref
}

/**
 * A buildx builder's name, as `docker buildx create` allows it; empty: the current builder.
 * It goes on the build's command line, so nothing that git or docker could read as an option.
 */
export function parseBuilderName(value: string, label = 'builder'): string {
  const text = value.trim()
  if (text !== '' && !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(text)) {
    throw new InputError(
      `Invalid ${label} '${text}'. Expected the name of a buildx builder (letters, digits, '.', '_' and '-'), ` +
        'such as the name output of docker/setup-buildx-action, or nothing for the current builder.'
    )
  }
  return text
}
