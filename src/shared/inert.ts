/**
 * Text from outside (a path, a Dockerfile line, a build's output, a record, an artifact) as
 * it may reach a terminal: a terminal acts on escape sequences wherever they stand, so a
 * folder name could clear the screen, retitle the window, rewrite a line or show a link
 * (OSC 8) whose target differs from its text. What goes:
 * - escape sequences whole: CSI (`ESC [`, colours and cursor moves), OSC (`ESC ]`, titles,
 *   links, up to BEL or ST), the DCS, SOS, PM and APC strings, and every other `ESC x`;
 *   their 8-bit forms (0x9B, 0x9D, 0x90, …) as well;
 * - then every C0 control but tab and line feed (a lone ESC, BEL, backspace, carriage return:
 *   a `\r` rewrites the line it is on), DEL and the C1 controls;
 * - the bidirectional controls, which make text read in another order than it is.
 * `\r\n` becomes `\n`. What stays is printable text.
 */
const ESCAPE_SEQUENCE = new RegExp(
  [
    // OSC, DCS, SOS, PM, APC: a string up to its terminator (BEL or ST), or to the end.
    '(?:\\u001b[\\]PX^_]|[\\u009d\\u0090\\u0098\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?',
    // CSI: parameters, intermediates, a final byte.
    '(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]?',
    // Any other escape: intermediates and a final byte (ESC c resets the terminal).
    '\\u001b[ -/]*[0-~]?'
  ].join('|'),
  'g'
)
// eslint-disable-next-line no-control-regex -- control characters are what this pattern removes
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g
const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g

/** The text with every escape sequence, control character (but tab and line feed) and bidi control removed. */
export function inertText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ESCAPE_SEQUENCE, '').replace(CONTROLS, '').replace(BIDI, '')
}

/**
 * The same, except for the exact sequences in `ours` (the command's own colours and the
 * clearing of its live line), which pass: for the last guard on the command's streams, behind
 * the cleaning of each outside string where it enters the output.
 */
export function inertExcept(text: string, ours: readonly string[]): string {
  if (ours.length === 0) return inertText(text)
  const kept: string[] = []
  // Our sequences become private-use placeholders while the rest is cleaned; a placeholder
  // character already in the text is removed first, so that none can pose as one of ours.
  const marked = ours.reduce(
    (current, sequence, index) => current.split(sequence).join(String.fromCharCode(PLACEHOLDER + index)),
    text.replace(PLACEHOLDERS, '')
  )
  kept.push(...ours)
  return inertText(marked).replace(PLACEHOLDERS, mark => kept[mark.charCodeAt(0) - PLACEHOLDER] ?? '')
}

const PLACEHOLDER = 0xf780
const PLACEHOLDERS = /[\uf780-\uf7ff]/g

/** Inert and on one line: a line break or tab from outside would forge a row or a line of ours. */
export function inertLine(text: string): string {
  return inertText(text).replace(/[\n\t]/g, ' ')
}
