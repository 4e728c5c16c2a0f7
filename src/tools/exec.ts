import { getExecOutput } from '@actions/exec'
import { spawn } from 'node:child_process'
import { constants as osConstants } from 'node:os'
import { Readable } from 'node:stream'
import { log } from './log.js'
import { errorMessage } from '../shared/errors.js'

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
  if (!options.stream) return runCaptured(command, args, options)
  logCommand(command, args, options)
  return runStreamed(command, args, options)
}

/** A build whose output goes to the job log as it comes (and is kept as well). */
async function runStreamed(command: string, args: string[], options: RunOptions): Promise<CommandResult> {
  try {
    const result = await getExecOutput(command, args, {
      cwd: options.cwd,
      env: environment(options) as Record<string, string> | undefined,
      input: options.input === undefined ? undefined : Buffer.from(options.input),
      ignoreReturnCode: true
    })
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
  } catch (error) {
    // @actions/exec throws when the program cannot be started at all (not on the PATH).
    return { exitCode: 127, stdout: '', stderr: errorMessage(error) }
  }
}

/** A command whose output is only kept. */
async function runCaptured(command: string, args: string[], options: RunOptions): Promise<CommandResult> {
  const result = await runForBytes(command, args, options)
  // Decoded whole, so that a character split between two chunks comes through intact.
  return { ...result, stdout: result.stdout.toString('utf8') }
}

/**
 * Runs a command and keeps its stdout as bytes (for output whose lengths count bytes).
 * Node's spawn rather than @actions/exec, which splits all output into lines for its
 * listeners even when silent, at a cost quadratic in a line's length: `git ls-tree -z` of
 * a large monorepo prints one "line" of megabytes.
 */
export function runForBytes(
  command: string,
  args: string[],
  options: Omit<RunOptions, 'stream'> = {}
): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  logCommand(command, args, options)
  return new Promise(resolve => {
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let settled = false
    const finish = (result: { exitCode: number; stdout: Buffer; stderr: string }) => {
      if (settled) return
      settled = true
      resolve(result)
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: environment(options),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    })
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk))
    // Not on the PATH, or not executable: the shell's 127.
    child.on('error', error => finish({ exitCode: 127, stdout: Buffer.alloc(0), stderr: errorMessage(error) }))
    child.on('close', (code, signal) =>
      finish({
        // Killed by a signal: the shell's 128 + its number, never a success.
        exitCode: code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0),
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8')
      })
    )
    if (options.input !== undefined) {
      // A program that exits without reading all its input closes the pipe: that is for its
      // exit code to report, not an error of the pipe's to throw.
      child.stdin?.on('error', () => undefined)
      child.stdin?.end(options.input)
    }
  })
}

/** Every command line at debug level, where it ran if not here. */
function logCommand(command: string, args: string[], options: Pick<RunOptions, 'cwd'>): void {
  log.debug(`$ ${[command, ...args].map(quoteForLog).join(' ')}${options.cwd ? `  (in ${options.cwd})` : ''}`)
}

function environment(options: RunOptions): NodeJS.ProcessEnv | undefined {
  return options.env ? { ...process.env, ...options.env } : undefined
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
  consume: (stdout: Readable) => Promise<T>,
  env?: Record<string, string>
): Promise<T> {
  log.debug(`$ ${[command, ...args].map(quoteForLog).join(' ')}  (streamed)`)
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: environment({ env }) })
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
