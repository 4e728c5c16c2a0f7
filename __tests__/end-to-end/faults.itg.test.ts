// Faults and what happens: each case here backs a row of the README's "Faults and what
// happens" table. GitHub's answers come from the HTTP stand-in with injected faults, the
// comment goes through the real publish path and Octokit (with its retry and throttling
// plugins, every wait shortened to milliseconds), and Docker is the real engine.
import { beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareImages } from '../../src/judge/judge.js'
import { createOctokit, DEFAULT_API_TIMING } from '../../src/tools/octokit.js'
import { commentWanted, fitCommentBody, publishComment } from '../../src/publish/outputs.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { ACTION_ENTRY, collectRun, prepareRun } from '../support/action-runner.js'
import { faults } from '../support/github-standin.js'
import { comparedSize } from '../support/docker.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { liveParts, renderGfm, withoutLinks } from '../support/gfm.js'
import {
  OWNER,
  REPO,
  openPullRequest,
  PullRequestScenario,
  TEST_TOKEN,
  runOnPullRequest
} from '../support/pull-request.js'
import { nth } from '../support/lists.js'
import { MeasuredImage } from '../../src/shared/types.js'

const FAST = { DOCKER_SIZE_CHECK_API_TIME_UNIT_MS: '1' }
const standin = useEndToEnd()

/** What core.warning and core.info print while `work` runs (they write to stdout). */
async function captureLog<T>(work: () => Promise<T>): Promise<{ result: T; log: string }> {
  const chunks: string[] = []
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk))
    return true
  }
  try {
    const result = await work()
    return { result, log: chunks.join('') }
  } finally {
    process.stdout.write = write
  }
}

// ---- the comment, through publishComment ---------------------------------------------------

const ISSUE = { owner: OWNER, repo: REPO, issueNumber: 1 }
const limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }
const revisions = { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) }
const SUMMARY_URL = 'https://github.com/octo/app/actions/runs/1'

function measured(index: number, base: number, head: number, pathLength = 40): MeasuredImage {
  const name = `services/${String(index).padStart(3, '0')}-${'s'.repeat(pathLength)}/Dockerfile`
  const side = (size: number) => ({ size, id: `sha256:${'0'.repeat(64)}`, layers: 2 })
  return {
    target: {
      dockerfile: name,
      context: '.',
      baseDockerfile: name,
      baseContext: '.',
      change: 'modified',
      reason: 'Dockerfile modified'
    },
    base: side(base),
    head: side(head),
    failedBuilds: []
  }
}

/** One run's publication: render, fit, post, as main.ts does. */
async function publishRun(images: MeasuredImage[]) {
  const comparison = compareImages(revisions, images, limits)
  const body = fitCommentBody(comparison, { limits }, SUMMARY_URL)
  const url = await publishComment(
    {
      octokit: createOctokit(TEST_TOKEN, standin.url, { ...DEFAULT_API_TIMING, unitMs: 1 }),
      ...ISSUE,
      key: 'default',
      author: ''
    },
    body.text,
    commentWanted('changed', comparison, null)
  )
  return { url, body }
}

const GROWN = [measured(1, 1_000_000, 1_500_000)]
const commentsPath = `/repos/${OWNER}/${REPO}/issues/1/comments`
const commentPath = `/repos/${OWNER}/${REPO}/issues/comments/*`
const comments = () => standin.comments(ISSUE)

