import { ChildProcess, spawn } from 'node:child_process'
import { constants as osConstants } from 'node:os'
import { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { Logger } from '../shared/logger.js'
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
  /** Where the command line is logged (at debug level), and its output when streamed; nowhere without. */
  log?: Logger
  /** Stream the command's output to the log as it runs (a build's progress). */
  stream?: boolean
  /**
   * Stops the command when aborted: it then runs in a process group of its own, and the
   * whole group is killed (a `docker buildx build` is the docker CLI and its plugin).
   * The result is still returned, with the exit status of the killed process.
   */
  signal?: AbortSignal
  /** `env` is the whole environment, not added to this process's (a command that must see no secret). */
  envOnly?: boolean
  /** Killed (with all it started) past this many milliseconds; exit code 124, as `timeout` gives. */
  timeoutMs?: number
}

/**
 * Runs a command line and never throws because of its exit status: callers decide what
 * a non-zero exit means. Every docker and git call goes through here, so the log shows
 * each command line at debug level.
 */
export async function runCommand(command: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  const result = await runForBytes(command, args, options)
  // Decoded whole, so that a character split between two chunks comes through intact.
  return { ...result, stdout: result.stdout.toString('utf8') }
}

/**
 * Runs a command and keeps its stdout as bytes (for output whose lengths count bytes).
 * Node's spawn rather than @actions/exec, which splits all output into lines for its
 * listeners even when silent, at a cost quadratic in a line's length (`git ls-tree -z` of
 * a large monorepo prints one "line" of megabytes), and which cannot stop what it started.
 * With `stream`, both of the command's streams also go to the log as they come (its
 * commandOutput: the job log, or the command's terminal), their escape sequences removed.
 */
export function runForBytes(
  command: string,
  args: string[],
  options: RunOptions = {}
): Promise<{ exitCode: number; stdout: Buffer; stderr: string }> {
  logCommand(command, args, options)
  return new Promise(resolve => {
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let settled = false
    let timedOut = false
    // Set once the child exists; `finish` may run before that (a signal aborted already).
    let stop = (): void => undefined
    let timer: NodeJS.Timeout | undefined
    const sink = options.stream ? options.log?.commandOutput() : undefined
    const finish = (result: { exitCode: number; stdout: Buffer; stderr: string }) => {
      if (settled) return
      settled = true
      sink?.end()
      options.signal?.removeEventListener('abort', stop)
      if (timer) clearTimeout(timer)
      resolve(timedOut ? { ...result, exitCode: 124 } : result)
    }
    if (options.signal?.aborted) {
      finish({ exitCode: 128 + osConstants.signals.SIGKILL, stdout: Buffer.alloc(0), stderr: 'Not started: stopped.' })
      return
    }
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: environment(options),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // A group of its own, so that stopping it reaches its children too; and a signal sent
      // to this process's group (Ctrl-C) is this process's to handle, not the build's.
      detached: options.signal !== undefined || options.timeoutMs !== undefined
    })
    stop = () => killGroup(child)
    options.signal?.addEventListener('abort', stop, { once: true })
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        timedOut = true
        killGroup(child)
      }, options.timeoutMs)
    }
    // Decoded per stream, so that a character split between two chunks comes through whole.
    const streamed = [new StringDecoder('utf8'), new StringDecoder('utf8')] as const
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout.push(chunk)
      sink?.write(streamed[0].write(chunk))
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk)
      sink?.write(streamed[1].write(chunk))
    })
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

/**
 * Kills a detached child's whole process group. SIGKILL, not SIGTERM: the docker CLI that
 * loses its connection makes the engine cancel the build (BuildKit's session ends, the
 * legacy builder's request is cancelled), and nothing in the group needs to clean up.
 */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    // Gone already, or a platform without process groups: the child alone.
    child.kill('SIGKILL')
  }
}

/** Every command line at debug level, where it ran if not here. */
function logCommand(command: string, args: string[], options: Pick<RunOptions, 'cwd' | 'log'>): void {
  options.log?.debug(`$ ${[command, ...args].map(quoteForLog).join(' ')}${options.cwd ? `  (in ${options.cwd})` : ''}`)
}

function environment(options: RunOptions): NodeJS.ProcessEnv | undefined {
  if (options.envOnly) return { ...options.env }
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
  env?: Record<string, string>,
  log?: Logger
): Promise<T> {
  log?.debug(`$ ${[command, ...args].map(quoteForLog).join(' ')}  (streamed)`)
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
