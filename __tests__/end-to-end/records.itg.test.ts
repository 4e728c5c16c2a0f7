// End to end: baseline records. A `record` run on main (as a push to main runs it) writes the
// records to the origin; PR runs then take the base from them and build only the head. The
// bundled action (src/ as bundled for the run), real git with a bare origin, the real engine, the API stand-in.
import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { runAction, type ActionRun } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import {
  checkOutPullRequest,
  OWNER,
  REPO,
  runOnPullRequest,
  scratchImage,
  TEST_TOKEN
} from '../support/pull-request.js'
import { runCliBundle } from '../support/cli-runner.js'
import { mermaidBlocks, useMermaid } from '../support/mermaid.js'
import { saveComment } from '../support/save-comment.js'
import {
  commitFiles,
  fileUrl,
  makeTempDir,
  FileChanges,
  git,
  gitLine,
  makeBareRemote,
  makePushCheckoutWorkspace,
  makeRepo
} from '../support/repo.js'
import { RecordStore } from '../../src/records/store.js'
import { forceRewriteRecords, withSize } from '../support/forge-records.js'
import { nth } from '../support/lists.js'
import { RECORDS_KEY, recordsKeyFile, recordsVerifier } from '../support/records-key.js'
import { withoutLinks } from '../support/gfm.js'

const standin = useEndToEnd()
const RECORDS_REF = 'refs/docker-size-check/records'

/** A record run for the push of `sha` to main, with a checkout as actions/checkout makes it. */
async function recordRun(remote: string, sha: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
  const { workspace } = await makePushCheckoutWorkspace(remote, 'main', sha)
  return runAction({
    workspace,
    apiUrl: standin.url,
    repository: `${OWNER}/${REPO}`,
    event: {
      name: 'push',
      payload: {
        ref: 'refs/heads/main',
        after: sha,
        repository: { name: REPO, owner: { login: OWNER }, full_name: `${OWNER}/${REPO}`, default_branch: 'main' }
      }
    },
    inputs: { mode: 'record', 'records-key': RECORDS_KEY.privatePem, ...inputs },
    token: TEST_TOKEN,
    env: { GITHUB_REF: 'refs/heads/main', GITHUB_SHA: sha }
  })
}

/** main with `base`, then `later` commits on main, and a `feature` branch from the first. */
async function repository(base: FileChanges, pr: FileChanges, later: FileChanges[] = []) {
  const repo = await makeRepo()
  // The records' public key, on the default branch as a maintainer commits it.
  const first = await commitFiles(repo, { ...recordsKeyFile(), ...base }, 'base')
  const mainCommits = [first]
  for (const [i, files] of later.entries()) mainCommits.push(await commitFiles(repo, files, `main ${i + 1}`))
  await git(repo, ['checkout', '--quiet', '-b', 'feature'])
  await commitFiles(repo, pr, 'the pull request')
  await git(repo, ['checkout', '--quiet', 'main'])
  return { repo, remote: await makeBareRemote(repo), mainCommits }
}

async function storedRecords(remote: string) {
  const store = new RecordStore(remote, RECORDS_REF, recordsVerifier())
  return {
    index: await store.readIndex(),
    read: (sha: string) => store.readRecord(sha),
    paths: (blob: string) => store.readPaths(blob)
  }
}

function reportImages(run: ActionRun): Array<Record<string, unknown>> {
  return (run.report?.images ?? []) as Array<Record<string, unknown>>
}

