import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'

/**
 * Who made an image or a worktree folder, so that a later run can tell what a run killed
 * with SIGKILL left (it could not clean up) from what a run still going has made. Several
 * runs share one engine at once (a runner's jobs, a developer's terminals, test suites):
 * only what is provably dead may be removed.
 *
 * A run is its process: the host, the pid, and the process's start time (from /proc on
 * Linux), so that a pid used again by a later process does not pass for the run.
 */
export interface RunIdentity {
  host: string
  pid: number
  /** Clock ticks since boot when the process started (Linux), or '' where unknown. */
  started: string
  /** Tells apart two runs of one process (the tests run several in one jest worker). */
  nonce: string
  /** The temp root the run works in: what a later run in the same root may clean up. */
  tempRoot: string
}

/** The image labels: which run made it, and in which temp root. */
export const RUN_LABEL = 'docker-size-check.run'
export const TEMP_ROOT_LABEL = 'docker-size-check.temp-root'
/** Set on the images of a run asked to keep them (`keep-images`): no later run removes them. */
export const KEPT_LABEL = 'docker-size-check.kept'

export function newRunIdentity(tempRoot: string): RunIdentity {
  return {
    host: hostname(),
    pid: process.pid,
    started: processStart(process.pid) ?? '',
    nonce: randomBytes(3).toString('hex'),
    tempRoot
  }
}

/** The run label's value: `<pid>-<start>-<nonce>@<host>`. */
export function runLabelValue(run: RunIdentity): string {
  return `${runToken(run)}@${run.host}`
}

/** The part that names tags and folders: `<pid>-<start>-<nonce>` (digits, hex and hyphens). */
export function runToken(run: Pick<RunIdentity, 'pid' | 'started' | 'nonce'>): string {
  return `${run.pid}-${run.started || 'x'}-${run.nonce}`
}

/** The labels of every build of the run. */
export function runLabels(run: RunIdentity, options: { keepImages: boolean }): Record<string, string> {
  return {
    [RUN_LABEL]: runLabelValue(run),
    [TEMP_ROOT_LABEL]: run.tempRoot,
    // Always set: a `--label` overrides the Dockerfile's LABEL of that name, so a Dockerfile
    // cannot mark its image kept and out of reach of the clean-up.
    [KEPT_LABEL]: String(options.keepImages)
  }
}

/** The folder in the temp root that holds a run's worktrees. */
export function scratchFolderName(run: RunIdentity): string {
  return `dsc-${runToken(run)}`
}

const TOKEN = /^(\d+)-(\d+|x)-([0-9a-f]{6})$/

/** The run a label value names, or null for a value this tool did not write. */
export function parseRunLabel(value: string): Omit<RunIdentity, 'tempRoot'> | null {
  const at = value.indexOf('@')
  if (at === -1) return null
  const token = parseToken(value.slice(0, at))
  return token && { ...token, host: value.slice(at + 1) }
}

/** The run a scratch folder's name names (on this host), or null for any other name. */
export function parseScratchFolderName(name: string): Omit<RunIdentity, 'tempRoot'> | null {
  if (!name.startsWith('dsc-')) return null
  const token = parseToken(name.slice('dsc-'.length))
  return token && { ...token, host: hostname() }
}

function parseToken(token: string): Pick<RunIdentity, 'pid' | 'started' | 'nonce'> | null {
  const [, pid, started, nonce] = TOKEN.exec(token) ?? []
  if (pid === undefined || started === undefined || nonce === undefined) return null
  return { pid: Number(pid), started: started === 'x' ? '' : started, nonce }
}

/**
 * True only when the run's process is certainly gone: it ran on this host, and no process
 * has its pid, or the one that has it started at another time. Anything uncertain (another
 * host, a process this user may not signal) counts as alive.
 */
export function isProvablyDead(run: Omit<RunIdentity, 'tempRoot' | 'nonce'>): boolean {
  if (run.host !== hostname()) return false
  if (run.pid === process.pid) return run.started !== '' && run.started !== processStart(process.pid)
  const started = processStart(run.pid)
  if (started !== null) return run.started !== '' && started !== run.started
  try {
    process.kill(run.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * A process's start time from /proc/<pid>/stat (field 22, counted after the command name,
 * which may hold spaces and parentheses), or null where there is no such process or no /proc.
 */
export function processStart(pid: number): string | null {
  let stat: string
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // Fields from the state (field 3) on: the start time is field 22.
  return fields[19] ?? null
}
