// The baseline record store on real git: a bare origin as GitHub holds it, clones that
// write and read, writers that race, and the bound on the store's size.
import { afterAll, describe, expect, it } from '@jest/globals'
import { RECORD_SCHEMA, type BaselineRecord } from '../../src/records/schema.js'
import { MAX_STORED_FILE_BYTES, RecordStore } from '../../src/records/store.js'
import { forceRewriteRecords, withSize } from '../support/forge-records.js'
import { OTHER_KEY } from '../support/records-key.js'
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
import { recordsSigner, recordsVerifier } from '../support/records-key.js'

const signer = recordsSigner()
/** A store read and written with the repository's key, as a record run and a PR run use it. */
const storeIn = (dir: string) => new RecordStore(dir, DEFAULT_RECORDS_REF, recordsVerifier())

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
          platform: 'linux/amd64',
          from: { 'busybox:local': 'sha256:1' },
          secrets: {},
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
    const result = await storeIn(writer).write('origin', written, signer)
    expect(result.attempts).toBe(1)
    // A branch listing does not show it, and the origin holds it.
    expect(await git(origin, ['branch', '--list'])).not.toContain('records')
    expect(await gitLine(origin, ['rev-parse', DEFAULT_RECORDS_REF])).toBe(result.tip)

    const reader = storeIn(await cloneOf(origin))
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
    await storeIn(writer).write('origin', recordOf(nth(commits, 0), '2026-12-01T10:00:00.000Z'), signer)
    expect(await git(writer, ['status', '--porcelain=v2', '--branch'])).toBe(status)
    expect(await gitLine(writer, ['rev-parse', 'HEAD'])).toBe(commits[2])
  })

  it('keeps both records when two writers race, the loser writing again on top of the winner', async () => {
    const { origin, commits } = await originWithHistory()
    const [a, b] = [await cloneOf(origin), await cloneOf(origin)]
    const retries: number[] = []
    // b has read the store and built its commit when a's push lands first.
    await storeIn(b).write('origin', recordOf(nth(commits, 2), '2026-12-01T10:00:02.000Z', 2), signer, {
      beforePush: async attempt => {
        if (attempt === 1)
          await storeIn(a).write('origin', recordOf(nth(commits, 1), '2026-12-01T10:00:01.000Z', 1), signer)
      },
      onRetry: attempt => retries.push(attempt)
    })
    expect(retries).toEqual([1])
    const reader = storeIn(await cloneOf(origin))
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
        storeIn(clone).write('origin', recordOf(nth(commits, i), `2026-12-01T10:00:0${i}.000Z`, i), signer)
      )
    )
    const reader = storeIn(await cloneOf(origin))
    await reader.fetch('origin')
    expect((await reader.readIndex()).records.map(entry => entry.commit)).toEqual([...commits].reverse())
  })

  it('keeps only the newest records past the bound, and never grows a history', async () => {
    const { origin, commits } = await originWithHistory()
    const writer = storeIn(await cloneOf(origin))
    const times = ['2026-12-01T10:00:00.000Z', '2026-12-01T11:00:00.000Z', '2026-12-01T12:00:00.000Z']
    for (let i = 0; i < 3; i++)
      await writer.write('origin', recordOf(nth(commits, i), nth(times, i)), signer, { maxRecords: 2 })
    const reader = storeIn(await cloneOf(origin))
    await reader.fetch('origin')
    expect((await reader.readIndex()).records.map(entry => entry.commit)).toEqual([commits[2], commits[1]])
    expect(await reader.readRecord(nth(commits, 0))).toBeNull()
    expect(await gitLine(origin, ['rev-list', '--count', DEFAULT_RECORDS_REF])).toBe('1')
  })

  it('stores an image’s layers once while records carry it over, and frees them with the last record that uses them', async () => {
    const { origin, commits } = await originWithHistory()
    const writer = storeIn(await cloneOf(origin))
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
    await writer.write('origin', withPaths(nth(commits, 0), '2026-12-01T10:00:00.000Z', { layers }), signer, {
      maxRecords: 2
    })
    const first = nth((await writer.readRecord(nth(commits, 0)))?.images ?? [], 0).paths
    expect(first).toEqual({ blob: expect.stringMatching(/^[0-9a-f]{40}$/) })
    const blob = first && 'blob' in first ? first.blob : ''
    // A record run that carries the image over writes the blob it read.
    await writer.write('origin', withPaths(nth(commits, 1), '2026-12-01T11:00:00.000Z', { blob }), signer, {
      maxRecords: 2
    })
    const reader = storeIn(await cloneOf(origin))
    await reader.fetch('origin')
    expect((await reader.readPaths(blob))?.layers).toEqual(layers)
    const listed = async () =>
      (await git(origin, ['ls-tree', '--name-only', `${DEFAULT_RECORDS_REF}^{tree}`, 'paths/'])).trim()
    expect(await listed()).toBe(`paths/${blob}.json`)

    // The next two records measure other layers: the first two are pruned, and their blob with them.
    const other = [
      { ...nth(layers, 0), summary: { files: [['/app/main', 5000]] as Array<[string, number]>, folders: [] } }
    ]
    await writer.write('origin', withPaths(nth(commits, 2), '2026-12-01T12:00:00.000Z', { layers: other }), signer, {
      maxRecords: 2
    })
    expect(await listed()).toContain(`paths/${blob}.json`)
    await writer.write('origin', withPaths(nth(commits, 2), '2026-12-01T13:00:00.000Z', { layers: other }), signer, {
      maxRecords: 1
    })
    expect(await listed()).not.toContain(blob)
    expect(await listed()).toMatch(/^paths\/[0-9a-f]{40}\.json$/)
  })

  it('reads nothing, and says so, where the origin has no records', async () => {
    const { origin, commits } = await originWithHistory()
    const reader = storeIn(await cloneOf(origin))
    expect(await reader.fetch('origin')).toBe(false)
    expect(await reader.readRecord(nth(commits, 0))).toBeNull()
    expect((await reader.readIndex()).records).toEqual([])
  })

  it('refuses a record rewritten by force-push, whatever it is signed with, and the next write drops it', async () => {
    const { origin, commits } = await originWithHistory()
    const writer = storeIn(await cloneOf(origin))
    await writer.write('origin', recordOf(nth(commits, 0), '2026-12-01T10:00:00.000Z', 1000), signer)
    const path = `records/${nth(commits, 0)}.json`
    const reader = storeIn(await cloneOf(origin))

    // The size set to 100 MB, the old signature kept.
    await forceRewriteRecords(origin, files => files.set(path, withSize(files.get(path) ?? '', 'app/Dockerfile', 1e8)))
    await reader.fetch('origin')
    await expect(reader.readRecord(nth(commits, 0))).rejects.toThrow(
      `${DEFAULT_RECORDS_REF}:${path} is refused: its signature does not match its content.`
    )
    // Signed again, with a key the default branch does not hold.
    const other = recordsSigner(OTHER_KEY)
    await forceRewriteRecords(origin, files => {
      const forged = withSize(files.get(path) ?? '', 'app/Dockerfile', 1e8)
      files.set(path, forged).set(`${path}.sig`, other.sign(path, forged))
      files.set('index.json.sig', other.sign('index.json', files.get('index.json') ?? ''))
    })
    await reader.fetch('origin')
    await expect(reader.readRecord(nth(commits, 0))).rejects.toThrow(
      `is refused: it is signed by key ${other.keyId}, which is not in the test key.`
    )
    await expect(reader.readIndex()).rejects.toThrow(/index\.json is refused: it is signed by key/)
    // Without a signature at all, and moved to another commit's name.
    await forceRewriteRecords(origin, files => files.delete(`${path}.sig`))
    await reader.fetch('origin')
    await expect(reader.readRecord(nth(commits, 0))).rejects.toThrow('is refused: it is not signed.')

    // The next record run keeps only what verifies: the forged record is gone, not signed again.
    const result = await writer.write('origin', recordOf(nth(commits, 1), '2026-12-01T11:00:00.000Z', 2000), signer)
    expect(result.refused.join('\n')).toMatch(/index\.json is refused: it is signed by key/)
    await reader.fetch('origin')
    expect((await reader.readIndex()).records.map(entry => entry.commit)).toEqual([commits[1]])
    expect(await reader.readRecord(nth(commits, 0))).toBeNull()
  })

  it('keeps a genuine record the forger left, and drops the one he rewrote', async () => {
    const { origin, commits } = await originWithHistory()
    const writer = storeIn(await cloneOf(origin))
    await writer.write('origin', recordOf(nth(commits, 0), '2026-12-01T10:00:00.000Z', 1000), signer)
    await writer.write('origin', recordOf(nth(commits, 1), '2026-12-01T11:00:00.000Z', 1100), signer)
    const path = `records/${nth(commits, 1)}.json`
    await forceRewriteRecords(origin, files => files.set(path, withSize(files.get(path) ?? '', 'app/Dockerfile', 1e8)))
    const result = await writer.write('origin', recordOf(nth(commits, 2), '2026-12-01T12:00:00.000Z', 1200), signer)
    expect(result.refused).toEqual([expect.stringContaining(`${path} is refused: its signature does not match`)])
    const reader = storeIn(await cloneOf(origin))
    await reader.fetch('origin')
    expect((await reader.readIndex()).records.map(entry => entry.commit)).toEqual([commits[2], commits[0]])
    expect((await reader.readRecord(nth(commits, 0)))?.images[0]?.measurement.size).toBe(1000)
  })

  it('reads nothing of a store without a public key to check it with', async () => {
    const { origin, commits } = await originWithHistory()
    await storeIn(await cloneOf(origin)).write('origin', recordOf(nth(commits, 0), '2026-12-01T10:00:00.000Z'), signer)
    const reader = new RecordStore(await cloneOf(origin))
    await reader.fetch('origin')
    await expect(reader.readIndex()).rejects.toThrow('is not read: there is no public key to check it with.')
  })

  it('refuses a stored file past the bound by its size, without reading it', async () => {
    const { origin, commits } = await originWithHistory()
    await storeIn(await cloneOf(origin)).write('origin', recordOf(nth(commits, 0), '2026-12-01T10:00:00.000Z'), signer)
    await forceRewriteRecords(origin, files =>
      files.set('index.json', `${' '.repeat(MAX_STORED_FILE_BYTES)}${files.get('index.json')}`)
    )
    const reader = storeIn(await cloneOf(origin))
    await reader.fetch('origin')
    await expect(reader.readIndex()).rejects.toThrow(
      /:index\.json is refused: it is [\d.]+ MB \(\d+ bytes\), more than the 33\.6 MB a stored file of the records may be; it was not read\./
    )
  })

  it('refuses a ref name that is a branch or a tag', () => {
    expect(() => new RecordStore('.', 'refs/heads/main')).toThrow(/Invalid records-ref 'refs\/heads\/main'/)
    expect(() => new RecordStore('.', 'records')).toThrow(/full ref name/)
  })
})
