import { Docker, LabelledVolume } from '../tools/docker.js'
import {
  isProvablyDead,
  parseRunLabel,
  RunIdentity,
  runLabelValue,
  RunToken,
  runToken,
  TEMP_ROOT_LABEL
} from './run-identity.js'

// A run's lease on the engine: the proof, from the engine's view, that the run is still
// going, for runs that cannot see each other's processes (another container, another PID
// namespace, another machine on one engine). The engine keeps it as a small labelled volume
// that the run makes again every `renewMs` (a new name, then the older one removed): the
// engine stamps each volume with its own clock when it makes it, so the newest stamp is the
// run's last renewal. A run whose newest stamp is older than the `ttlMs` it declared is
// abandoned: its images, worktree folders and lease may go. Times are compared on the
// engine's clock alone (this run's own newest stamp is "now"), so no two machines' clocks
// need agree. A run that holds no lease (the engine refused the volume, or someone pruned
// volumes) is never abandoned by this test: it takes a proof to remove anything.

/** On each lease volume: the run (as its run label), the temp root, and the run's ttl. */
export const LEASE_LABEL = 'docker-size-check.lease'
export const LEASE_TTL_LABEL = 'docker-size-check.lease-ttl-ms'

export type LeaseDocker = Pick<Docker, 'createVolume' | 'removeVolumes' | 'volumesLabelled'>

export interface LeaseTimes {
  /** How long after its last renewal a run counts as abandoned. */
  ttlMs: number
  renewMs: number
}

/**
 * Ten minutes: a run that renews every minute has missed ten renewals by then. A machine
 * whose run cannot spawn `docker volume create` for ten minutes is not building either;
 * leftovers waiting ten minutes more cost only disk.
 */
export const DEFAULT_LEASE_TIMES: LeaseTimes = { ttlMs: 600_000, renewMs: 60_000 }
const MIN_TTL_MS = 2_000
/** The engine stamps whole seconds: a stamp may read up to a second early, and "now" too. */
const STAMP_SLACK_MS = 1_000

/** The lease's times; `DOCKER_SIZE_CHECK_LEASE_MS` shortens them, for the tests of abandoned runs. */
export function leaseTimes(env: NodeJS.ProcessEnv = process.env): LeaseTimes {
  const ttlMs = Number(env.DOCKER_SIZE_CHECK_LEASE_MS)
  if (!Number.isSafeInteger(ttlMs) || ttlMs < MIN_TTL_MS) return DEFAULT_LEASE_TIMES
  return { ttlMs, renewMs: Math.max(500, Math.floor(ttlMs / 5)) }
}

/** This run's lease: taken before the run makes anything, renewed while it runs, released last. */
export class Lease {
  /** The volumes made and not yet removed: the newest is the lease, the others on their way out. */
  private readonly volumes = new Set<string>()
  private generation = 0
  private renewing: Promise<void> = Promise.resolve()
  private timer: NodeJS.Timeout | undefined
  private released = false

  private constructor(
    private readonly docker: LeaseDocker,
    private readonly run: RunIdentity,
    readonly times: LeaseTimes
  ) {}

  /** Takes the lease; never throws (an engine that refuses it leaves the run without one). */
  static async take(docker: LeaseDocker, run: RunIdentity, times: LeaseTimes = leaseTimes()): Promise<Lease> {
    const lease = new Lease(docker, run, times)
    await lease.renew()
    lease.timer = setInterval(() => void lease.renew(), times.renewMs)
    // The lease never keeps the process alive: a run that is done is done.
    lease.timer.unref()
    return lease
  }

  /** The lease volumes the engine holds for this run (the newest last). */
  names(): string[] {
    return [...this.volumes]
  }

  /** One renewal after another, never two at once. */
  renew(): Promise<void> {
    this.renewing = this.renewing.then(() => this.renewOnce())
    return this.renewing
  }

  /** Stops renewing and removes the lease: after the run's images and folders, so they are never left unleased. */
  async release(): Promise<void> {
    this.released = true
    clearInterval(this.timer)
    await this.renewing
    await this.docker.removeVolumes(this.names()).catch(() => undefined)
    this.volumes.clear()
  }

  private async renewOnce(): Promise<void> {
    if (this.released) return
    const name = `docker-size-check-lease-${runToken(this.run)}-${++this.generation}`
    const labels = {
      [LEASE_LABEL]: runLabelValue(this.run),
      [TEMP_ROOT_LABEL]: this.run.tempRoot,
      [LEASE_TTL_LABEL]: String(this.times.ttlMs)
    }
    if (!(await this.docker.createVolume(name, labels).catch(() => false))) return
    const older = this.names()
    this.volumes.add(name)
    if (older.length === 0) return
    await this.docker.removeVolumes(older).catch(() => undefined)
    for (const volume of older) this.volumes.delete(volume)
  }
}

/** What the engine's leases say: each run's last renewal, and "now" on the engine's clock. */
export interface LeaseBook {
  /** This run's newest lease stamp; null where it holds none, and then no lease is judged. */
  now: number | null
  runs: Map<string, LeasedRun>
}

interface LeasedRun {
  run: RunToken
  tempRoot: string
  renewedAt: number
  ttlMs: number
  volumes: string[]
}

/** Reads every run's lease; an engine that cannot list them gives a book that judges none. */
export async function readLeases(docker: Pick<Docker, 'volumesLabelled'>, own: Lease): Promise<LeaseBook> {
  const volumes = await docker.volumesLabelled(LEASE_LABEL).catch(() => [])
  return leaseBook(volumes, own.names())
}

export function leaseBook(volumes: LabelledVolume[], ownVolumes: string[]): LeaseBook {
  const own = volumes.filter(volume => ownVolumes.includes(volume.name))
  const runs = new Map<string, LeasedRun>()
  for (const volume of volumes) {
    const run = parseRunLabel(volume.labels[LEASE_LABEL] ?? '')
    if (!run) continue
    const ttl = Number(volume.labels[LEASE_TTL_LABEL])
    // A ttl this tool did not write: never stale.
    const ttlMs = Number.isSafeInteger(ttl) && ttl >= MIN_TTL_MS ? ttl : Infinity
    const token = runToken(run)
    const known = runs.get(token)
    if (!known) {
      runs.set(token, {
        run,
        tempRoot: volume.labels[TEMP_ROOT_LABEL] ?? '',
        renewedAt: volume.createdAt,
        ttlMs,
        volumes: [volume.name]
      })
      continue
    }
    known.volumes.push(volume.name)
    known.renewedAt = Math.max(known.renewedAt, volume.createdAt)
    known.ttlMs = Math.max(known.ttlMs, ttlMs)
  }
  return { now: own.length ? Math.max(...own.map(volume => volume.createdAt)) : null, runs }
}

/** True only when the run's lease is provably stale: it has one, and its last renewal is older than its ttl. */
export function leaseExpired(book: LeaseBook, run: RunToken): boolean {
  const leased = book.runs.get(runToken(run))
  if (book.now === null || !leased) return false
  return book.now - leased.renewedAt > leased.ttlMs + STAMP_SLACK_MS
}

/**
 * Whether what a run made may be removed: its process is provably gone (a run of this
 * process table), or its lease is provably stale (any run).
 */
export type AbandonedTest = (run: RunToken) => boolean

export function abandonedBy(book: LeaseBook): AbandonedTest {
  return run => isProvablyDead(run) || leaseExpired(book, run)
}
