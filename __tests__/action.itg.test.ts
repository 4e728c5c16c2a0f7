// End to end: the bundled dist/index.js, run as the runner runs it, in a workspace made as
// actions/checkout makes it, against the GitHub API stand-in and the real Docker engine.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { runAction } from './support/action-runner.js'
import { GitHubStandin } from './support/github-standin.js'
import { OWNER, REPO, openPullRequest, pushToPullRequest, PullRequestScenario } from './support/pull-request.js'
import { cleanupTempDirs } from './support/repo.js'

const TOKEN = 'ghs_test_token'
const standin = new GitHubStandin({ token: TOKEN })
let apiUrl: string

beforeAll(async () => {
  // A missing engine fails here, loudly: these tests never skip themselves.
  execFileSync('docker', ['info'], { stdio: 'pipe' })
  apiUrl = (await standin.start()).url
})

afterAll(async () => {
  await standin.stop()
  await cleanupTempDirs()
})

/**
 * A FROM scratch image in `folder` holding one file of `bytes` bytes: its size is known in
 * advance. The Dockerfile names the file, so a change of size is a change of the Dockerfile.
 */
function scratchImage(folder: string, bytes: number): Record<string, string> {
  const prefix = folder ? `${folder}/` : ''
  return {
    [`${prefix}Dockerfile`]: `FROM scratch\nCOPY payload-${bytes}.bin /payload.bin\n`,
    [`${prefix}payload-${bytes}.bin`]: 'x'.repeat(bytes)
  }
}

async function check(scenario: PullRequestScenario, inputs: Record<string, string> = {}) {
  standin.reset()
  const pr = await openPullRequest(standin, scenario)
  const run = await runAction({
    workspace: pr.workspace,
    apiUrl,
    repository: `${OWNER}/${REPO}`,
    event: pr.event,
    inputs,
    token: TOKEN
  })
  const comments = standin.comments({ owner: OWNER, repo: REPO, issueNumber: pr.number })
  return { pr, run, comments }
}

function imageNames(): string[] {
  return execFileSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' })
    .split('\n')
    .filter(name => name.startsWith('docker-size-check:'))
}

