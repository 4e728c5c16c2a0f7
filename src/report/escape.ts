/**
 * How text from outside (a path, a folder or config name, a changed file, a stage name, a
 * build's output or failure reason, any field of a measure run's artifact) is put into the
 * comment and the job summary, which GitHub renders as markdown. Every such string is
 * hostile: a folder named `[Approve](https:evil.example)` must not become a link, a changed
 * file `@octocat #1.txt` must not ping anyone or back-link an issue.
 *
 * GitHub turns text into links, mentions (`@name`), references (`#1`, `GH-1`, a commit SHA),
 * images and HTML everywhere except inside code. So hostile text goes inside code, and the
 * kind of code depends on where it stands:
 * - in markdown (a paragraph, a table cell, inline HTML such as `<sub>` in a cell): a code
 *   span, fenced with more backticks than any run inside it. An HTML `<code>` element is
 *   no code there: cmark still parses the markdown between its tags, links included.
 * - in an HTML block (a line that starts with `<details>`, where `<summary>` stands), which
 *   GitHub does not parse as markdown: a `<code>` element, its text HTML-escaped.
 * - a build's output: a `<pre>` block, HTML-escaped.
 * Bidirectional controls, which make text read differently than it is, and control
 * characters are removed from all of it.
 */

/** Bidirectional embeddings, overrides and isolates, and the marks (LRM, RLM, ALM). */
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g
/** C0 controls but tab and the line breaks, and DEL: terminal colours, NUL, backspaces. */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern removes
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g

/** The text with bidi and control characters removed; line breaks become `\n`. */
export function cleanText(text: string): string {
  return text.replace(BIDI, '').replace(CONTROLS, '').replace(/\r\n?/g, '\n')
}

/** Cleaned and on one line: a line break would end a table row or start a block. */
function oneLine(text: string, max?: number): string {
  const line = cleanText(text).replace(/[\n\t]/g, ' ')
  if (max === undefined || line.length <= max) return line
  return `${line.slice(0, max - 1)}…`
}

function codeSpan(text: string): string {
  if (text === '') return '` `'
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map(run => run[0].length))
  const fence = '`'.repeat(longest + 1)
  // The renderer strips one space from each end when both have one, and a backtick at an
  // end would join the fence: a space on each side, which it strips again, keeps the text.
  const pad = text.trim() !== '' && (/^`|`$/.test(text) || (text.startsWith(' ') && text.endsWith(' '))) ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

export interface TextOptions {
  /** Inside a table cell, where `|` ends the cell even inside a code span unless escaped. */
  table?: boolean
  /** Cut to this many characters, with a marker. */
  max?: number
}

/** A string from outside, as code in markdown (a paragraph or a table cell). */
export function code(text: string, options: TextOptions = {}): string {
  const line = oneLine(text, options.max)
  // In a table `\|` stands for `|`, code span or not; everywhere else a backslash in a code span is itself.
  return codeSpan(options.table ? line.replace(/\|/g, '\\|') : line)
}

/** A string from outside, as code inside an HTML block (a `<summary>`), where markdown is not parsed. */
export function htmlCode(text: string, options: Pick<TextOptions, 'max'> = {}): string {
  return `<code>${escapeHtml(oneLine(text, options.max))}</code>`
}

/** A block of tool output (a build's last lines), escaped for a `<pre>` element. */
export function preformatted(text: string): string {
  return `<pre>${escapeHtml(cleanText(text))}</pre>`
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * Text GitHub cannot turn into anything: letters, digits, spaces and punctuation that starts
 * no markdown, no HTML (`<`, `>` and `&` are escaped), no mention or reference (`@`, `#`),
 * no link (no `:`, no `www.`), no emphasis. Refused on top: `GH-1` and the like (GitHub's and
 * a repository's own autolinked references), and seven or more hex digits in a row (a commit).
 * Code spans of single backticks, as our own messages quote a command (`docker info`), are
 * code whatever they hold.
 */
const INERT = /^[\p{L}\p{N} .,;()%+'’<>&\-−–—→·×/=?!]*$/u
const REFERENCE_LIKE = /[\p{L}]-\d|[0-9a-f]{7,}|www\./iu
const QUOTED = /`[^`]+`/g

function isInert(text: string): boolean {
  const outside = text.replace(QUOTED, ' ')
  return INERT.test(outside) && !REFERENCE_LIKE.test(outside)
}

/** Inert text as markdown: escaped outside its code spans, pipes escaped inside them in a table. */
function plain(text: string, table: boolean): string {
  let result = ''
  let from = 0
  for (const quoted of text.matchAll(QUOTED)) {
    result += escapeHtml(text.slice(from, quoted.index)) + (table ? quoted[0].replace(/\|/g, '\\|') : quoted[0])
    from = quoted.index + quoted[0].length
  }
  return result + escapeHtml(text.slice(from))
}

/**
 * Where inert text stops: the start of the first word (a run of non-spaces, our own code
 * spans kept whole) that is not inert, or 0. The cut falls on a space, so the code span
 * that follows stands apart from the text and no backtick can join its fence.
 */
function inertLead(line: string): number {
  for (const word of line.matchAll(/(?:`[^`]+`|\S)+/g)) {
    if (!isInert(word[0])) return word.index
  }
  return line.length
}

/**
 * A sentence that may hold text from outside (a failure reason, why an image was checked, a
 * run's error). Where all of it is inert it reads as text. Otherwise it reads as text up to
 * where it stops being inert, and the rest is code: where our own words come first, then
 * `: `, then the outside part (`The head build failed: …`), the cut is at that `: `. Safe
 * whichever way a sentence is worded: the worst case is a sentence all in code.
 */
export function prose(text: string, options: TextOptions = {}): string {
  const table = options.table ?? false
  const line = oneLine(text, options.max)
  if (isInert(line)) return plain(line, table)
  const colon = line.indexOf(': ')
  const cut = colon > 0 && isInert(line.slice(0, colon)) ? colon + 2 : inertLead(line)
  if (cut === 0) return code(line, { table })
  return `${plain(line.slice(0, cut), table)}${code(line.slice(cut), { table })}`
}
