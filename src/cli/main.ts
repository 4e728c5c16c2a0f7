import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, resolve } from 'node:path'
import { compareImages } from '../judge/judge.js'
import { Git } from '../tools/git.js'
import { newRunState, runPipeline } from '../modes/pipeline.js'
import { toJsonReport } from '../serialized/run-file.js'
import { renderMarkdown } from '../report/markdown.js'
import { Comparison, RunState } from '../shared/types.js'
import { CliOptions, Command, parseCommandLine, UsageError, HELP_TEXT } from './args.js'
import { ImagesFromError } from '../discover/images-source.js'
import { renderTerminalReport } from './render.js'
import { LocalRevisions, repositoryRoot, resolveLocalRevisions, workingTreeChanges } from './repository.js'
import { inertOutput, Output, TerminalProgress, useColour, useLiveLine } from './terminal.js'
import { inertText } from '../shared/inert.js'
import { VERSION } from './version.js'
import { EngineUnavailableError, errorMessage, InterruptedError } from '../shared/errors.js'
import { RegistryClient } from '../registry/client.js'
import { dockerCredentials } from '../registry/credentials.js'
import { measureReferences } from '../measure/references.js'

export const EXIT = { pass: 0, fail: 1, usage: 2, noEngine: 3, interrupted: 130, terminated: 143 } as const

export interface CliIo {
  stdout: Output
  stderr: Output
  env: NodeJS.ProcessEnv
  cwd: string
  /** Aborted (with an InterruptedError) on Ctrl-C or SIGTERM: the builds stop and the run cleans up. */
  signal?: AbortSignal
}

/** The exit status for a finished check: 1 when an image broke a limit or its head build failed. */
export function exitCodeFor(comparison: Comparison): number {
  return comparison.verdict === 'fail' || comparison.verdict === 'error' ? EXIT.fail : EXIT.pass
}

/** The exit status for a run that stopped on an error. */
export function exitCodeForError(error: unknown): number {
  if (error instanceof UsageError || error instanceof ImagesFromError) return EXIT.usage
  if (error instanceof EngineUnavailableError) return EXIT.noEngine
  if (error instanceof InterruptedError) return error.exitCode
  return EXIT.fail
}

/**
 * The local command: the action's pipeline (changes, discover, build, measure), compare and
 * report, with inputs from flags and the result on the terminal. Returns the exit status.
 */
export async function runCli(argv: string[], terminal: CliIo): Promise<number> {
  // Every write, whatever its source, through the guard: only the command's own colours and
  // live line reach the terminal as escape sequences.
  const io: CliIo = {
    ...terminal,
    stdout: inertOutput(terminal.stdout, { colour: useColour(terminal.stdout, terminal.env), live: false }),
    stderr: inertOutput(terminal.stderr, {
      colour: useColour(terminal.stderr, terminal.env),
      live: useLiveLine(terminal.stderr, terminal.env)
    })
  }
  let command: Command
  try {
    command = parseCommandLine(argv, io.env)
  } catch (error) {
    return usageFailure(io, error)
  }
  if (command.kind === 'help') {
    io.stdout.write(HELP_TEXT)
    return EXIT.pass
  }
  if (command.kind === 'version') {
    io.stdout.write(`docker-size-check ${VERSION}\n`)
    return EXIT.pass
  }
  return runCheck(command.options, io)
}

/** A check: resolve the two revisions, measure, report on the terminal and in the files asked for. */
async function runCheck(options: CliOptions, io: CliIo): Promise<number> {
  if (options.references.length) return runReferenceCheck(options, io)
  const progress = terminalProgress(options, io)
  let revisions: LocalRevisions
  let repoDir: string
  try {
    repoDir = await repositoryRoot(io.cwd, progress)
    revisions = await resolveLocalRevisions(new Git(repoDir, progress), options)
  } catch (error) {
    return usageFailure(io, error)
  }
  progress.info(
    `Comparing ${revisions.headName} with ${revisions.baseSha.slice(0, 7)}, its merge-base with ${revisions.baseName}`
  )

  const { state, failure } = await measure(options, repoDir, revisions, progress, io.signal)
  return judgeAndReport(io, options, progress, { state, failure, revisions })
}

/**
 * --image: the two references read in their registries, every platform a row; no git and no
 * engine, so it runs in any folder.
 */
async function runReferenceCheck(options: CliOptions, io: CliIo): Promise<number> {
  const progress = terminalProgress(options, io)
  const state = newRunState()
  const [spec] = options.references
  const headName = spec?.image ?? ''
  const baseName = spec?.baseImage ?? 'its baseline record'
  progress.info(`Comparing ${headName} with ${baseName} in the registry`)
  let failure: unknown = null
  try {
    const client = new RegistryClient({
      credentials: dockerCredentials({ env: io.env }),
      log: progress,
      ...(io.signal ? { signal: io.signal } : {})
    })
    state.measured.push(...(await measureReferences(options.references, { client, log: progress })))
  } catch (error) {
    state.error = errorMessage(error)
    failure = error
  }
  return judgeAndReport(io, options, progress, {
    state,
    failure,
    revisions: { ...state.revisions, baseName, headName }
  })
}

