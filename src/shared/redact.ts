/**
 * Takes secret values out of text before it becomes part of the run's data. The runner masks
 * secrets in the job log only; the comment, the job summary, the JSON report and the measure
 * artifact are written from that data, so a secret a failing build prints must be gone from
 * it before any of them sees it.
 */
export type Redact = (text: string) => string

const REDACTED = '***'

/**
 * Lines of a multi-line value shorter than this are not redacted on their own: a line such
 * as `}` or `==` would blank out every build log that holds the character. The whole value
 * and its longer lines still are.
 */
const MIN_LINE_LENGTH = 4

/**
 * What to look for: each value whole, and each line of a multi-line value (a build prints a
 * key file line by line, under prefixes of its own), with and without its surrounding
 * whitespace. Longest first, so a line inside a value never cuts the value in two.
 */
export function secretFragments(values: Iterable<string>): string[] {
  const fragments = new Set<string>()
  for (const value of values) {
    if (value.trim() === '') continue
    fragments.add(value)
    const lines = value.split(/\r\n|\r|\n/)
    if (lines.length === 1) {
      fragments.add(value.trim())
      continue
    }
    for (const line of lines) {
      for (const fragment of [line, line.trim()]) if (fragment.trim().length >= MIN_LINE_LENGTH) fragments.add(fragment)
    }
  }
  return [...fragments].sort((a, b) => b.length - a.length)
}

export function redactor(values: Iterable<string>): Redact {
  const fragments = secretFragments(values)
  if (fragments.length === 0) return text => text
  return text => fragments.reduce((result, fragment) => result.split(fragment).join(REDACTED), text)
}
