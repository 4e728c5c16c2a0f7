import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, readlinkSync } from 'node:fs'
import { hostname } from 'node:os'

/**
 * Who made an image or a worktree folder, so that a later run can tell what a run killed
 * with SIGKILL left (it could not clean up) from what a run still going has made. Several
 * runs share one engine at once (a runner's jobs, a developer's terminals, test suites):
 * only what is provably abandoned may be removed.
 *
 * A run is its process: the process table it lives in, the pid, and the process's start
 * time (from /proc on Linux), so that a pid used again by a later process does not pass for
 * the run. The hostname and the temp folder's path say nothing of that: two runner
 * containers often share both (a set hostname, RUNNER_TEMP bind-mounted at one path) but
 * not a PID namespace, and there each sees the other's pid as gone, or as its own pid 1.
 * So the process table is named (`pidTable`), and only a run of the same table is judged by
 * its pid; every other run by its lease on the engine (lease.ts).
 */
export interface RunIdentity {
  host: string
  /** The process table the pid is in: the kernel's boot and the PID namespace, hashed; 'x' where unknown. */
  pidTable: string
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
    pidTable: ownPidTable(),
    pid: process.pid,
    started: processStart(process.pid) ?? '',
    nonce: randomBytes(3).toString('hex'),
    tempRoot
  }
}

/** The run label's value: `<table>-<pid>-<start>-<nonce>@<host>`; the host only for whoever reads it. */
export function runLabelValue(run: RunIdentity): string {
  return `${runToken(run)}@${run.host}`
}

export type RunToken = Pick<RunIdentity, 'pidTable' | 'pid' | 'started' | 'nonce'>

/** The part that names tags, folders and leases: `<table>-<pid>-<start>-<nonce>` (hex, digits and hyphens). */
export function runToken(run: RunToken): string {
  return `${run.pidTable}-${run.pid}-${run.started || 'x'}-${run.nonce}`
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

// A name of the earlier form (`<pid>-<start>-<nonce>`, no table) reads as no run: what such
// a run left cannot be judged safely, and stays.
const TOKEN = /^([0-9a-f]{12}|x)-(\d+)-(\d+|x)-([0-9a-f]{6})$/

/** The run a label value names, or null for a value this tool did not write. */
export function parseRunLabel(value: string): RunToken | null {
  const at = value.indexOf('@')
  return at === -1 ? null : parseToken(value.slice(0, at))
}

/** The run a scratch folder's name names, or null for any other name. */
export function parseScratchFolderName(name: string): RunToken | null {
  return name.startsWith('dsc-') ? parseToken(name.slice('dsc-'.length)) : null
}

function parseToken(token: string): RunToken | null {
  const [, pidTable, pid, started, nonce] = TOKEN.exec(token) ?? []
  if (pidTable === undefined || pid === undefined || started === undefined || nonce === undefined) return null
  return { pidTable, pid: Number(pid), started: started === 'x' ? '' : started, nonce }
}

/**
 * This process's table: the boot (boot_id changes with every boot, and differs between
 * machines) and the PID namespace (its inode, which differs between containers and
 * `unshare --pid`). An inode may be used again once its namespace is gone, and then every
 * process of the old one is gone too, so a match never mistakes a dead run for a live one.
 * 'x' without /proc (macOS): no run is then judged by its pid.
 */
export function ownPidTable(): string {
  pidTable ??= readPidTable()
  return pidTable
}

let pidTable: string | undefined

function readPidTable(): string {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    const namespace = readlinkSync('/proc/self/ns/pid')
    return createHash('sha256').update(`${boot}\n${namespace}`).digest('hex').slice(0, 12)
  } catch {
    return 'x'
  }
}

/**
 * True only when the run's process is certainly gone: it ran in this process table, and no
 * process has its pid, or the one that has it started at another time. Anything uncertain
 * (another table, an unknown one, a process this user may not signal) counts as alive.
 */
export function isProvablyDead(run: Omit<RunToken, 'nonce'>): boolean {
  if (run.pidTable === 'x' || run.pidTable !== ownPidTable()) return false
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