/**
 * The end of every check the command runs: the verdict, the terminal report, the files asked
 * for, and the exit status (the failure's, else a failed write's, else the verdict's).
 */
async function judgeAndReport(
  io: CliIo,
  options: CliOptions,
  progress: TerminalProgress,
  run: { state: RunState; failure: unknown; revisions: Parameters<typeof reportOnTerminal>[3]['revisions'] }
): Promise<number> {
  const { state, failure, revisions } = run
  const comparison = compareImages(revisions, state.measured, options.settings)
  reportOnTerminal(io, options, progress, {
    revisions,
    comparison,
    runError: state.error,
    interrupted: failure instanceof InterruptedError
  })
  const writeFailed = !(await writeReportFiles(io, options, comparison, state))
  if (failure !== null) return exitCodeForError(failure)
  return writeFailed ? EXIT.fail : exitCodeFor(comparison)
}

/** The progress on stderr: the run's Logger, passed down to every step. */
function terminalProgress(options: CliOptions, io: CliIo): TerminalProgress {
  return new TerminalProgress({
    stream: io.stderr,
    colour: useColour(io.stderr, io.env),
    live: useLiveLine(io.stderr, io.env),
    quiet: options.quiet,
    verbose: options.verbose,
    limits: options.settings
  })
}

/** Runs the pipeline; what it measured stays in the state when it fails, and the failure comes back. */
async function measure(
  options: CliOptions,
  repoDir: string,
  revisions: LocalRevisions,
  progress: TerminalProgress,
  signal: AbortSignal | undefined
): Promise<{ state: RunState; failure: unknown }> {
  const state = newRunState()
  state.revisions = revisions
  try {
    await runPipeline(
      options.settings,
      {
        repoDir,
        tempRoot: tmpdir(),
        baseRef: revisions.baseName,
        progress,
        resolveRevisions: () => Promise.resolve(revisions),
        // Without --head the working tree is the head, uncommitted and untracked files included.
        listChangedFiles:
          options.head === null
            ? async () => workingTreeChanges(new Git(repoDir, progress), revisions.baseSha)
            : undefined,
        signal
      },
      state
    )
    return { state, failure: null }
  } catch (error) {
    state.error = errorMessage(error)
    return { state, failure: error }
  }
}

/** The table on stdout, or after an interruption only a line on stderr. */
function reportOnTerminal(
  io: CliIo,
  options: CliOptions,
  progress: TerminalProgress,
  run: { revisions: LocalRevisions; comparison: Comparison; runError: string | null; interrupted: boolean }
): void {
  if (run.interrupted) {
    // The build under way was cut short too: a table of it would only mislead.
    io.stderr.write(`Interrupted after ${progress.elapsedText()}; the worktrees and images made are removed.\n`)
    return
  }
  if (!options.quiet) io.stderr.write(`${progress.paintDim(`Done in ${progress.elapsedText()}.`)}\n\n`)
  io.stdout.write(
    renderTerminalReport(run.comparison, {
      limits: options.settings,
      baseName: run.revisions.baseName,
      headName: run.revisions.headName,
      runError: run.runError,
      colour: useColour(io.stdout, io.env)
    })
  )
}

/** The --json and --markdown files, written whatever failed; false when one of them could not be. */
async function writeReportFiles(
  io: CliIo,
  options: CliOptions,
  comparison: Comparison,
  state: RunState
): Promise<boolean> {
  const written: Array<Promise<boolean>> = []
  if (options.json) {
    const json = `${JSON.stringify(toJsonReport(comparison, state.engine, state.error), null, 2)}\n`
    written.push(writeReportFile(io, options.json, json))
  }
  if (options.markdown) {
    const markdown = `${renderMarkdown(comparison, { limits: options.settings, runError: state.error ?? undefined })}\n`
    written.push(writeReportFile(io, options.markdown, markdown))
  }
  return (await Promise.all(written)).every(ok => ok)
}

function usageFailure(io: CliIo, error: unknown): number {
  const message = inertText(errorMessage(error))
  io.stderr.write(`docker-size-check: ${message}\n`)
  if (error instanceof UsageError) return EXIT.usage
  return exitCodeForError(error)
}

async function writeReportFile(io: CliIo, path: string, text: string): Promise<boolean> {
  const target = resolve(io.cwd, path)
  try {
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, text)
    return true
  } catch (error) {
    io.stderr.write(`docker-size-check: could not write ${inertText(`${target}: ${errorMessage(error)}`)}\n`)
    return false
  }
}
