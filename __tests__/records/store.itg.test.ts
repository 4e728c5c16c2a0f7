// The baseline record store on real git: a bare origin as GitHub holds it, clones that
// write and read, writers that race, and the bound on the store's size.
import { afterAll, describe, expect, it } from '@jest/globals'
import { RECORD_SCHEMA, type BaselineRecord } from '../../src/records/schema.js'
import { RecordStore } from '../../src/records/store.js'
import {
  cleanupTempDirs,
  commitFiles,
  fileUrl,
  git,
  gitLine,
  makeBareRemote,
  makeRepo,
  makeTempDir
} from '../support/repo.js'
import { nth } from '../support/lists.js'
import { DEFAULT_RECORDS_REF } from '../../src/inputs/records-ref.js'

afterAll(cleanupTempDirs)

function recordOf(commit: string, recordedAt: string, size = 1000): BaselineRecord {
  return {
    schema: RECORD_SCHEMA,
    commit,
    recordedAt,
    images: [
      {
        key: 'app/Dockerfile',
        dockerfile: 'app/Dockerfile',
        context: 'app',
        fingerprint: {
          source: 'a'.repeat(64),
          build: 'b'.repeat(64),
          from: { 'busybox:local': 'sha256:1' },
          measure: 'files/overlay2'
        },
        measurement: { size, id: 'sha256:abc', layers: 2, sizeSource: 'inspect' }
      }
    ]
  }
}

async function originWithHistory(): Promise<{ origin: string; commits: string[] }> {
  const repo = await makeRepo()
  const commits: string[] = []
  for (let i = 0; i < 3; i++)
    commits.push(await commitFiles(repo, { 'app/Dockerfile': `FROM scratch\n# ${i}\n` }, `c${i}`))
  return { origin: await makeBareRemote(repo), commits }
}

async function cloneOf(origin: string): Promise<string> {
  const dir = await makeTempDir('clone')
  await git(dir, ['clone', '--quiet', fileUrl(origin), '.'])
  return dir
}