describe('the comment, when GitHub refuses or fails', () => {
  beforeEach(() => {
    standin.reset()
    standin.addPull({ owner: OWNER, repo: REPO, number: 1 })
  })

  it('403 on create (a fork PR): a warning names the permission and the fork recipe; nothing is posted', async () => {
    standin.failNext(faults.notAccessible({ method: 'POST', pathPattern: commentsPath }))
    const { result, log } = await captureLog(() => publishRun(GROWN))
    expect(result.url).toBe('')
    expect(comments()).toHaveLength(0)
    expect(log).toContain('::warning::Could not post the size comment: GitHub answered 403')
    expect(log).toContain('`pull-requests: write`')
    expect(log).toContain('use the two-step workflow in docs/forks.md')
  })

  it('403 on update: the same warning, and the earlier comment stays as it was', async () => {
    await publishRun(GROWN)
    const before = nth(comments(), 0)
    standin.failNext(faults.notAccessible({ method: 'PATCH', pathPattern: commentPath }))
    const { result, log } = await captureLog(() => publishRun([measured(1, 1_000_000, 2_000_000)]))
    expect(result.url).toBe('')
    expect(log).toContain('`pull-requests: write`')
    expect(comments()).toEqual([before])
  })

  it('404 on update (the comment was deleted meanwhile): a new comment is posted', async () => {
    await publishRun(GROWN)
    const first = nth(comments(), 0)
    // Someone deletes the comment after this run listed the comments and before it edits.
    standin.beforeNext({ method: 'PATCH', pathPattern: commentPath }, () => standin.deleteComment(first.id))
    const result = await publishRun([measured(1, 1_000_000, 2_000_000)])
    expect(standin.requestsTo('PATCH').map(r => r.status)).toEqual([404])
    expect(comments()).toHaveLength(1)
    expect(nth(comments(), 0).id).not.toBe(first.id)
    expect(nth(comments(), 0).body).toContain('+1 MB')
    expect(result.url).toBe(nth(comments(), 0).html_url)
  })

  it('422 for a too-long body: a warning, and the check goes on', async () => {
    standin.failNext({
      method: 'POST',
      pathPattern: commentsPath,
      status: 422,
      body: {
        message: 'Validation Failed',
        errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long' }]
      }
    })
    const { result, log } = await captureLog(() => publishRun(GROWN))
    expect(result.url).toBe('')
    expect(log).toContain('::warning::Could not post the size comment: Validation Failed')
    expect(log).toContain('The size check itself still ran')
  })

  it('502 then 200: retried, one comment', async () => {
    standin.failNext(faults.serverError({ method: 'GET', pathPattern: commentsPath }, 502))
    standin.failNext(faults.serverError({ method: 'POST', pathPattern: commentsPath }, 503))
    const result = await publishRun(GROWN)
    expect(standin.requestsTo('GET', commentsPath).map(r => r.status)).toEqual([502, 200])
    expect(standin.requestsTo('POST').map(r => r.status)).toEqual([503, 201])
    expect(comments()).toHaveLength(1)
    expect(result.url).toBe(nth(comments(), 0).html_url)
  })

  it('a 5xx that lasts: given up after 3 retries, with a warning', async () => {
    standin.failNext({ ...faults.serverError({ method: 'GET', pathPattern: commentsPath }, 502), times: 10 })
    const { result, log } = await captureLog(() => publishRun(GROWN))
    expect(result.url).toBe('')
    expect(standin.requestsTo('GET', commentsPath)).toHaveLength(4)
    expect(log).toContain('::warning::Could not post the size comment')
  })

  it('a secondary rate limit: waits the retry-after GitHub names, then posts', async () => {
    standin.failNext(faults.secondaryRateLimit({ method: 'POST', pathPattern: commentsPath }, 30))
    const { result, log } = await captureLog(() => publishRun(GROWN))
    expect(standin.requestsTo('POST').map(r => r.status)).toEqual([403, 201])
    expect(log).toContain("GitHub's secondary rate limit refused POST")
    expect(log).toContain('retrying in 30 s')
    expect(result.url).toBe(nth(comments(), 0).html_url)
  })

  it('a secondary rate limit asking for more than a minute: not waited for, a warning', async () => {
    standin.failNext(faults.secondaryRateLimit({ method: 'POST', pathPattern: commentsPath }, 3600))
    const { result, log } = await captureLog(() => publishRun(GROWN))
    expect(result.url).toBe('')
    expect(standin.requestsTo('POST')).toHaveLength(1)
    expect(log).toContain('asks to wait 3600 s, so it is not retried')
  })

  it('two runs at once: the next run leaves one comment, the oldest', async () => {
    // Both list the comments before either posts, so both post: the race GitHub allows.
    await Promise.all([publishRun(GROWN), publishRun(GROWN)])
    const raced = comments()
    expect(raced).toHaveLength(2)
    const result = await publishRun([measured(1, 1_000_000, 1_200_000)])
    expect(comments()).toHaveLength(1)
    expect(nth(comments(), 0).id).toBe(Math.min(...raced.map(c => c.id)))
    expect(nth(comments(), 0).body).toContain('+200 kB')
    expect(result.url).toBe(nth(comments(), 0).html_url)
  })

  it("another user's comment that quotes the marker is never edited", async () => {
    const quoted = standin.addComment({
      ...ISSUE,
      body: '<!-- docker-size-check: key=default -->\nlooks big to me',
      user: { login: 'reviewer' }
    })
    await publishRun(GROWN)
    expect(standin.comment(quoted.id)!.body).toBe(quoted.body)
    expect(comments()).toHaveLength(2)
  })

  it('a 400-image PR: the comment stays under the limit that the stand-in enforces', async () => {
    const images = Array.from({ length: 400 }, (_, i) => measured(i, 1_000_000 + i, 2_000_000 + i * 1000, 220))
    const { url, body } = await publishRun(images)
    expect(body.level).toBe('rows')
    expect(standin.requestsTo('POST').map(r => r.status)).toEqual([201])
    const posted = nth(comments(), 0).body
    expect([...posted].length).toBeLessThanOrEqual(65_536)
    expect(posted).toContain('images grew past the limit')
    expect(posted).toContain(`[job summary](${SUMMARY_URL})`)
    expect(url).toBe(nth(comments(), 0).html_url)
  })
})

