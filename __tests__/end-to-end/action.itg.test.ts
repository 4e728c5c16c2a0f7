// End to end: the bundled dist/index.js, run as the runner runs it, in a workspace made as
// actions/checkout makes it, against the GitHub API stand-in and the real Docker engine.
import { asRead } from '../support/gfm.js'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { imageExists } from '../support/docker.js'
import { useEndToEnd } from '../support/end-to-end.js'
import {
  commentsOn,
  openPullRequest,
  PullRequestScenario,
  runOnPullRequest,
  scratchImage,
  pushToPullRequest
} from '../support/pull-request.js'
import { nth, only } from '../support/lists.js'

const standin = useEndToEnd()

async function check(scenario: PullRequestScenario, inputs: Record<string, string> = {}) {
  standin.reset()
  const pr = await openPullRequest(standin, scenario)
  return { pr, ...(await runOnPullRequest(standin, pr, inputs)) }
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
    const body = asRead(nth(result.comments, 0).body)
    expect(body.split('\n')[0]).toBe('<!-- docker-size-check: key=default -->')
    expect(body.split('\n')[1]).toContain('1 image grew past the limit: +300 kB')
    // The name links to the Dockerfile at the PR's head commit.
    expect(body).toMatch(
      /^\| \[`services\/app\/Dockerfile`\]\(https:\/\/github\.com\/octo\/app\/blob\/[0-9a-f]{40}\/services\/app\/Dockerfile\) \| 100 kB \| 400 kB \| \+300 kB \| \+300% \| ❌ over limit \|$/m
    )
  })

  it('measures against the merge-base, not what landed on main since', () => {
    const images = result.run.report!.images as Array<Record<string, unknown>>
    const image = only(images, 'image')
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
    const image = nth(result.run.report!.images as Array<{ base: { id: string }; head: { id: string } }>, 0)
    expect(imageExists(image.base.id)).toBe(false)
    expect(imageExists(image.head.id)).toBe(false)
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
    expect(asRead(nth(comments, 0).body)).toContain('1 image shrank: -997 kB (-99.7%)')
    expect(asRead(nth(comments, 0).body)).toContain('📉 smaller')
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
    const image = nth(run.report!.images as Array<Record<string, unknown>>, 0)
    expect(image).toMatchObject({
      dockerfile: 'worker/Dockerfile',
      status: 'added',
      base: null,
      head: { size: 5_000 },
      delta: null,
      verdict: 'pass'
    })
    expect(comments).toHaveLength(1)
    expect(asRead(nth(comments, 0).body)).toMatch(
      /^\| \[`worker\/Dockerfile`\]\([^)]+\/worker\/Dockerfile\) \| — \| 5 kB \| — \| — \| 🆕 new \|$/m
    )
  })
})

describe('a second push to the PR', () => {
  it('updates the same comment in place', async () => {
    const first = await check({
      base: scratchImage('', 10_000),
      pr: scratchImage('', 50_000)
    })
    expect(first.comments).toHaveLength(1)
    const commentId = nth(first.comments, 0).id
    const pr = await pushToPullRequest(standin, first.pr, scratchImage('', 10_500))
    standin.clearRequests()
    const { run: second } = await runOnPullRequest(standin, pr)
    const comments = commentsOn(standin, pr.number)
    expect(second.exitCode).toBe(0)
    expect(comments).toHaveLength(1)
    expect(nth(comments, 0).id).toBe(commentId)
    expect(asRead(nth(comments, 0).body)).toContain('+500 B')
    expect(asRead(nth(comments, 0).body)).not.toContain('+40 kB')
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
    expect(asRead(nth(comments, 0).body)).toContain('1 image failed to build')
    expect(asRead(nth(comments, 0).body)).toContain('missing.bin')
  })
})