describe('a record run on main, then a PR', () => {
  it('records every image on main, and the PR takes its base from the record and builds only the head', async () => {
    standin.reset()
    const { repo, remote, mainCommits } = await repository(
      { ...scratchImage('app', 100_000), ...scratchImage('web', 50_000) },
      scratchImage('app', 300_000)
    )
    const record = await recordRun(remote, nth(mainCommits, 0))
    expect(record.exitCode).toBe(0)
    expect(record.stdout).toContain(`Recorded 2 images at ${nth(mainCommits, 0).slice(0, 12)}`)
    const stored = await storedRecords(remote)
    expect(stored.index.records.map(entry => entry.commit)).toEqual([mainCommits[0]])
    expect(nth(stored.index.records, 0).sizes).toEqual({ 'app/Dockerfile': 100_000, 'web/Dockerfile': 50_000 })
    expect(record.summary).toContain('app/Dockerfile')
    // What a PR's path breakdown reads of the base: each layer, its files summed by folder.
    const app = (await stored.read(nth(mainCommits, 0)))?.images.find(image => image.key === 'app/Dockerfile')
    // Kept apart from the record, in a blob named by its id, so a carried-over image is stored once.
    const blob = app?.paths && 'blob' in app.paths ? app.paths.blob : ''
    expect(nth(stored.index.records, 0).paths).toContain(blob)
    expect((await stored.paths(blob))?.layers).toEqual([
      expect.objectContaining({
        summary: { files: [['/payload.bin', 100_000]], folders: [] },
        source: { line: 2, instruction: 'COPY payload-100000.bin /payload.bin' }
      })
    ])

    const pr = await checkOutPullRequest(standin, repo, remote)
    const { run, comments } = await runOnPullRequest(standin, pr)
    expect(run.exitCode).toBe(1)
    // Only the head was built: no base checkout, no base build, and the log says why.
    expect(run.stdout).toContain(
      `app/Dockerfile: base from the record of ${nth(mainCommits, 0).slice(0, 7)} (the merge-base); only the head is built.`
    )
    expect(run.stdout).not.toMatch(/Build base:|Checked out the base/)
    expect(run.stdout).toMatch(/Build head: app\/Dockerfile/)
    const [image] = reportImages(run)
    expect(image).toMatchObject({
      name: 'app/Dockerfile',
      base: { size: 100_000 },
      head: { size: 300_000 },
      delta: 200_000,
      verdict: 'fail',
      baselineSource: { source: 'record', commit: mainCommits[0], behind: 0 },
      // Where the bytes went, with the base's layer from the record and only the head's read.
      paths: {
        paths: [
          {
            path: '/payload.bin',
            kind: 'file',
            base: 100_000,
            head: 300_000,
            delta: 200_000,
            source: { side: 'head', line: 2, instruction: 'COPY payload-300000.bin /payload.bin' }
          }
        ],
        layers: {
          base: [expect.objectContaining({ state: 'recorded' })],
          head: [expect.objectContaining({ state: 'read' })]
        }
      }
    })
    expect(comments).toHaveLength(1)
    expect(nth(comments, 0).body).toContain('(1 layer read, 1 base layer as the baseline record sums them by folder)')
    expect(withoutLinks(nth(comments, 0).body)).toContain('| `/payload.bin` | 100 kB | 300 kB | +200 kB | L2 |')
    expect(nth(comments, 0).body).toContain(
      `base from the record of \`${nth(mainCommits, 0).slice(0, 7)}\` (the merge-base)`
    )
  })

  it('finds the record of a commit behind the merge-base in a depth-1 checkout, and says how far behind', async () => {
    standin.reset()
    const { repo, remote, mainCommits } = await repository(scratchImage('app', 100_000), scratchImage('app', 90_000), [
      { 'README.md': 'one\n' },
      { 'README.md': 'two\n' }
    ])
    expect((await recordRun(remote, nth(mainCommits, 0))).exitCode).toBe(0)
    const pr = await checkOutPullRequest(standin, repo, remote)
    const { run } = await runOnPullRequest(standin, pr)
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(`base from the record of ${nth(mainCommits, 0).slice(0, 7)} (2 commits behind)`)
    expect(reportImages(run)[0]).toMatchObject({ base: { size: 100_000 }, head: { size: 90_000 } })
  })

  it('builds the base, and says why, when a FROM image resolves differently than when recorded', async () => {
    standin.reset()
    const tag = `dsc-records-${randomBytes(4).toString('hex')}:base`
    execFileSync('docker', ['tag', 'busybox:local', tag])
    const moved = `dsc-records-${randomBytes(4).toString('hex')}:moved`
    try {
      const dockerfile = (bytes: number) => ({
        'app/Dockerfile': `FROM ${tag}\nCOPY payload-${bytes}.bin /payload.bin\n`,
        [`app/payload-${bytes}.bin`]: 'x'.repeat(bytes)
      })
      const { repo, remote, mainCommits } = await repository(dockerfile(10_000), dockerfile(20_000))
      expect((await recordRun(remote, nth(mainCommits, 0))).exitCode).toBe(0)
      // The base image moves on: the same tag now names another image.
      // From a folder of the test's own: `docker build -` leaves dockerfile* and empty-dir*
      // folders in the temporary folder.
      const context = await makeTempDir('moved-base')
      writeFileSync(join(context, 'Dockerfile'), `FROM ${tag}\nRUN echo moved > /moved\n`)
      execFileSync('docker', ['build', '-q', '-t', moved, context])
      execFileSync('docker', ['tag', moved, tag])
      const pr = await checkOutPullRequest(standin, repo, remote)
      const { run } = await runOnPullRequest(standin, pr)
      expect(run.stdout).toMatch(
        new RegExp(
          `app/Dockerfile: the base is built, the record of ${nth(mainCommits, 0).slice(0, 7)} does not match: ${tag.replace(/[.:]/g, '\\$&')} resolves to [0-9a-f]{12} now, [0-9a-f]{12} when recorded`
        )
      )
      expect(run.stdout).toMatch(/Build base: app\/Dockerfile/)
      expect(reportImages(run)[0]).toMatchObject({ baselineSource: { source: 'build' } })
    } finally {
      execFileSync('docker', ['image', 'rm', '--force', tag, moved], { stdio: 'ignore' })
    }
  })

  it('keeps both records when two record runs race', async () => {
    const { repo, remote } = await repository(scratchImage('app', 10_000), {})
    const second = await commitFiles(repo, scratchImage('app', 20_000), 'second push')
    await git(repo, ['push', '--quiet', remote, 'main:main'])
    const first = await gitLine(repo, ['rev-parse', 'HEAD~1'])
    const runs = await Promise.all([recordRun(remote, first), recordRun(remote, second)])
    expect(runs.map(run => run.exitCode)).toEqual([0, 0])
    const stored = await storedRecords(remote)
    expect(stored.index.records.map(entry => entry.commit).sort()).toEqual([first, second].sort())
    expect((await stored.read(first))?.images[0]?.measurement.size).toBe(10_000)
    expect((await stored.read(second))?.images[0]?.measurement.size).toBe(20_000)
  })

  it('carries an unchanged image over from the previous record instead of building it again', async () => {
    const { repo, remote, mainCommits } = await repository(
      { ...scratchImage('app', 10_000), ...scratchImage('web', 5_000) },
      {}
    )
    expect((await recordRun(remote, nth(mainCommits, 0))).exitCode).toBe(0)
    const next = await commitFiles(repo, scratchImage('app', 12_000), 'app grows')
    await git(repo, ['push', '--quiet', remote, 'main:main'])
    const run = await recordRun(remote, next)
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('Unchanged since the record of')
    expect(run.stdout).toMatch(/Build head: app\/Dockerfile/)
    expect(run.stdout).not.toMatch(/Build head: web\/Dockerfile/)
    const stored = await storedRecords(remote)
    expect(stored.index.records[0]).toMatchObject({
      commit: next,
      sizes: { 'app/Dockerfile': 12_000, 'web/Dockerfile': 5_000 }
    })
  })

  it('refuses to record from another branch than the default one', async () => {
    const { remote, mainCommits } = await repository(scratchImage('app', 10_000), {})
    const { workspace } = await makePushCheckoutWorkspace(remote, 'main', mainCommits[0])
    const run = await runAction({
      workspace,
      apiUrl: standin.url,
      repository: `${OWNER}/${REPO}`,
      event: { name: 'push', payload: { ref: 'refs/heads/feature', repository: { default_branch: 'main' } } },
      inputs: { mode: 'record' },
      token: TEST_TOKEN,
      env: { GITHUB_REF: 'refs/heads/feature' }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      "mode: record runs on the default branch only (main), and this run is for 'refs/heads/feature'"
    )
    expect(run.report).not.toBeNull()
    expect(await gitLine(remote, ['for-each-ref', RECORDS_REF])).toBe('')
  })
})

describe('records nobody but the default branch can write', () => {
  it('a record rewritten by force-push (size set to 100 MB) no longer passes a +3 MB growth, and no later record run carries it over', async () => {
    standin.reset()
    const { repo, remote, mainCommits } = await repository(
      scratchImage('app', 1_000_000),
      scratchImage('app', 4_000_000)
    )
    const recorded = nth(mainCommits, 0)
    expect((await recordRun(remote, recorded)).exitCode).toBe(0)
    // Whoever may push any ref but main: the record and the index say 100 MB, the signatures are left.
    await forceRewriteRecords(remote, files => {
      const path = `records/${recorded}.json`
      files.set(path, withSize(files.get(path) ?? '', 'app/Dockerfile', 100_000_000))
      files.set('index.json', withSize(files.get('index.json') ?? '', 'app/Dockerfile', 100_000_000))
    })
    const pr = await checkOutPullRequest(standin, repo, remote)
    const { run } = await runOnPullRequest(standin, pr)
    expect(run.stdout).toContain(
      `::warning::Could not read the baseline records (${RECORDS_REF}:index.json is refused: its signature does not match its content.); the bases are built.`
    )
    expect(run.stdout).toMatch(/Build base: app\/Dockerfile/)
    expect(run.exitCode).toBe(1)
    expect(reportImages(run)[0]).toMatchObject({
      base: { size: 1_000_000 },
      head: { size: 4_000_000 },
      delta: 3_000_000,
      verdict: 'fail',
      baselineSource: { source: 'build' }
    })

    // Only the record was rewritten, the index left as signed: the record alone is refused.
    await forceRewriteRecords(remote, files => {
      files.set('index.json', withSize(files.get('index.json') ?? '', 'app/Dockerfile', 1_000_000))
    })
    const again = await runOnPullRequest(standin, pr)
    expect(again.run.stdout).toContain(
      `::warning::app/Dockerfile: the record of ${recorded.slice(0, 7)} does not count: ${RECORDS_REF}:records/${recorded}.json is refused: its signature does not match its content; the base is built.`
    )
    expect(again.run.exitCode).toBe(1)
    expect(reportImages(again.run)[0]).toMatchObject({ base: { size: 1_000_000 }, delta: 3_000_000, verdict: 'fail' })

    // The next push to main: app is unchanged, but the forged record is not carried over.
    const next = await commitFiles(repo, { 'README.md': 'next\n' }, 'a later push')
    await git(repo, ['push', '--quiet', remote, 'main:main'])
    const later = await recordRun(remote, next)
    expect(later.exitCode).toBe(0)
    expect(later.stdout).not.toContain('Unchanged since the record of')
    expect(later.stdout).toMatch(/Build head: app\/Dockerfile/)
    expect(later.stdout).toContain(`is refused: its signature does not match its content. It is dropped.`)
    const stored = await storedRecords(remote)
    expect(stored.index.records.map(entry => entry.commit)).toEqual([next])
    expect((await stored.read(next))?.images[0]?.measurement.size).toBe(1_000_000)
  })

  it('a base commit without the public key counts no record: the base is built, and the run says why', async () => {
    standin.reset()
    const { repo, remote, mainCommits } = await repository(scratchImage('app', 100_000), scratchImage('app', 90_000), [
      { '.github/docker-size-check-records.pub': null }
    ])
    expect((await recordRun(remote, nth(mainCommits, 0))).exitCode).toBe(0)
    const pr = await checkOutPullRequest(standin, repo, remote)
    const { run } = await runOnPullRequest(standin, pr)
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(
      /::warning::Could not read the baseline records \(the commit [0-9a-f]{12} has no \.github\/docker-size-check-records\.pub to check the records' signatures with/
    )
    expect(run.stdout).toMatch(/Build base: app\/Dockerfile/)
  })

  it('a record run without records-key fails and says how to make one; the report is still written', async () => {
    const { remote, mainCommits } = await repository(scratchImage('app', 10_000), {})
    const run = await recordRun(remote, nth(mainCommits, 0), { 'records-key': '' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('mode: record needs the records-key input')
    expect(run.report).not.toBeNull()
    expect(await gitLine(remote, ['for-each-ref', RECORDS_REF])).toBe('')
  })

  it('an index past the bound is refused by its size, under a small heap; the report, summary and outputs are written', async () => {
    standin.reset()
    const { repo, remote, mainCommits } = await repository(scratchImage('app', 100_000), scratchImage('app', 300_000))
    expect((await recordRun(remote, nth(mainCommits, 0))).exitCode).toBe(0)
    // 128 MiB of white space before the index: valid JSON, and more than the 96 MB heap below holds.
    await forceRewriteRecords(remote, files =>
      files.set('index.json', `${' '.repeat(128 * 1024 * 1024)}${files.get('index.json') ?? ''}`)
    )
    const pr = await checkOutPullRequest(standin, repo, remote)
    const { run } = await runOnPullRequest(standin, pr, {}, { NODE_OPTIONS: '--max-old-space-size=96' })
    expect(run.stdout).toMatch(
      /::warning::Could not read the baseline records \(refs\/docker-size-check\/records:index\.json is refused: it is 134 MB \(\d{9} bytes\), more than the 33\.6 MB/
    )
    expect(run.stdout).toContain('it was not read.); the bases are built.')
    expect(run.exitCode).toBe(1)
    expect(run.report).toMatchObject({ verdict: 'fail' })
    expect(run.summary).toContain('app/Dockerfile')
    expect(run.outputs.exceeded).toBe('true')
  })
})

describe('a fingerprint of everything a build reads', () => {
  it('a layer a secret decides: recorded with the secret, the PR without it builds the base and fails on +2 MB', async () => {
    standin.reset()
    const marker = `dsc-issue-22a-${randomBytes(6).toString('hex')}`
    // 3 MB more only when the secret is there; the marker names this test's build cache entries.
    const dockerfile = (bytes: number) => ({
      'app/Dockerfile': [
        'FROM busybox:local',
        `COPY payload-${bytes}.bin /payload.bin`,
        `RUN --mount=type=secret,id=tok if [ -f /run/secrets/tok ]; then head -c 3000000 /dev/zero > /extra; fi; echo ${marker}`,
        ''
      ].join('\n'),
      [`app/payload-${bytes}.bin`]: 'x'.repeat(bytes)
    })
    const { repo, remote, mainCommits } = await repository(dockerfile(2_000_000), dockerfile(4_000_000))
    const record = await recordRun(remote, nth(mainCommits, 0), { secrets: 'tok=s3cret' })
    expect(record.exitCode).toBe(0)
    const stored = await storedRecords(remote)
    expect((await stored.read(nth(mainCommits, 0)))?.images[0]?.fingerprint.secrets).toEqual({ 'secret:tok': true })
    // On a runner of its own the PR's base build would not find the record run's layer in
    // BuildKit's cache, which keys a secret's step without the secret: take this test's out.
    execFileSync('docker', ['builder', 'prune', '--force', '--filter', `description~=${marker}`], { stdio: 'ignore' })
    const pr = await checkOutPullRequest(standin, repo, remote)
    const { run } = await runOnPullRequest(standin, pr)
    expect(run.stdout).toContain(
      `app/Dockerfile: the base is built, the record of ${nth(mainCommits, 0).slice(0, 7)} does not match: the secret tok was given when recorded, is not given in this run.`
    )
    expect(run.exitCode).toBe(1)
    const [image] = reportImages(run)
    expect(image).toMatchObject({ delta: 2_000_000, verdict: 'fail', baselineSource: { source: 'build' } })
    execFileSync('docker', ['builder', 'prune', '--force', '--filter', `description~=${marker}`], { stdio: 'ignore' })
  })

  it('an image a RUN --mount=from= reads that changed since the record: the base is built, and the delta is the PR’s own', async () => {
    standin.reset()
    const tag = `dsc-issue-22a-${randomBytes(4).toString('hex')}:mounted`
    const made: string[] = []
    const image = async (bytes: number): Promise<string> => {
      const context = await makeTempDir('mounted')
      writeFileSync(join(context, 'Dockerfile'), `FROM busybox:local\nRUN head -c ${bytes} /dev/zero > /tool.bin\n`)
      const name = `${tag}-${bytes}`
      execFileSync('docker', ['build', '-q', '-t', name, context], { stdio: 'ignore' })
      made.push(name)
      execFileSync('docker', ['tag', name, tag])
      return name
    }
    try {
      await image(1_000_000)
      const dockerfile = (bytes: number) => ({
        'app/Dockerfile': [
          'FROM busybox:local',
          `RUN --mount=from=${tag},source=/tool.bin,target=/mnt/tool.bin cp /mnt/tool.bin /tool.bin`,
          `COPY payload-${bytes}.bin /payload.bin`,
          ''
        ].join('\n'),
        [`app/payload-${bytes}.bin`]: 'x'.repeat(bytes)
      })
      const { repo, remote, mainCommits } = await repository(dockerfile(10_000), dockerfile(20_000))
      expect((await recordRun(remote, nth(mainCommits, 0))).exitCode).toBe(0)
      // The mounted image moves on: the same tag now names one 2 MB larger.
      await image(3_000_000)
      const pr = await checkOutPullRequest(standin, repo, remote)
      const { run } = await runOnPullRequest(standin, pr)
      expect(run.stdout).toMatch(
        new RegExp(
          `app/Dockerfile: the base is built, the record of ${nth(mainCommits, 0).slice(0, 7)} does not match: ${tag.replace(/[.:]/g, '\\$&')} resolves to [0-9a-f]{12} now, [0-9a-f]{12} when recorded`
        )
      )
      expect(run.exitCode).toBe(0)
      expect(reportImages(run)[0]).toMatchObject({ delta: 10_000, baselineSource: { source: 'build' } })
    } finally {
      execFileSync('docker', ['image', 'rm', '--force', tag, ...made], { stdio: 'ignore' })
    }
  })
})

describe('the trend', () => {
  const parser = useMermaid()

  it('shows the image on the default branch over its records and this PR, as a chart Mermaid parses', async () => {
    standin.reset()
    const { repo, remote, mainCommits } = await repository(scratchImage('app', 100_000), scratchImage('app', 150_000), [
      scratchImage('app', 120_000)
    ])
    for (const commit of mainCommits) expect((await recordRun(remote, commit)).exitCode).toBe(0)
    const pr = await checkOutPullRequest(standin, repo, remote)
    // As a PR runs with records: one build, the base and its paths from the merge-base's record.
    const { run, comments } = await runOnPullRequest(standin, pr, { 'max-increase': '' })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).not.toMatch(/Build base:/)
    const body = nth(comments, 0).body
    saveComment('records-trend', body)
    expect(body).toContain(`base from the record of \`${nth(mainCommits, 1).slice(0, 7)}\``)
    expect(body).toContain('(1 layer read, 1 base layer as the baseline record sums them by folder)')
    expect(withoutLinks(body)).toContain('| `/payload.bin` | 120 kB | 150 kB | +30 kB | L2 |')
    // The records' words speak of the records (100 kB, 120 kB); this PR's 150 kB is named apart.
    expect(withoutLinks(body)).toContain(
      '<code>app/Dockerfile</code> on the default branch: +20% over 2 records; this PR +25%</summary>'
    )
    expect(withoutLinks(body)).toContain(
      '+20% over the last 2 records (100 kB → 120 kB); this PR: 150 kB, +25% on the last record.'
    )
    const charts = mermaidBlocks(body)
    expect(charts).toHaveLength(1)
    expect(charts[0]).toContain(
      `x-axis ["${nth(mainCommits, 0).slice(0, 7)}", "${nth(mainCommits, 1).slice(0, 7)}", "this PR"]`
    )
    expect(charts[0]).toContain('line [100, 120, 150]')
    expect(charts[0]).toContain('bar [100, 120, 150]')
    await expect(parser().parse(nth(charts, 0))).resolves.toMatchObject({ diagramType: 'xychart' })
    expect(nth(reportImages(run), 0).trend).toEqual([
      { commit: mainCommits[0], recordedAt: expect.any(String), bytes: 100_000 },
      { commit: mainCommits[1], recordedAt: expect.any(String), bytes: 120_000 }
    ])
  })

  it('is left out where there are no records', async () => {
    standin.reset()
    const { repo, remote } = await repository(scratchImage('app', 100_000), scratchImage('app', 150_000))
    const pr = await checkOutPullRequest(standin, repo, remote)
    const { comments } = await runOnPullRequest(standin, pr, { 'max-increase': '' })
    expect(nth(comments, 0).body).not.toContain('```mermaid')
    expect(nth(comments, 0).body).not.toContain('on the default branch')
  })
})

describe('the command on a clone', () => {
  it('takes the base from the records the user fetched, and says it builds the base where there are none', async () => {
    const { remote, mainCommits } = await repository(scratchImage('app', 100_000), scratchImage('app', 150_000))
    expect((await recordRun(remote, nth(mainCommits, 0))).exitCode).toBe(0)
    const clone = await makeTempDir('clone')
    await git(clone, ['clone', '--quiet', '--branch', 'feature', fileUrl(remote), '.'])
    const before = await runCliBundle(clone, ['--base', 'origin/main', '--json', 'report.json'])
    expect(before.stderr).toContain('No baseline records in this repository: the bases are built.')
    expect(before.stderr).toMatch(/base app\/Dockerfile/)
    await git(clone, ['fetch', '--quiet', 'origin', `${RECORDS_REF}:${RECORDS_REF}`])
    const after = await runCliBundle(clone, ['--base', 'origin/main'])
    expect(after.exitCode).toBe(1)
    expect(after.stderr).toContain(
      `app/Dockerfile: base from the record of ${nth(mainCommits, 0).slice(0, 7)} (the merge-base); only the head is built.`
    )
    expect(after.stderr).not.toMatch(/base app\/Dockerfile/)
    expect(after.stdout).toContain('+50 kB')
    expect(after.stdout).toMatch(
      /On the default branch: [▁-█]{2} the last record: 100 kB; this PR: 150 kB, \+50% on the last record/
    )
  })
})

describe('a fork-shaped checkout, whose origin it may read and not write', () => {
  let daemon: ChildProcess | undefined
  afterAll(() => {
    daemon?.kill()
  })

  it('reads the records through a read-only origin and builds only the head', async () => {
    standin.reset()
    const { repo, remote, mainCommits } = await repository(scratchImage('app', 100_000), scratchImage('app', 100_500))
    expect((await recordRun(remote, nth(mainCommits, 0))).exitCode).toBe(0)
    // git daemon serves fetches and refuses pushes (receive-pack is off unless enabled).
    const port = await freePort()
    const base = remote.slice(0, remote.lastIndexOf('/'))
    daemon = spawn(
      'git',
      ['daemon', '--export-all', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${port}`, base],
      {
        stdio: 'ignore'
      }
    )
    const url = `git://127.0.0.1:${port}/${remote.slice(base.length + 1)}`
    await waitFor(() => git(repo, ['ls-remote', url, RECORDS_REF]).then(out => out.includes(RECORDS_REF)))
    const pr = await checkOutPullRequest(standin, repo, remote, { remoteUrl: url })
    await expect(git(pr.workspace, ['push', 'origin', 'HEAD:refs/heads/intruder'])).rejects.toThrow()
    const { run } = await runOnPullRequest(standin, pr)
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain(`base from the record of ${nth(mainCommits, 0).slice(0, 7)}`)
    expect(run.stdout).not.toMatch(/Build base:/)
  })
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))
      )
    })
  })
}

async function waitFor(ready: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (await ready().catch(() => false)) return
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('git daemon did not answer within 5 s')
}