// ---- the whole action, through dist/index.js --------------------------------------------------

/** A FROM scratch image holding one file of `bytes` bytes, in `folder`. */
function scratchImage(folder: string, bytes: number): Record<string, string> {
  return {
    [`${folder}/Dockerfile`]: `FROM scratch\nCOPY payload-${bytes}.bin /payload.bin\n`,
    [`${folder}/payload-${bytes}.bin`]: 'x'.repeat(bytes)
  }
}

async function check(
  scenario: PullRequestScenario,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
  before: () => void = () => undefined
) {
  standin.reset()
  const pr = await openPullRequest(standin, scenario)
  before()
  return { pr, ...(await runOnPullRequest(standin, pr, inputs, { ...FAST, ...env })) }
}

/** The tags the run built, from its debug log of each command line. */
function tagsIn(stdout: string): string[] {
  return [...new Set([...stdout.matchAll(/--tag (docker-size-check:[\w.-]+)/g)].map(m => m[1] ?? ''))]
}

function existingImages(tags: string[]): string[] {
  return tags.filter(tag => {
    try {
      execFileSync('docker', ['image', 'inspect', tag], { stdio: 'pipe' })
      return true
    } catch {
      return false
    }
  })
}

function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter(line => line.startsWith('::error::'))
}

describe('the action on a fork PR whose token cannot comment', () => {
  it('passes or fails on the sizes alone, warns with the permission, and writes the summary and the report', async () => {
    const { run, comments } = await check(
      { base: scratchImage('app', 10_000), pr: scratchImage('app', 10_500) },
      {},
      {},
      () => standin.failNext(faults.notAccessible({ method: 'POST', pathPattern: /\/comments$/, times: Infinity }))
    )
    expect(run.exitCode).toBe(0)
    expect(comments).toHaveLength(0)
    expect(run.stdout).toMatch(
      /::warning::Could not post the size comment: GitHub answered 403.*`pull-requests: write`/
    )
    expect(run.summary).toContain('1 image checked, all within the limit: +500 B in all')
    expect(run.report).toMatchObject({ verdict: 'pass', images: [{ delta: 500 }] })
  })
})

describe('a Dockerfile path with spaces, unicode, a pipe, a backtick and HTML', () => {
  it('is built, and shown escaped in the comment', async () => {
    const folder = 'odd/a |b`c<i>é €'
    const { run, comments } = await check({ base: { 'README.md': 'x\n' }, pr: scratchImage(folder, 2_000) })
    expect(run.exitCode).toBe(0)
    expect(run.report).toMatchObject({ images: [{ dockerfile: `${folder}/Dockerfile`, head: { size: 2_000 } }] })
    expect(withoutLinks(nth(comments, 0).body)).toContain(
      '| ``odd/a \\|b`c<i>é €/Dockerfile`` | — | 2 kB | — | — | 🆕 new |'
    )
    expect(liveParts(renderGfm(nth(comments, 0).body), ['https://github.com/'])).toEqual([])
  })
})