describe('where the head is built from', () => {
  const scenario = () => ({ base: scratchImage('svc', 1_000), pr: scratchImage('svc', 2_000) })

  it('ignores untracked files in the workspace by default (a clean worktree of the head)', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, scenario())
    // A leftover the Dockerfile does not copy would be harmless; one it does copy must not count.
    writeFileSync(join(pr.workspace, 'svc', 'payload-2000.bin'), 'y'.repeat(9_000))
    const { run } = await runOnPullRequest(standin, pr)
    const image = nth(run.report!.images as Array<{ head: { size: number } }>, 0)
    expect(image.head.size).toBe(2_000)
  })

  it('builds the workspace as it stands with head-from: workspace', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, scenario())
    // As if an earlier step of the workflow had generated the file.
    writeFileSync(join(pr.workspace, 'svc', 'payload-2000.bin'), 'y'.repeat(9_000))
    const { run } = await runOnPullRequest(standin, pr, { 'head-from': 'workspace' })
    const image = nth(run.report!.images as Array<{ head: { size: number }; base: { size: number } }>, 0)
    expect(image.head.size).toBe(9_000)
    expect(image.base.size).toBe(1_000)
  })
})

describe('a run that cannot finish', () => {
  it('still writes the report and the summary, and fails with one clear error', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, { base: scratchImage('', 1_000), pr: scratchImage('', 2_000) })
    const { run } = await runOnPullRequest(standin, pr, { 'base-ref': 'no-such-branch' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain("::error::Unknown base-ref 'no-such-branch'")
    expect(run.report).toMatchObject({ verdict: 'error', images: [] })
    expect((run.report as { error: string }).error).toContain('no-such-branch')
    expect(run.summary).toContain('The check could not finish')
  })

  it('stops on a malformed input, naming it, and still writes the report', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, { base: scratchImage('', 1_000), pr: scratchImage('', 2_000) })
    const { run } = await runOnPullRequest(standin, pr, { 'max-increase': 'ten percent' })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain("::error::Invalid max-increase 'ten percent'. Expected a size such as 25MB")
    expect(run.report).toMatchObject({ verdict: 'error' })
    expect(commentsOn(standin, pr.number)).toHaveLength(0)
  })
})

describe('a base build that fails', () => {
  it('leaves the image without a baseline, fails the check and says why', async () => {
    const { run, comments } = await check({
      base: { Dockerfile: 'FROM scratch\nCOPY missing.bin /missing.bin\n' },
      pr: scratchImage('', 3_000)
    })
    expect(run.exitCode).toBe(1)
    const image = nth(run.report!.images as Array<Record<string, unknown>>, 0)
    expect(image).toMatchObject({ base: null, head: { size: 3_000 }, delta: null, verdict: 'error' })
    expect(String((image.notes as string[])[0])).toContain('The base build failed')
    expect(asRead(nth(comments, 0).body)).toContain('The base build failed, so there is no baseline')
    expect(asRead(nth(comments, 0).body)).toContain('missing.bin')
  })
})

describe('the two sides of an image', () => {
  it('build side by side under BuildKit, and each build keeps a log group of its own', async () => {
    // Each side's RUN marks that it started in a cache mount both builds share, then waits
    // up to 30 s for the other's mark: built one after the other, the first would give up
    // and fail. The mount is not part of the image, so both sides measure the same.
    const meeting = `docker-size-check-test-${process.pid}-${Date.now()}`
    const side = (mine: string, other: string) =>
      'FROM busybox:local\n' +
      `RUN --mount=type=cache,id=${meeting},target=/meet touch /meet/${mine}; i=0; ` +
      `while [ ! -e /meet/${other} ]; do i=$((i+1)); if [ $i -gt 300 ]; then echo no ${other}; exit 1; fi; sleep 0.1; done\n`
    const { run } = await check({
      base: { 'svc/Dockerfile': side('base', 'head') },
      pr: { 'svc/Dockerfile': side('head', 'base') }
    })

    expect(run.exitCode).toBe(0)
    const image = nth(run.report!.images as Array<{ head: { size: number } | null; base: { size: number } | null }>, 0)
    expect(image.head?.size).toBeGreaterThan(0)
    expect(image.base?.size).toBe(image.head?.size)
    // One group per build, head first; neither build's output strays into the other's.
    const groups = run.stdout
      .split('::group::')
      .slice(1)
      .map(group => group.split('::endgroup::')[0] ?? '')
      .filter(group => group.startsWith('Build '))
    expect(groups.map(group => group.split('\n')[0])).toEqual([
      'Build head: svc/Dockerfile',
      'Build base: svc/Dockerfile'
    ])
    expect(groups[0]).toContain('touch /meet/head')
    expect(groups[0]).not.toContain('touch /meet/base')
    expect(groups[1]).toContain('touch /meet/base')
    expect(groups[1]).not.toContain('touch /meet/head')
  })
})
