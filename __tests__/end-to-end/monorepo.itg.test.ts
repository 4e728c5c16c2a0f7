// End to end, for repositories with many images: build contexts and .dockerignore, the
// images config, shards and their merge. The bundled dist/index.js runs as the runner runs
// it, against the GitHub API stand-in and the real Docker engine.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { ActionRun } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { withoutLinks } from '../support/gfm.js'
import {
  commentsOn,
  OpenPullRequest,
  openPullRequest,
  PullRequestScenario,
  runOnPullRequest
} from '../support/pull-request.js'
import { nth } from '../support/lists.js'

const standin = useEndToEnd()

/**
 * A FROM scratch image that copies its whole folder: its size is the sum of the files the
 * context sends, so a change of any of them is a change of size. Its .dockerignore keeps
 * the Dockerfile and itself out, and `ignore` more.
 */
function contextImage(folder: string, files: Record<string, string>, ignore: string[] = []): Record<string, string> {
  const entries = Object.entries(files).map(([name, content]): [string, string] => [`${folder}/${name}`, content])
  return {
    [`${folder}/Dockerfile`]: 'FROM scratch\nCOPY . /app/\n',
    [`${folder}/.dockerignore`]: ['Dockerfile', '.dockerignore', ...ignore, ''].join('\n'),
    ...Object.fromEntries(entries)
  }
}

async function runOn(pr: OpenPullRequest, inputs: Record<string, string> = {}): Promise<ActionRun> {
  return (await runOnPullRequest(standin, pr, inputs)).run
}

async function check(scenario: PullRequestScenario, inputs: Record<string, string> = {}) {
  standin.reset()
  const pr = await openPullRequest(standin, scenario)
  const run = await runOn(pr, inputs)
  const comments = commentsOn(standin, pr.number)
  return { pr, run, comments }
}

type ReportImage = Record<string, unknown> & { dockerfile: string; name: string }

function reportImages(run: ActionRun): ReportImage[] {
  return (run.report?.images ?? []) as ReportImage[]
}

describe('a PR that changes only a file of a build context', () => {
  let result: Awaited<ReturnType<typeof check>>

  beforeAll(async () => {
    result = await check({
      base: {
        ...contextImage('services/api', { 'data.bin': 'x'.repeat(10_000) }, ['docs']),
        ...contextImage('services/web', { 'index.html': 'y'.repeat(5_000) })
      },
      pr: { 'services/api/data.bin': 'x'.repeat(40_000) }
    })
  })

  it('measures the image whose context changed, and only that one', () => {
    expect(result.run.exitCode).toBe(1)
    const images = reportImages(result.run)
    expect(images).toHaveLength(1)
    expect(images[0]).toMatchObject({
      dockerfile: 'services/api/Dockerfile',
      status: 'unchanged',
      trigger: 'context',
      checkedBecause: 'build context changed: services/api/data.bin',
      delta: 30_000,
      verdict: 'fail'
    })
    expect(result.run.stdout).not.toContain('services/web/Dockerfile')
  })

  it('says in the comment why the image was checked', () => {
    expect(result.comments).toHaveLength(1)
    expect(withoutLinks(nth(result.comments, 0).body)).toContain(
      '| `services/api/Dockerfile`<br><sub>build context changed: `services/api/data.bin`</sub> |'
    )
  })
})