describe('a Dockerfile with a syntax error', () => {
  it("makes that image an error with docker's own message; the others are measured", async () => {
    const { run, comments } = await check({
      base: { ...scratchImage('good', 1_000), ...scratchImage('bad', 1_000) },
      pr: { ...scratchImage('good', 1_500), 'bad/Dockerfile': 'FROM scratch\nCOPPY a b\n' }
    })
    expect(run.exitCode).toBe(1)
    const images = run.report!.images as Array<Record<string, unknown>>
    const bad = images.find(image => image.dockerfile === 'bad/Dockerfile')!
    expect(bad).toMatchObject({ verdict: 'error', head: null })
    expect(String(bad.reason).toLowerCase()).toContain('unknown instruction: coppy')
    expect(images.find(image => image.dockerfile === 'good/Dockerfile')).toMatchObject({ delta: 500 })
    expect(nth(comments, 0).body.toLowerCase()).toContain('unknown instruction: coppy')
  })
})

describe('no Docker engine', () => {
  it('stops with one clear error, and still writes the report, the summary and the comment', async () => {
    const { run, comments } = await check(
      { base: scratchImage('app', 1_000), pr: scratchImage('app', 2_000) },
      {},
      { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }
    )
    expect(run.exitCode).toBe(1)
    expect(errorLines(run.stdout)).toHaveLength(1)
    expect(errorLines(run.stdout)[0]).toContain('No Docker engine answers')
    expect(run.report).toMatchObject({ verdict: 'error', error: expect.stringContaining('Start the Docker daemon') })
    expect(run.summary).toContain('The check could not finish: No Docker engine answers')
    expect(nth(comments, 0).body).toContain('The check could not finish')
  })
})

/** The socket of the engine the suite runs against: DOCKER_HOST's, or the default one. */
function engineSocket(): string {
  const host = process.env.DOCKER_HOST
  if (!host) return '/var/run/docker.sock'
  if (!host.startsWith('unix://')) throw new Error(`This test forwards a unix socket; DOCKER_HOST is ${host}`)
  return host.slice('unix://'.length)
}

/**
 * A Docker socket that forwards to the real one and goes away, as a dying daemon does, once
 * the first image of the run has been measured (its head is then measured; nothing else is).
 */
async function dyingEngine(): Promise<{ host: string; stop: () => Promise<void> }> {
  const path = join(tmpdir(), `dsc-dying-${process.pid}-${Date.now()}.sock`)
  const sockets = new Set<net.Socket>()
  let dead = false
  // The last request of an image's measurement: inspect on a graph driver; on the containerd
  // store the save, whose layers give the figure.
  const containerd = execFileSync('docker', ['info', '-f', '{{range .DriverStatus}}{{index . 1}} {{end}}'], {
    encoding: 'utf8'
  }).includes('io.containerd.snapshotter.v1')
  const measuring = containerd
    ? /GET \/v[\d.]+\/images\/get\?names=docker-size-check/
    : /GET \/v[\d.]+\/images\/docker-size-check\S*\/json/
  const server = net.createServer(client => {
    if (dead) return void client.destroy()
    const upstream = net.connect(engineSocket())
    sockets.add(client).add(upstream)
    let inspected = false
    client.on('data', chunk => {
      if (measuring.test(chunk.toString('latin1'))) inspected = true
    })
    client.pipe(upstream).pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
      if (inspected && !dead) {
        dead = true
        server.close()
        for (const socket of sockets) socket.destroy()
      }
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', () => undefined)
    upstream.on('error', () => undefined)
  })
  await new Promise<void>(resolve => server.listen(path, resolve))
  return {
    host: `unix://${path}`,
    stop: () => new Promise<void>(resolve => (dead ? resolve() : server.close(() => resolve())))
  }
}

