/**
 * Text from an untrusted artifact is shown in a comment that GitHub renders as markdown.
 * escapeCell and preformatted (report/escape.ts) already stop HTML and table breakage; what
 * is left are the markdown features that act on others: an `@login` notifies that person or
 * team, a `#123` puts a back-link on another issue, and `[text](url)` hides where a link goes.
 * A WORD JOINER (U+2060, invisible) after `@` and `#` and between `]` and `(` keeps the text
 * as it reads while GitHub no longer sees a mention, a reference or a link.
 */
const JOINER = '\u2060'

export function neutralizeMarkdown(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9])/g, `@${JOINER}`)
    .replace(/#(?=[0-9])/g, `#${JOINER}`)
    .replace(/\]\(/g, `]${JOINER}(`)
}

/**
 * Characters no path, reason or build log of ours holds: C0 controls other than tab and line
 * feed, DEL, and the bidirectional overrides that make text read differently than it is.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern is for
export const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/