describe('a PR whose only change .dockerignore excludes', () => {
  it('builds nothing', async () => {
    const { run, comments } = await check({
      base: contextImage('services/api', { 'data.bin': 'x'.repeat(1_000), 'docs/guide.txt': 'guide\n' }, [
        'docs',
        '*.md'
      ]),
      pr: { 'services/api/docs/guide.txt': 'a longer guide\n', 'services/api/CHANGES.md': 'news\n' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('2 changed files; 0 images to check.')
    expect(run.stdout).not.toContain('Build head')
    expect(run.report).toMatchObject({ verdict: 'pass', images: [] })
    expect(comments).toHaveLength(0)
  })
})

describe('an images config file', () => {
  const config = [
    'images:',
    '  - name: api-prod',
    '    dockerfile: api/Dockerfile',
    '    target: prod',
    '    build-args: {PAYLOAD: big.bin}',
    '    max-increase: 50%',
    '  - name: docs-site',
    '    dockerfile: site/Dockerfile',
    '    watch: ["docs/**"]'
  ].join('\n')
  const apiDockerfile = [
    'FROM scratch AS dev',
    'COPY dev.bin /dev.bin',
    'FROM scratch AS prod',
    'ARG PAYLOAD',
    'COPY ${PAYLOAD} /payload.bin',
    ''
  ].join('\n')
  let result: Awaited<ReturnType<typeof check>>

  beforeAll(async () => {
    result = await check({
      base: {
        '.github/docker-size-check.yml': config,
        'api/Dockerfile': apiDockerfile,
        'api/dev.bin': 'd'.repeat(99_000),
        'api/big.bin': 'b'.repeat(10_000),
        ...contextImage('site', { 'index.html': 's'.repeat(3_000) }),
        'docs/guide.md': 'guide\n'
      },
      pr: { 'api/big.bin': 'b'.repeat(12_000), 'docs/guide.md': 'a better guide\n' }
    })
  })

  it('builds each image with its target and build args, and holds it to its own limit', () => {
    expect(result.run.exitCode).toBe(0)
    const api = reportImages(result.run).find(image => image.name === 'api-prod')
    // +20% passes the image's own 50%, where the global default of 10% would fail it.
    expect(api).toMatchObject({
      dockerfile: 'api/Dockerfile',
      base: { size: 10_000 },
      head: { size: 12_000 },
      status: 'unchanged',
      delta: 2_000,
      verdict: 'pass',
      checkedBecause: 'build context changed: api/big.bin'
    })
  })

  it('builds an image that only a watched file touched once, for both sides', () => {
    const site = reportImages(result.run).find(image => image.name === 'docs-site')
    expect(site).toMatchObject({
      trigger: 'watch',
      checkedBecause: 'watched files changed: docs/guide.md',
      builtOnce: true,
      delta: 0,
      base: { size: 3_000 },
      head: { size: 3_000 }
    })
    expect(result.run.stdout).toContain('Build head: site/Dockerfile (docs-site)')
    expect(result.run.stdout).not.toContain('Build base: site/Dockerfile')
  })

  it('shows the names in the comment', () => {
    const body = withoutLinks(nth(result.comments, 0).body)
    expect(body).toContain('| `api-prod`<br><sub>`api/Dockerfile` · stage `prod` · build context changed')
    expect(body).toContain('`docs-site`<br><sub>`site/Dockerfile` · watched files changed')
  })

  it('names the entry and the field of a bad config', async () => {
    const { run } = await check({
      base: {
        '.github/docker-size-check.yml': 'images:\n  - dockerfile: api/Dockerfile\n',
        'api/Dockerfile': 'FROM scratch\n'
      },
      pr: {
        '.github/docker-size-check.yml': 'images:\n  - dockerfile: api/Dockerfile\n    max-increase: 10 percent\n'
      }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      "::error::.github/docker-size-check.yml: images[0].max-increase: Invalid max-increase '10 percent'."
    )
  })
})

describe('an image whose Dockerfile lives outside its build context', () => {
  it('checks out only what the builds read, and the Dockerfile brings its own ignore file', async () => {
    const { run } = await check({
      base: {
        '.github/docker-size-check.yml': 'images:\n  - dockerfile: docker/app.Dockerfile\n    context: app\n',
        'docker/app.Dockerfile': 'FROM scratch\nCOPY . /app/\n',
        // Read next to the Dockerfile, in place of app/.dockerignore.
        'docker/app.Dockerfile.dockerignore': 'scratch-notes.txt\n',
        'app/.dockerignore': '*\n',
        'app/payload.bin': 'p'.repeat(4_000),
        'app/scratch-notes.txt': 'n'.repeat(50_000),
        'unrelated/big.bin': 'u'.repeat(100_000)
      },
      pr: { 'app/payload.bin': 'p'.repeat(5_000) }
    })
    expect(run.exitCode).toBe(1)
    // The size is the payload plus the context's .dockerignore: the notes were left out by the
    // Dockerfile's own ignore file, and app/.dockerignore's "*" was not the one docker read.
    const image = nth(reportImages(run), 0)
    expect(image).toMatchObject({ base: { size: 4_002 }, head: { size: 5_002 }, delta: 1_000 })
    const checkedOut = 'app, docker/app.Dockerfile, docker/app.Dockerfile.dockerignore'
    expect(run.stdout).toMatch(new RegExp(`^Checked out the head \\([0-9a-f]{12}\\): ${checkedOut}$`, 'm'))
    expect(run.stdout).toMatch(new RegExp(`^Checked out the base \\([0-9a-f]{12}\\): ${checkedOut}$`, 'm'))
  })
})

describe('three shards and a merge', () => {
  const letters = ['a', 'b', 'c', 'd', 'e']
  let pr: OpenPullRequest
  let shards: ActionRun[]
  let merge: ActionRun

  beforeAll(async () => {
    standin.reset()
    const base: Record<string, string> = Object.fromEntries(
      letters.flatMap(l => Object.entries(contextImage(`svc-${l}`, { 'data.bin': l.repeat(10_000) })))
    )
    // Every image changes; svc-c grows past the 10% limit.
    const changes = Object.fromEntries(letters.map(l => [`svc-${l}/data.bin`, l.repeat(l === 'c' ? 20_000 : 10_500)]))
    pr = await openPullRequest(standin, { base, pr: changes })
    shards = []
    for (const index of [1, 2, 3]) shards.push(await runOn(pr, { shard: `${index}/3`, parallel: '2' }))
    // What actions/download-artifact leaves: one folder per artifact.
    for (const [i, shard] of shards.entries()) {
      const folder = join(pr.workspace, 'docker-size-reports', `docker-size-report-${i + 1}`)
      await mkdir(folder, { recursive: true })
      await copyFile(shard.outputs.report ?? '', join(folder, 'default.json'))
    }
    merge = await runOn(pr, { mode: 'merge' })
  })

  it('splits the images between the shards, which post nothing and leave the verdict to the merge', () => {
    expect(shards.map(run => run.exitCode)).toEqual([0, 0, 0])
    const split = shards.map(run => reportImages(run).map(image => image.dockerfile))
    expect(split.map(list => list.length)).toEqual([2, 2, 1])
    expect(split.flat().sort()).toEqual(letters.map(l => `svc-${l}/Dockerfile`))
    expect(shards.map(run => run.report?.shard)).toEqual([1, 2, 3].map(index => ({ index, total: 3 })))
  })

  it('publishes one comment with every row, and one verdict', () => {
    const comments = commentsOn(standin, pr.number)
    expect(comments).toHaveLength(1)
    const body = withoutLinks(nth(comments, 0).body)
    for (const l of ['a', 'b', 'd', 'e']) {
      expect(body).toContain(
        `| \`svc-${l}/Dockerfile\`<br><sub>build context changed: \`svc-${l}/data.bin\`</sub> | 10 kB | 10.5 kB | +500 B | +5% | ✅ ok |`
      )
    }
    expect(body).toContain('| 10 kB | 20 kB | +10 kB | +100% | ❌ over limit |')
    expect(body.split('\n')[1]).toContain('1 image grew past the limit: +10 kB')
    expect(merge.exitCode).toBe(1)
    expect(merge.stdout).toContain('::error::svc-c/Dockerfile: Grew +10 kB (+100%25), past the max-increase of 10%25.')
    expect(merge.report).toMatchObject({ verdict: 'fail', totalDelta: 12_000, shard: null })
    expect(reportImages(merge)).toHaveLength(5)
  })

  it('explains the growth from the shards’ layer sizes, as a single run does', () => {
    const body = withoutLinks(nth(commentsOn(standin, pr.number), 0).body)
    const details = body.slice(body.indexOf('Why <code>svc-c/Dockerfile</code> changed'))
    expect(details).toContain('| L2 | `COPY . /app/` | 10 kB | 20 kB | +10 kB | 📈 grew |')
    // The annotation lands on that line of the head's Dockerfile.
    expect(merge.stdout).toMatch(/::error title=[^,]*,file=svc-c\/Dockerfile,line=2,endLine=2::/)
  })

  it('fails when a shard’s report is missing', async () => {
    const { rm } = await import('node:fs/promises')
    await rm(join(pr.workspace, 'docker-size-reports', 'docker-size-report-2'), { recursive: true })
    const incomplete = await runOn(pr, { mode: 'merge', comment: 'never' })
    expect(incomplete.exitCode).toBe(1)
    expect(incomplete.stdout).toContain('The report of shard 2/3 is missing')
    expect(incomplete.report).toMatchObject({ verdict: 'error' })
  })
})
