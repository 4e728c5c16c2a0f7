// A run's lease on the engine: the volumes it makes and removes as it renews, and what a
// book of leases says of a run. A fake engine that stamps volumes with a clock of its own.
import { describe, expect, it } from '@jest/globals'
import {
  abandonedBy,
  DEFAULT_LEASE_TIMES,
  Lease,
  LEASE_LABEL,
  LEASE_TTL_LABEL,
  leaseBook,
  leaseExpired,
  leaseTimes,
  readLeases
} from '../../src/scheduler/lease.js'
import { newRunIdentity, parseRunLabel } from '../../src/scheduler/run-identity.js'
import { LabelledVolume, parseLabelledVolumes } from '../../src/tools/docker.js'

/** An engine's volumes, stamped by a clock the test moves; it may refuse to make any. */
class FakeEngine {
  readonly volumes = new Map<string, LabelledVolume>()
  readonly made: string[] = []
  clock = Date.parse('2026-12-07T00:00:00Z')
  refuse = false

  createVolume(name: string, labels: Record<string, string>): Promise<boolean> {
    if (this.refuse || this.volumes.has(name)) return Promise.resolve(false)
    // Whole seconds, as the engine keeps them.
    this.volumes.set(name, { name, createdAt: Math.floor(this.clock / 1000) * 1000, labels })
    this.made.push(name)
    return Promise.resolve(true)
  }
  removeVolumes(names: string[]): Promise<void> {
    for (const name of names) this.volumes.delete(name)
    return Promise.resolve()
  }
  volumesLabelled(key: string): Promise<LabelledVolume[]> {
    return Promise.resolve([...this.volumes.values()].filter(volume => key in volume.labels))
  }
}

const TIMES = { ttlMs: 10_000, renewMs: 60_000 }

describe('a lease', () => {
  it('is one volume labelled with the run, its temp root and its ttl; a renewal replaces it; release removes it', async () => {
    const engine = new FakeEngine()
    const run = newRunIdentity('/runner/tmp')
    const lease = await Lease.take(engine, run, TIMES)
    expect([...engine.volumes.keys()]).toEqual(lease.names())
    const [first] = [...engine.volumes.values()]
    expect(first?.name).toMatch(/^docker-size-check-lease-[0-9a-f]{12}-\d+-(\d+|x)-[0-9a-f]{6}-1$/)
    expect(parseRunLabel(first?.labels[LEASE_LABEL] ?? '')).toMatchObject({ pid: process.pid, nonce: run.nonce })
    expect(first?.labels['docker-size-check.temp-root']).toBe('/runner/tmp')
    expect(first?.labels[LEASE_TTL_LABEL]).toBe('10000')

    engine.clock += 5_000
    await lease.renew()
    expect(engine.volumes.size).toBe(1)
    expect([...engine.volumes.values()][0]?.name).toMatch(/-2$/)
    expect([...engine.volumes.values()][0]?.createdAt).toBe(engine.clock)

    await lease.release()
    expect(engine.volumes.size).toBe(0)
    // Released is released: no renewal makes it again.
    await lease.renew()
    expect(engine.volumes.size).toBe(0)
  })

  it('renews itself on its timer while the run goes on', async () => {
    const engine = new FakeEngine()
    const lease = await Lease.take(engine, newRunIdentity('/t'), { ttlMs: 2_000, renewMs: 20 })
    await new Promise(resolve => setTimeout(resolve, 200))
    expect(engine.volumes.size).toBe(1)
    expect(engine.made.length).toBeGreaterThanOrEqual(3)
    await lease.release()
    const made = engine.made.length
    await new Promise(resolve => setTimeout(resolve, 60))
    expect(engine.made).toHaveLength(made)
    expect(engine.volumes.size).toBe(0)
  })

  it('where the engine refuses volumes, is none, and then judges no lease: the run goes on', async () => {
    const engine = new FakeEngine()
    engine.refuse = true
    const lease = await Lease.take(engine, newRunIdentity('/t'), TIMES)
    expect(lease.names()).toEqual([])
    engine.refuse = false
    await engine.createVolume('stale', { [LEASE_LABEL]: 'x-1-1-aaaaaa@vm', [LEASE_TTL_LABEL]: '2000' })
    engine.clock += 60_000
    const book = await readLeases(engine, lease)
    expect(book.now).toBeNull()
    expect(leaseExpired(book, { pidTable: 'x', pid: 1, started: '1', nonce: 'aaaaaa' })).toBe(false)
    await lease.release()
  })
})

