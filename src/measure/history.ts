// `docker history` as plain data. Each row is one entry of the image config's history,
// newest first; the builders write its CreatedBy differently:
//   BuildKit:        `RUN |1 V=1 /bin/sh -c make # buildkit`, `COPY /app /app # buildkit`, `WORKDIR /src`
//   legacy builder:  `/bin/sh -c #(nop)  ENV A=1`, `/bin/sh -c #(nop) COPY file:… in /x `, `/bin/sh -c make`
//   imported image:  `` (empty), with the comment `Imported from -`
// Recorded outputs of each are in __fixtures__/history/.

export interface HistoryRow {
  /** The instruction as the builder recorded it (empty for an imported layer). */
  createdBy: string
  /** Bytes the row's layer adds, unpacked; 0 for rows that change only the config. */
  size: number
  comment: string
}

interface HistoryJson {
  CreatedBy?: string
  Size?: string | number
  Comment?: string
}

/** Reads `docker history --format '{{json .}}'` output, one JSON object a line, newest first. */
export function parseHistory(stdout: string): HistoryRow[] {
  const rows: HistoryRow[] = []
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue
    let row: HistoryJson
    try {
      row = JSON.parse(line) as HistoryJson
    } catch {
      throw new Error(`docker history printed a line that is not JSON: ${line.slice(0, 200)}`)
    }
    rows.push({ createdBy: row.CreatedBy ?? '', size: parseByteCount(row.Size), comment: row.Comment ?? '' })
  }
  return rows
}

/**
 * With `--human=false` the size is a string of digits ("200000"); older CLIs and other
 * formats may give a number. A human size ("1.87MB") means the flag was lost: refuse it
 * rather than guess at rounding.
 */
function parseByteCount(value: string | number | undefined): number {
  if (value === undefined || value === '') return 0
  if (typeof value === 'number') return value
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  throw new Error(`docker history printed a size that is not in bytes: '${value}' (was --human=false given?)`)
}

/** The instruction a history row records: its keyword and its arguments as the builder wrote them. */
export interface RecordedInstruction {
  /** Upper case (`RUN`, `COPY`), or '' for a row no instruction made (an imported layer). */
  keyword: string
  args: string
}

// The prefix is the shell of the time: `/bin/sh -c`, or `cmd /S /C` on Windows.
const NOP = /^[^#]*#\(nop\)\s+([A-Za-z]+)\b\s*(.*)$/s
const BUILD_ARGS = /^\|\d+(?:\s+[^\s=]+=\S*)*\s+/

export function recordedInstruction(createdBy: string): RecordedInstruction {
  const text = createdBy.trim()
  if (text === '') return { keyword: '', args: '' }
  // Legacy builder: every instruction but RUN is a no-op shell command naming it.
  const nop = NOP.exec(text)
  if (nop) return { keyword: (nop[1] ?? '').toUpperCase(), args: (nop[2] ?? '').trim() }
  const withoutMark = text.replace(/\s+# buildkit$/, '')
  const [, keyword, args = ''] = /^([A-Z]+)\b\s*(.*)$/s.exec(withoutMark) ?? []
  if (keyword && KEYWORDS.has(keyword)) return { keyword, args: stripBuildArgs(args.trim()) }
  // Legacy builder: a RUN is recorded as the bare command it ran.
  return { keyword: 'RUN', args: stripBuildArgs(withoutMark) }
}

/** `|2 A=1 B= /bin/sh -c make` → `/bin/sh -c make`: the build args a RUN saw are not part of it. */
function stripBuildArgs(args: string): string {
  return args.replace(BUILD_ARGS, '')
}

const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR'
])

/**
 * The history without the rows the legacy builder adds for the run's `--label`s (one
 * `LABEL docker-size-check.…=…` row per label on top, no bytes): no line of the Dockerfile
 * made them. BuildKit writes labels into the config alone, and leaves no row.
 */
export function withoutRunLabel(rows: HistoryRow[]): HistoryRow[] {
  let top = 0
  while (top < rows.length && isRunLabelRow(rows[top] as HistoryRow)) top++
  return rows.slice(top)
}

function isRunLabelRow(row: HistoryRow): boolean {
  const recorded = recordedInstruction(row.createdBy)
  return (
    row.size === 0 &&
    recorded.keyword === 'LABEL' &&
    /^"?docker-size-check\.(?:run|temp-root|kept)=/.test(recorded.args)
  )
}
