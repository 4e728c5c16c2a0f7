import bytesIec from 'bytes-iec'
import prettyBytes from 'pretty-bytes'

// Sizes read like docker's own (decimal units: 1 MB = 1,000,000 bytes), so the
// numbers in the comment match what `docker images` prints on the reader's machine.

/** 1256389653 → "1.26 GB". */
export function formatSize(bytes: number): string {
  return prettyBytes(bytes)
}

/** A delta with its sign: "+1.25 GB", "-600 MB", "0 B". */
export function formatDelta(bytes: number): string {
  if (bytes === 0) return '0 B'
  return prettyBytes(bytes, { signed: true })
}

/** "+12.3%", "-99.7%", "+67,132%". Shares over 1000% lose their decimals, which say nothing there. */
export function formatPercent(percent: number): string {
  const sign = percent > 0 ? '+' : percent < 0 ? '-' : ''
  const magnitude = Math.abs(percent)
  // A few bytes on a large image: "0%" would read as no change, and there was one.
  if (magnitude > 0 && magnitude < 0.01) return `${sign}<0.01%`
  const digits = magnitude >= 1000 ? 0 : magnitude >= 10 ? 1 : 2
  // toFixed then trimmed zeros: "12.50" → "12.5", "7.00" → "7".
  const [whole = '0', fraction = ''] = magnitude.toFixed(digits).split('.')
  const decimals = fraction.replace(/0+$/, '')
  return `${sign}${groupThousands(whole)}${decimals ? `.${decimals}` : ''}%`
}

/**
 * Parses a size such as `25MB`, `1.5GiB`, `512kB`, `1 GB` or plain bytes (`1048576`).
 * Decimal units (kB, MB, GB) are powers of 1000 and binary ones (KiB, MiB, GiB) powers
 * of 1024, as in docker's and the IEC's usage. Returns null for anything else.
 */
export function parseSize(text: string): number | null {
  const trimmed = text.trim()
  if (!/^\d+(\.\d+)?\s*([kKmMgGtTpP]i?[bB]|[bB])?$/.test(trimmed)) return null
  const bytes = bytesIec.parse(trimmed, { mode: 'metric' })
  return bytes === null || !Number.isFinite(bytes) ? null : Math.round(bytes)
}

/** "1 image", "3 images": counts in messages read as sentences. */
export function countOf(count: number, noun: string): string {
  return `${groupThousands(String(count))} ${noun}${count === 1 ? '' : 's'}`
}

/**
 * "1234567" → "1,234,567". Not toLocaleString: its first call loads the ICU locale data,
 * a sixtieth of a second of every run spent on commas.
 */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/**
 * The text with a non-breaking space between each number and its unit ("840 MB"), so that a
 * rendered comment never breaks a figure over two lines.
 */
export function unbreakable(text: string): string {
  return text.replace(/(\d) (?=[kMGTP]?B(?![A-Za-z]))/g, '$1\u00a0')
}

/** A short cell (a status, a line) on one line: every space non-breaking. */
export function oneLine(text: string): string {
  return text.replace(/ /g, '\u00a0')
}
