import { getExecOutput } from '@actions/exec'
import { spawn } from 'node:child_process'
import { Readable } from 'node:stream'
import { log } from './log.js'
import { errorMessage } from './errors.js'

export interface CommandResult {
  exitCode: number
  stdout: string
  stderr: string
}

export interface RunOptions {
  cwd?: string
  env?: Record<string, string>
  /** Text written to the command's standard input. */
  input?: string
  /** Stream the command's output to the log as it runs (a build's progress). */
  stream?: boolean
}

/**
 * Runs a command line and never throws because of its exit status: callers decide what
 * a non-zero exit means. Every docker and git call goes through here, so the log shows
 * each command line at debug level.
 */
export async function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  log.debug(`$ ${[command, ...args].map(quoteForLog).join(' ')}${options.cwd ? `  (in ${options.cwd})` : ''}`)
  try {
    const result = await getExecOutput(command, args, {
      cwd: options.cwd,
      env: options.env ? { ...(process.env as Record<string, string>), ...options.env } : undefined,
      input: options.input === undefined ? undefined : Buffer.from(options.input),
      silent: !options.stream,
      ignoreReturnCode: true
    })
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
  } catch (error) {
    // @actions/exec throws when the program cannot be started at all (not on the PATH).
    return { exitCode: 127, stdout: '', stderr: errorMessage(error) }
  }
}

/** Runs a command and returns its stdout; a non-zero exit becomes an Error that names the command. */
export async function runChecked(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const result = await runCommand(command, args, options)
  if (result.exitCode !== 0) throw new CommandError(command, args, result)
  return result.stdout
}

/**
 * Runs a command whose output is too large to hold (`docker save`): `consume` reads its
 * stdout as a stream. Throws a CommandError when the command exits non-zero, whatever
 * `consume` made of the truncated stream.
 */
export async function streamCommand<T>(
  command: string,
  args: string[],
  consume: (stdout: Readable) => Promise<T>
): Promise<T> {
  log.debug(`$ ${[command, ...args].map(quoteForLog).join(' ')}  (streamed)`)
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)))
  const exited = new Promise<number>(resolve => {
    child.on('error', error => {
      stderr += error.message
      resolve(127)
    })
    child.on('close', code => resolve(code ?? 1))
  })
  let result: T
  try {
    result = await consume(child.stdout)
  } catch (error) {
    child.kill()
    const exitCode = await exited
    if (exitCode !== 0) throw new CommandError(command, args, { exitCode, stdout: '', stderr })
    throw error
  }
  const exitCode = await exited
  if (exitCode !== 0) throw new CommandError(command, args, { exitCode, stdout: '', stderr })
  return result
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly args: string[],
    readonly result: CommandResult
  ) {
    const detail = lastLines(result.stderr || result.stdout, 5)
    super(`\`${[command, ...args].join(' ')}\` failed with exit code ${result.exitCode}${detail ? `: ${detail}` : ''}`)
    this.name = 'CommandError'
  }
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n').trim()
}

function quoteForLog(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}
