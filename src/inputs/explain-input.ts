import { InputError } from '../shared/errors.js'

/** What the comment explains beyond the sizes. */
export interface ExplainSettings {
  /** The folders and files that grew or shrank (reads the layers the two sides do not share). */
  paths: boolean
  /** The instructions that moved the most bytes. */
  instructions: boolean
}

const EXPLAIN_CHOICES = ['paths', 'instructions'] as const

const DEFAULT_EXPLAIN: ExplainSettings = { paths: true, instructions: true }

/** `paths,instructions` (the default), either one, or `none`. */
export function parseExplain(value: string, label = 'explain'): ExplainSettings {
  const text = value.trim()
  if (text === '') return { ...DEFAULT_EXPLAIN }
  const names = text
    .split(/[\s,]+/)
    .map(name => name.trim().toLowerCase())
    .filter(Boolean)
  if (names.length === 1 && names[0] === 'none') return { paths: false, instructions: false }
  const unknown = names.filter(name => !(EXPLAIN_CHOICES as readonly string[]).includes(name))
  if (unknown.length) {
    throw new InputError(
      `Invalid ${label} '${text}': ${unknown.map(name => `'${name}'`).join(', ')} is not one of ${EXPLAIN_CHOICES.join(', ')}. ` +
        "Expected a comma-separated list such as 'paths,instructions' (the default), 'instructions', or 'none'."
    )
  }
  return { paths: names.includes('paths'), instructions: names.includes('instructions') }
}