describe('an engine that dies mid-run', () => {
  it('stops with one clear error; what was measured before is in the report', async () => {
    const engine = await dyingEngine()
    let tags: string[] = []
    try {
      const { run, comments } = await check(
        {
          base: { ...scratchImage('a', 1_000), ...scratchImage('b', 1_000) },
          pr: { ...scratchImage('a', 3_000), ...scratchImage('b', 4_000) }
        },
        {},
        { DOCKER_HOST: engine.host }
      )
      tags = tagsIn(run.stdout)
      expect(run.exitCode).toBe(1)
      expect(errorLines(run.stdout)).toHaveLength(1)
      expect(errorLines(run.stdout)[0]).toContain('The Docker engine stopped answering during the run (')
      // The two sides of an image build side by side: whichever was inspected first is
      // measured, the other lost the engine; image b never started.
      expect(run.report).toMatchObject({
        verdict: 'error',
        error: expect.stringContaining('The Docker engine stopped answering'),
        images: [{ dockerfile: 'a/Dockerfile' }]
      })
      const a = nth(run.report!.images as Array<{ head: { size: number } | null; base: { size: number } | null }>, 0)
      const measuredSizes = [a.head?.size, a.base?.size].filter(size => size !== undefined)
      expect(measuredSizes).toEqual([a.head ? 3_000 : 1_000])
      expect(run.summary).toContain('The check could not finish: The Docker engine stopped answering')
      expect(nth(comments, 0).body).toContain('The Docker engine stopped answering')
    } finally {
      await engine.stop()
      // The images built before the engine "died" are in the real engine: remove them here.
      if (tags.length) execFileSync('docker', ['image', 'rm', '--force', ...tags], { stdio: 'pipe' })
    }
  })
})

describe('an interrupted run', () => {
  it('leaves no worktree and no image behind', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: { 'slow/Dockerfile': 'FROM busybox:local\nRUN echo base > /f\n' },
      // Unique: a build of it that an earlier run let finish would be cached, and quick.
      pr: {
        'slow/Dockerfile': `FROM busybox:local\nRUN head -c 1000 /dev/zero > /pad\nRUN sleep 60 # ${Date.now()}\n`
      }
    })
    const prepared = await prepareRun({
      workspace: pr.workspace,
      apiUrl: standin.url,
      repository: `${OWNER}/${REPO}`,
      event: pr.event,
      token: TEST_TOKEN,
      env: FAST
    })
    // Its own process group, so that SIGINT reaches the action and its docker child, as Ctrl-C does.
    const child = spawn(process.execPath, [ACTION_ENTRY], { cwd: pr.workspace, env: prepared.env, detached: true })
    let stdout = ''
    const exited = new Promise<number>(resolve =>
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : -1)))
    )
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', chunk => {
        stdout += String(chunk)
        if (stdout.includes('RUN sleep 60')) resolve()
      })
      child.on('exit', () => reject(new Error(`the action ended before its build started:\n${stdout}`)))
    })
    process.kill(-child.pid!, 'SIGINT')
    const exitCode = await exited
    const run = await collectRun(prepared, exitCode, stdout)

    expect(run.exitCode).toBe(130)
    expect(run.stdout).toContain('::warning::Stopped by SIGINT: stopping the builds')
    const tags = tagsIn(run.stdout)
    expect(tags.length).toBeGreaterThan(0)
    expect(existingImages(tags)).toEqual([])
    const scratch = (await readdir(join(run.runnerTemp, 'tmp'))).filter(name => name.startsWith('dsc-'))
    expect(scratch).toEqual([])
    const worktrees = execFileSync('git', ['worktree', 'list', '--porcelain'], { cwd: pr.workspace, encoding: 'utf8' })
    expect(worktrees.match(/^worktree /gm)).toHaveLength(1)
  })
})

describe('build secrets', () => {
  it('reach RUN --mount=type=secret, and never the log', async () => {
    const secret = `sekrit-${'x'.repeat(993)}`
    const busybox = await comparedSize('busybox:local')

    const { run } = await check(
      {
        base: { 'README.md': 'x\n' },
        // The step's cache key leaves the secret out: a unique line keeps an earlier run's layer from being reused.
        pr: {
          'app/Dockerfile': `FROM busybox:local\nRUN --mount=type=secret,id=token cp /run/secrets/token /token # ${Date.now()}\n`
        }
      },
      { secrets: `token=${secret}` }
    )
    expect(run.exitCode).toBe(0)
    // The file copied from the secret mount holds exactly the secret's bytes.
    expect(run.report).toMatchObject({ images: [{ head: { size: busybox + secret.length } }] })
    expect(run.stdout).toContain('--secret id=token,env=DOCKER_SIZE_CHECK_SECRET_0')
    // The runner hides a value from every later line once `::add-mask::` names it; no other line holds it.
    const lines = run.stdout.split('\n')
    expect(lines).toContain(`::add-mask::${secret}`)
    expect(lines.filter(line => !line.startsWith('::add-mask::')).join('\n')).not.toContain('sekrit-')
  })
})
