/**
 * Makes any text safe inside a markdown table cell or inline HTML: Dockerfile paths may
 * hold `|`, backticks, `<`, `>` or `&`, and each would otherwise break the table or the page.
 */
export function escapeCell(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '&#124;')
    .replace(/`/g, '&#96;')
    .replace(/\r?\n/g, ' ')
}

/** A path or name shown as code, escaped so that no character can end the code early. */
export function code(text: string): string {
  return `<code>${escapeCell(text)}</code>`
}

/** A block of tool output (a build's last lines), escaped for a `<pre>` element. */
export function preformatted(text: string): string {
  return `<pre>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</pre>`
}