describe('a PR that grows an image past the limit', () => {
  let result: Awaited<ReturnType<typeof check>>

  beforeAll(async () => {
    result = await check({
      base: scratchImage('services/app', 100_000),
      pr: scratchImage('services/app', 400_000),
      // main moves on after the fork; the comparison must not count it.
      baseLater: { ...scratchImage('services/other', 150_000), 'README.md': 'main moved\n' }
    })
  })

  it('fails the check, naming the Dockerfile and the growth', () => {
    expect(result.run.exitCode).toBe(1)
    // The runner's workflow commands encode `%` as `%25`.
    expect(result.run.stdout).toContain(
      '::error::services/app/Dockerfile: Grew +300 kB (+300%25), past the max-increase of 10%25.'
    )
  })

  it('posts one comment that opens with the outcome and names the Dockerfile', () => {
    expect(result.comments).toHaveLength(1)
    const body = result.comments[0]!.body
    expect(body.split('\n')[0]).toBe('<!-- docker-size-check: key=default -->')
    expect(body.split('\n')[1]).toContain('1 image grew past the limit: +300 kB')
    expect(body).toContain(
      '| <code>services/app/Dockerfile</code> | 100 kB | 400 kB | +300 kB | +300% | ❌ over limit |'
    )
  })

  it('measures against the merge-base, not what landed on main since', () => {
    const images = result.run.report!.images as Array<Record<string, unknown>>
    expect(images).toHaveLength(1)
    const image = images[0]!
    expect(result.run.report).toMatchObject({
      schemaVersion: 1,
      verdict: 'fail',
      base: { sha: result.pr.baseSha },
      head: { sha: result.pr.mergeSha }
    })
    expect(image).toMatchObject({
      dockerfile: 'services/app/Dockerfile',
      context: 'services/app',
      status: 'modified',
      verdict: 'fail',
      delta: 300_000,
      deltaPercent: 300
    })
    expect(image.base).toMatchObject({ layers: 1 })
  })

  it('sets the outputs and writes the job summary', () => {
    expect(result.run.outputs).toMatchObject({ exceeded: 'true', 'total-delta': '300000' })
    expect(result.run.outputs['comment-url']).toMatch(/\/octo\/app\/pull\/1#issuecomment-\d+$/)
    expect(result.run.summary).toContain('1 image grew past the limit: +300 kB')
  })

  it('removes the images it built', () => {
    expect(imageNames()).toEqual([])
  })
})

describe('a PR that shrinks an image', () => {
  it('passes and shows the win', async () => {
    const { run, comments } = await check({
      base: scratchImage('', 1_000_000),
      pr: scratchImage('', 3_000)
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs).toMatchObject({ exceeded: 'false', 'total-delta': '-997000' })
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toContain('1 image shrank: -997 kB (-99.7%)')
    expect(comments[0]!.body).toContain('📉 smaller')
  })
})

describe('a README-only PR', () => {
  it('builds nothing and posts nothing', async () => {
    const { run, comments } = await check({
      base: { ...scratchImage('app', 1_000), 'README.md': 'hello\n' },
      pr: { 'README.md': 'hello again\n' }
    })
    expect(run.exitCode).toBe(0)
    expect(comments).toHaveLength(0)
    expect(standin.requestsTo('POST')).toHaveLength(0)
    expect(run.stdout).not.toContain('Build head')
    expect(run.report).toMatchObject({ verdict: 'pass', images: [] })
    expect(run.summary).toContain('No Dockerfile is affected by this PR.')
  })
})

describe('an added Dockerfile', () => {
  it('has no baseline and passes', async () => {
    const { run, comments } = await check({
      base: { 'README.md': 'hello\n' },
      pr: scratchImage('worker', 5_000)
    })
    expect(run.exitCode).toBe(0)
    const [image] = run.report!.images as Array<Record<string, unknown>>
    expect(image).toMatchObject({
      dockerfile: 'worker/Dockerfile',
      status: 'added',
      base: null,
      head: { size: 5_000 },
      delta: null,
      verdict: 'pass'
    })
    expect(comments).toHaveLength(1)
    expect(comments[0]!.body).toContain('| <code>worker/Dockerfile</code> | — | 5 kB | — | — | 🆕 new |')
  })
})

describe('a second push to the PR', () => {
  it('updates the same comment in place', async () => {
    const first = await check({
      base: scratchImage('', 10_000),
      pr: scratchImage('', 50_000)
    })
    expect(first.comments).toHaveLength(1)
    const commentId = first.comments[0]!.id
    const pr = await pushToPullRequest(standin, first.pr, scratchImage('', 10_500))
    standin.clearRequests()
    const second = await runAction({
      workspace: pr.workspace,
      apiUrl,
      repository: `${OWNER}/${REPO}`,
      event: pr.event,
      token: TOKEN
    })
    const comments = standin.comments({ owner: OWNER, repo: REPO, issueNumber: pr.number })
    expect(second.exitCode).toBe(0)
    expect(comments).toHaveLength(1)
    expect(comments[0]!.id).toBe(commentId)
    expect(comments[0]!.body).toContain('+500 B')
    expect(comments[0]!.body).not.toContain('+40 kB')
    expect(standin.requestsTo('POST')).toHaveLength(0)
    expect(standin.requestsTo('PATCH')).toHaveLength(1)
  })
})

describe('a head build that fails', () => {
  it("makes the image an error with the build's last lines", async () => {
    const { run, comments } = await check({
      base: scratchImage('', 1_000),
      pr: { Dockerfile: 'FROM scratch\nCOPY missing.bin /missing.bin\n' }
    })
    expect(run.exitCode).toBe(1)
    expect(run.report).toMatchObject({ verdict: 'error' })
    expect(comments[0]!.body).toContain('1 image failed to build')
    expect(comments[0]!.body).toContain('missing.bin')
  })
})
