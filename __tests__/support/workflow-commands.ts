// Reads a step's stdout the way the GitHub runner does (actions/runner, ActionCommandManager
// and ActionCommand): line by line (a `\r` ends a line too), each line tried as a `::name
// props::data` command after its leading white space, then as the older `##[name props]data`
// anywhere in the line; a command only when its name is one the runner knows. After
// `::stop-commands::TOKEN` no line is acted on until the one command named TOKEN.

/** The commands the runner knows (its command extensions, and stop-commands). */
const REGISTERED = [
  'add-mask',
  'add-matcher',
  'remove-matcher',
  'add-path',
  'debug',
  'echo',
  'endgroup',
  'error',
  'group',
  'notice',
  'save-state',
  'set-env',
  'set-output',
  'stop-commands',
  'warning'
]

export interface WorkflowCommand {
  command: string
  properties: Record<string, string>
  data: string
}

export interface RunnerLine {
  text: string
  /** What the runner makes of the line were it not stopped; null for plain text. */
  parsed: WorkflowCommand | null
  /** Whether the runner acted on it (false for every line between stop-commands and its token). */
  actedOn: boolean
}

export interface RunnerLog {
  lines: RunnerLine[]
  /** The commands the runner acted on, stop-commands and resume tokens left out. */
  commands: WorkflowCommand[]
  /** The token the log is left stopped with; null when every stop-commands was resumed. */
  stoppedWith: string | null
}

function unescape(text: string, property: boolean): string {
  const mapped = text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n')
  return (property ? mapped.replace(/%3A/gi, ':').replace(/%2C/gi, ',') : mapped).replace(/%25/g, '%')
}

function parseV2(line: string, registered: Set<string>): WorkflowCommand | null {
  const message = line.trimStart()
  if (!message.startsWith('::')) return null
  const end = message.indexOf('::', 2)
  if (end < 0) return null
  const info = message.slice(2, end)
  const space = info.indexOf(' ')
  const command = space < 0 ? info : info.slice(0, space)
  if (!registered.has(command.toLowerCase())) return null
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const [key, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]
      if (pair.includes('=') && key && value) properties[key] = unescape(value, true)
    }
  }
  return { command, properties, data: unescape(message.slice(end + 2), false) }
}

function parseV1(line: string, registered: Set<string>): WorkflowCommand | null {
  const prefix = line.indexOf('##[')
  if (prefix < 0) return null
  const bracket = line.indexOf(']', prefix)
  if (bracket < 0) return null
  const info = line.slice(prefix + 3, bracket)
  const space = info.indexOf(' ')
  const command = space < 0 ? info : info.slice(0, space)
  if (!registered.has(command.toLowerCase())) return null
  const properties: Record<string, string> = {}
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter(Boolean)) {
      const at = pair.indexOf('=')
      if (at > 0 && at < pair.length - 1) properties[pair.slice(0, at)] = unescape(pair.slice(at + 1), true)
    }
  }
  return { command, properties, data: unescape(line.slice(bracket + 1), true) }
}

/** The step's stdout as the runner reads it. */
export function readAsRunner(stdout: string): RunnerLog {
  const registered = new Set(REGISTERED)
  const lines: RunnerLine[] = []
  const commands: WorkflowCommand[] = []
  let stoppedWith: string | null = null
  for (const text of stdout.split(/\r\n|\r|\n/)) {
    if (text === '') continue
    const parsed = parseV2(text, registered) ?? parseV1(text, registered)
    let actedOn = false
    if (parsed && stoppedWith !== null) {
      if (parsed.command.toLowerCase() === stoppedWith.toLowerCase()) {
        registered.delete(stoppedWith.toLowerCase())
        stoppedWith = null
        actedOn = true
      }
    } else if (parsed) {
      actedOn = true
      if (parsed.command.toLowerCase() === 'stop-commands') {
        stoppedWith = parsed.data
        registered.add(parsed.data.toLowerCase())
      } else {
        commands.push(parsed)
      }
    }
    lines.push({ text, parsed, actedOn })
  }
  return { lines, commands, stoppedWith }
}