describe('the record store', () => {
  it('writes a record to the origin under its own ref, and another clone reads it back', async () => {
    const { origin, commits } = await originWithHistory()
    const writer = await cloneOf(origin)
    const written = recordOf(nth(commits, 2), '2026-12-01T10:00:00.000Z', 1234)
    const result = await new RecordStore(writer).write('origin', written)
    expect(result.attempts).toBe(1)
    // A branch listing does not show it, and the origin holds it.
    expect(await git(origin, ['branch', '--list'])).not.toContain('records')
    expect(await gitLine(origin, ['rev-parse', DEFAULT_RECORDS_REF])).toBe(result.tip)

    const reader = new RecordStore(await cloneOf(origin))
    expect(await reader.fetch('origin')).toBe(true)
    expect(await reader.readRecord(nth(commits, 2))).toEqual(written)
    expect(await reader.readRecord(nth(commits, 1))).toBeNull()
    const index = await reader.readIndex()
    expect(index.records).toEqual([
      {
        commit: commits[2],
        recordedAt: written.recordedAt,
        sizes: { 'app/Dockerfile': 1234 },
        measure: 'files/overlay2'
      }
    ])
  })

  it('leaves the clone’s branches, index and work tree as they were', async () => {
    const { origin, commits } = await originWithHistory()
    const writer = await cloneOf(origin)
    const status = await git(writer, ['status', '--porcelain=v2', '--branch'])
    await new RecordStore(writer).write('origin', recordOf(nth(commits, 0), '2026-12-01T10:00:00.000Z'))
    expect(await git(writer, ['status', '--porcelain=v2', '--branch'])).toBe(status)
    expect(await gitLine(writer, ['rev-parse', 'HEAD'])).toBe(commits[2])
  })

  it('keeps both records when two writers race, the loser writing again on top of the winner', async () => {
    const { origin, commits } = await originWithHistory()
    const [a, b] = [await cloneOf(origin), await cloneOf(origin)]
    const retries: number[] = []
    // b has read the store and built its commit when a's push lands first.
    await new RecordStore(b).write('origin', recordOf(nth(commits, 2), '2026-12-01T10:00:02.000Z', 2), {
      beforePush: async attempt => {
        if (attempt === 1)
          await new RecordStore(a).write('origin', recordOf(nth(commits, 1), '2026-12-01T10:00:01.000Z', 1))
      },
      onRetry: attempt => retries.push(attempt)
    })
    expect(retries).toEqual([1])
    const reader = new RecordStore(await cloneOf(origin))
    await reader.fetch('origin')
    const index = await reader.readIndex()
    expect(index.records.map(entry => entry.commit)).toEqual([commits[2], commits[1]])
    expect((await reader.readRecord(nth(commits, 1)))?.images[0]?.measurement.size).toBe(1)
    expect((await reader.readRecord(nth(commits, 2)))?.images[0]?.measurement.size).toBe(2)
  })

  it('keeps every record when several writers push at once', async () => {
    const { origin, commits } = await originWithHistory()
    const clones = await Promise.all(commits.map(() => cloneOf(origin)))
    await Promise.all(
      clones.map((clone, i) =>
        new RecordStore(clone).write('origin', recordOf(nth(commits, i), `2026-12-01T10:00:0${i}.000Z`, i))
      )
    )
    const reader = new RecordStore(await cloneOf(origin))
    await reader.fetch('origin')
    expect((await reader.readIndex()).records.map(entry => entry.commit)).toEqual([...commits].reverse())
  })

  it('keeps only the newest records past the bound, and never grows a history', async () => {
    const { origin, commits } = await originWithHistory()
    const writer = new RecordStore(await cloneOf(origin))
    const times = ['2026-12-01T10:00:00.000Z', '2026-12-01T11:00:00.000Z', '2026-12-01T12:00:00.000Z']
    for (let i = 0; i < 3; i++)
      await writer.write('origin', recordOf(nth(commits, i), nth(times, i)), { maxRecords: 2 })
    const reader = new RecordStore(await cloneOf(origin))
    await reader.fetch('origin')
    expect((await reader.readIndex()).records.map(entry => entry.commit)).toEqual([commits[2], commits[1]])
    expect(await reader.readRecord(nth(commits, 0))).toBeNull()
    expect(await gitLine(origin, ['rev-list', '--count', DEFAULT_RECORDS_REF])).toBe('1')
  })

  it('stores an image’s layers once while records carry it over, and frees them with the last record that uses them', async () => {
    const { origin, commits } = await originWithHistory()
    const writer = new RecordStore(await cloneOf(origin))
    const layers = [
      {
        diffId: 'sha256:1',
        blob: 'blobs/sha256/1',
        source: { line: 2, instruction: 'COPY app /app' },
        summary: {
          files: [['/app/main', 900]] as Array<[string, number]>,
          folders: [['/app', 100]] as Array<[string, number]>
        }
      }
    ]
    const withPaths = (commit: string, at: string, paths: { layers: typeof layers } | { blob: string }) => {
      const record = recordOf(commit, at)
      return { ...record, images: record.images.map(image => ({ ...image, paths })) }
    }
    await writer.write('origin', withPaths(nth(commits, 0), '2026-12-01T10:00:00.000Z', { layers }), { maxRecords: 2 })
    const first = nth((await writer.readRecord(nth(commits, 0)))?.images ?? [], 0).paths
    expect(first).toEqual({ blob: expect.stringMatching(/^[0-9a-f]{40}$/) })
    const blob = first && 'blob' in first ? first.blob : ''
    // A record run that carries the image over writes the blob it read.
    await writer.write('origin', withPaths(nth(commits, 1), '2026-12-01T11:00:00.000Z', { blob }), { maxRecords: 2 })
    const reader = new RecordStore(await cloneOf(origin))
    await reader.fetch('origin')
    expect((await reader.readPaths(blob))?.layers).toEqual(layers)
    const listed = async () =>
      (await git(origin, ['ls-tree', '--name-only', `${DEFAULT_RECORDS_REF}^{tree}`, 'paths/'])).trim()
    expect(await listed()).toBe(`paths/${blob}.json`)

    // The next two records measure other layers: the first two are pruned, and their blob with them.
    const other = [
      { ...nth(layers, 0), summary: { files: [['/app/main', 5000]] as Array<[string, number]>, folders: [] } }
    ]
    await writer.write('origin', withPaths(nth(commits, 2), '2026-12-01T12:00:00.000Z', { layers: other }), {
      maxRecords: 2
    })
    expect(await listed()).toContain(`paths/${blob}.json`)
    await writer.write('origin', withPaths(nth(commits, 2), '2026-12-01T13:00:00.000Z', { layers: other }), {
      maxRecords: 1
    })
    expect(await listed()).not.toContain(blob)
    expect(await listed()).toMatch(/^paths\/[0-9a-f]{40}\.json$/)
  })

  it('reads nothing, and says so, where the origin has no records', async () => {
    const { origin, commits } = await originWithHistory()
    const reader = new RecordStore(await cloneOf(origin))
    expect(await reader.fetch('origin')).toBe(false)
    expect(await reader.readRecord(nth(commits, 0))).toBeNull()
    expect((await reader.readIndex()).records).toEqual([])
  })

  it('refuses a ref name that is a branch or a tag', () => {
    expect(() => new RecordStore('.', 'refs/heads/main')).toThrow(/Invalid records-ref 'refs\/heads\/main'/)
    expect(() => new RecordStore('.', 'records')).toThrow(/full ref name/)
  })
})
