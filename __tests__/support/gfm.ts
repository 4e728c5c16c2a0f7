// Renders markdown as GitHub does, with cmark-gfm (the Debian package of that name, installed
// by scripts/docker-engine.sh) and GitHub's extensions, and says what in the result GitHub
// would make live: a link, an image, HTML of the text's own, or a mention or reference.
// Raw HTML is kept (--unsafe), as GitHub keeps it before its sanitizer: an `<img>` from a
// path must show up here.
import { spawnSync } from 'node:child_process'

const ARGS = ['--unsafe', '-e', 'table', '-e', 'autolink', '-e', 'tagfilter', '-e', 'strikethrough']

export function renderGfm(markdown: string): string {
  const result = spawnSync('cmark-gfm', ARGS, { input: markdown, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  if (result.error) {
    throw new Error(
      `cmark-gfm could not run (${result.error.message}). Install the Debian package cmark-gfm ` +
        '(bash scripts/docker-engine.sh does).'
    )
  }
  if (result.status !== 0) throw new Error(`cmark-gfm exited ${result.status}: ${result.stderr}`)
  return result.stdout
}

/** The elements the report itself writes; any other comes from the text. */
const OWN_ELEMENTS = new Set([
  'p',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'code',
  'pre',
  'details',
  'summary',
  'sub',
  'br',
  'strong',
  'blockquote',
  'a'
])

const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/

/**
 * What GitHub would make live in `html`: links other than to `allowedLinks` (prefixes),
 * elements the report does not write, bidi controls, and in the text outside `<code>` and
 * `<pre>` anything GitHub makes a mention (`@name`), a reference (`#1`, `GH-1`) or a link
 * (a URL, `www.`). Empty when nothing is.
 */
export function liveParts(html: string, allowedLinks: string[] = []): string[] {
  const found: string[] = []
  for (const match of html.matchAll(/<a\b[^>]*>/g)) {
    const href = /href="([^"]*)"/.exec(match[0])?.[1] ?? ''
    if (!allowedLinks.some(prefix => href.startsWith(prefix))) found.push(`link ${match[0]}`)
  }
  for (const [, element = ''] of html.matchAll(/<\/?([A-Za-z][\w-]*)/g)) {
    if (!OWN_ELEMENTS.has(element.toLowerCase())) found.push(`element <${element}>`)
  }
  if (BIDI.test(html)) found.push('a bidi control')
  const outside = html
    .replace(/<pre\b[^>]*>[\s\S]*?<\/pre>/g, ' ')
    .replace(/<code\b[^>]*>[\s\S]*?<\/code>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&')
    // Invisible joiners would hide a mention from this check, not from a reader.
    .replace(/[\u2060\u200b-\u200d\ufeff]/g, '')
  const patterns: [string, RegExp][] = [
    ['a mention', /@[A-Za-z0-9]/],
    ['a reference', /#\d|\bGH-\d/i],
    ['a URL', /[a-z]+:\/?\/?[a-z0-9.-]+\.[a-z]{2,}|www\./i],
    ['markdown of the text', /\]\(|!\[/]
  ]
  for (const [what, pattern] of patterns) {
    const hit = pattern.exec(outside)
    if (hit) found.push(`${what} outside code: …${outside.slice(Math.max(0, hit.index - 30), hit.index + 40)}…`)
  }
  return found
}

/**
 * The comment with the links the report makes (a name to its Dockerfile, a line, a commit)
 * taken off, their text kept, and read as a reader reads it (asRead): for assertions on the
 * table and the sections that are not about links or line breaks.
 */
export function withoutLinks(markdown: string): string {
  return asRead(markdown)
    .replace(/\[((`+)[\s\S]*?\2|L\d+|line \d+)\]\((https?:[^)\s]+)\)/g, '$1')
    .replace(/<a href="[^"]*">([\s\S]*?)<\/a>/g, '$1')
}

/**
 * The text as a reader reads it: the report keeps each figure and status on one line with
 * non-breaking spaces, which read as spaces. For assertions on the words; a test of its own
 * checks that the figures are unbreakable.
 */
export function asRead(text: string): string {
  return text.replace(/\u00a0/g, ' ')
}