describe('a book of leases', () => {
  const run = { pidTable: '0123456789ab', pid: 1, started: '5000', nonce: 'aaaaaa' }
  const t = Date.parse('2026-12-07T00:00:00Z')
  const volume = (name: string, at: number, labels: Record<string, string> = {}): LabelledVolume => ({
    name,
    createdAt: at,
    labels: { [LEASE_LABEL]: '0123456789ab-1-5000-aaaaaa@vm', [LEASE_TTL_LABEL]: '10000', ...labels }
  })
  const own = (at: number): LabelledVolume => volume('own', at, { [LEASE_LABEL]: 'x-2-2-bbbbbb@vm' })

  it("takes a run's newest stamp as its last renewal, and this run's own newest stamp as now", () => {
    const book = leaseBook([volume('a-1', t - 30_000), volume('a-2', t - 5_000), own(t)], ['own'])
    expect(book.now).toBe(t)
    expect(book.runs.get('0123456789ab-1-5000-aaaaaa')).toMatchObject({ renewedAt: t - 5_000, volumes: ['a-1', 'a-2'] })
    expect(leaseExpired(book, run)).toBe(false)
  })

  it('is stale only past the ttl the run declared and a second of the engine stamps', () => {
    expect(leaseExpired(leaseBook([volume('a', t - 11_000), own(t)], ['own']), run)).toBe(false)
    expect(leaseExpired(leaseBook([volume('a', t - 11_001), own(t)], ['own']), run)).toBe(true)
    // A ttl this tool did not write (none, too short, not a number) never goes stale.
    for (const ttl of ['', '5', 'soon', '-1']) {
      const book = leaseBook([volume('a', t - 86_400_000, { [LEASE_TTL_LABEL]: ttl }), own(t)], ['own'])
      expect(leaseExpired(book, run)).toBe(false)
    }
  })

  it('says nothing of a run without a lease, nor of a label this tool did not write', () => {
    const book = leaseBook([volume('junk', t - 86_400_000, { [LEASE_LABEL]: 'not-a-run' }), own(t)], ['own'])
    expect(book.runs.size).toBe(1)
    expect(leaseExpired(book, run)).toBe(false)
    expect(abandonedBy(book)(run)).toBe(false)
  })
})

describe('leaseTimes', () => {
  it('are ten minutes, renewed every minute, unless DOCKER_SIZE_CHECK_LEASE_MS names a shorter lease', () => {
    expect(leaseTimes({})).toEqual(DEFAULT_LEASE_TIMES)
    expect(DEFAULT_LEASE_TIMES).toEqual({ ttlMs: 600_000, renewMs: 60_000 })
    expect(leaseTimes({ DOCKER_SIZE_CHECK_LEASE_MS: '6000' })).toEqual({ ttlMs: 6000, renewMs: 1200 })
    for (const value of ['', '10', 'x', '1.5e3', '-6000']) {
      expect(leaseTimes({ DOCKER_SIZE_CHECK_LEASE_MS: value })).toEqual(DEFAULT_LEASE_TIMES)
    }
  })
})

describe('parseLabelledVolumes', () => {
  it("reads docker volume inspect's lines, skipping what is not one", () => {
    // As Docker 28.5 prints it.
    const stdout =
      '"docker-size-check-lease-x-1-1-aaaaaa-3"\t"2026-12-06T23:50:48Z"\t{"docker-size-check.lease":"x-1-1-aaaaaa@vm"}\n' +
      'Error response from daemon: get gone: no such volume\n' +
      '"v"\t"not a time"\t{}\n'
    expect(parseLabelledVolumes(stdout)).toEqual([
      {
        name: 'docker-size-check-lease-x-1-1-aaaaaa-3',
        createdAt: Date.parse('2026-12-06T23:50:48Z'),
        labels: { 'docker-size-check.lease': 'x-1-1-aaaaaa@vm' }
      }
    ])
  })
})
