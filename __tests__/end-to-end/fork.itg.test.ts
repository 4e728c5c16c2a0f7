// The fork-safe two-step workflow, end to end through dist/index.js: `mode: measure` on the
// pull_request event with a read-only token, then `mode: comment` on workflow_run, in an
// empty folder (nothing of the PR is checked out), reading the artifact the first step left.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ActionRun, runAction } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { setPath } from '../support/json-path.js'
import { liveParts, renderGfm, withoutLinks } from '../support/gfm.js'
import { commentsOn, openPullRequest, OpenPullRequest, OWNER, REPO, TEST_TOKEN } from '../support/pull-request.js'
import { nth } from '../support/lists.js'
import { makeTempDir } from '../support/repo.js'
import { commentOnBase, FAST, FORK_OWNER, measureOnFork, workflowRunEvent } from '../support/fork-workflow.js'

const standin = useEndToEnd()
// Removed with the run's other temporary folders (useEndToEnd's afterAll).
const folder = (prefix: string) => makeTempDir(prefix)

function scratchImage(dir: string, bytes: number): Record<string, string> {
  return {
    [`${dir}/Dockerfile`]: `FROM scratch\nCOPY payload-${bytes}.bin /payload.bin\n`,
    [`${dir}/payload-${bytes}.bin`]: 'x'.repeat(bytes)
  }
}

const measure = (pr: OpenPullRequest, artifactDir: string) => measureOnFork(standin, pr, artifactDir)
const workflowRun = (headSha: string) => workflowRunEvent(headSha, { id: 4242, conclusion: 'failure' })

/** Step 2, in a workspace of its own that holds nothing of the PR. */
async function comment(headSha: string, artifactDir: string): Promise<ActionRun> {
  const workspace = await folder('comment-workspace')
  return commentOnBase(standin, { workspace, artifactDir, event: workflowRun(headSha) })
}

async function tamper(artifactDir: string, change: (json: unknown) => void): Promise<string> {
  const copy = await folder('tampered')
  await cp(artifactDir, copy, { recursive: true })
  const path = join(copy, 'docker-size-check.json')

  const json: unknown = JSON.parse(await readFile(path, 'utf8'))
  change(json)
  await writeFile(path, JSON.stringify(json))
  return copy
}

const writes = () => standin.requests.filter(r => r.method !== 'GET')

describe('a fork PR that grows an image, in two steps', () => {
  let pr: OpenPullRequest
  let artifactDir: string
  let measured: ActionRun

  beforeAll(async () => {
    standin.reset()
    pr = await openPullRequest(standin, {
      base: scratchImage('api', 100_000),
      pr: scratchImage('api', 300_000),
      headOwner: FORK_OWNER
    })
    // Another open PR, to which a tampered artifact will try to send the comment.
    standin.addPull({ owner: OWNER, repo: REPO, number: 2, headSha: 'e'.repeat(40) })
    artifactDir = await folder('artifact')
    measured = await measure(pr, artifactDir)
  })

  it('measure: fails the check on the sizes, writes the artifact and the summary, and writes nothing to GitHub', async () => {
    expect(measured.exitCode).toBe(1)
    expect(measured.stdout).toContain('::error::api/Dockerfile: Grew +200 kB (+200%25)')
    expect(measured.outputs['artifact-path']).toBe(artifactDir)
    expect(measured.summary).toContain('1 image grew past the limit: +200 kB')
    expect(writes()).toEqual([])
    const artifact: unknown = JSON.parse(await readFile(join(artifactDir, 'docker-size-check.json'), 'utf8'))
    expect(artifact).toMatchObject({
      schemaVersion: 2,
      tool: 'docker-size-check',
      headSha: pr.headSha,
      pullRequest: { number: 1 },
      images: [{ dockerfile: 'api/Dockerfile', base: { size: 100_000 }, head: { size: 300_000 } }]
    })
  })

  it('comment: finds the PR from the head SHA and posts the sizes, without failing the base workflow', async () => {
    const run = await comment(pr.headSha, artifactDir)
    expect(run.exitCode).toBe(0)
    expect(standin.requestsTo('GET', `/repos/${OWNER}/${REPO}/pulls`).map(r => r.query)).toEqual([
      { state: 'open', head: `${FORK_OWNER}:feature`, per_page: '100' }
    ])
    const posted = nth(commentsOn(standin, 1), 0)
    expect(commentsOn(standin, 1)).toHaveLength(1)
    expect(posted.body).toContain('1 image grew past the limit: +200 kB')
    expect(withoutLinks(posted.body)).toContain(
      '| `api/Dockerfile` | 100 kB | 300 kB | +200 kB | +200% | ❌ over limit |'
    )
    expect(run.outputs['comment-url']).toBe(posted.html_url)
    expect(run.report).toMatchObject({ verdict: 'fail', images: [{ delta: 200_000 }] })
    // The verdict a branch protection rule can require, set by the base branch's own workflow.
    expect(standin.statuses({ owner: OWNER, repo: REPO, sha: pr.headSha })).toMatchObject([
      { state: 'failure', context: 'docker-size-check/default', description: '1 image grew past the limit: +200 kB' }
    ])
    // The explanation comes across in the artifact too, validated like every other field.
    expect(withoutLinks(posted.body)).toContain('Why <code>api/Dockerfile</code> changed')
    expect(withoutLinks(posted.body)).toContain(
      // The edited COPY on each side, as the change it is.
      '| base L2 → L2 | `COPY payload-100000.bin /payload.bin` → `COPY payload-300000.bin /payload.bin` | 100 kB | 300 kB | +200 kB | 📈 grew |'
    )
  })

  it('comment again: edits the same comment', async () => {
    const before = nth(commentsOn(standin, 1), 0)
    const run = await comment(pr.headSha, artifactDir)
    expect(run.exitCode).toBe(0)
    expect(commentsOn(standin, 1)).toHaveLength(1)
    expect(nth(commentsOn(standin, 1), 0).id).toBe(before.id)
    // A new comment would be a POST to the comments; the status is set again, as it may change.
    expect(standin.requestsTo('POST', /\/issues\//)).toEqual([])
  })

  it('a PR number changed in the artifact is not followed: the comment goes to the PR of the head SHA', async () => {
    const tampered = await tamper(artifactDir, json => setPath(json, 'pullRequest.number', 2))
    const run = await comment(pr.headSha, tampered)
    expect(run.exitCode).toBe(0)
    expect(commentsOn(standin, 2)).toEqual([])
    expect(commentsOn(standin, 1)).toHaveLength(1)
  })

  it.each<[string, (json: unknown) => void, string]>([
    [
      'a negative size',
      json => setPath(json, 'images.0.head.size', -5),
      'images[0].head.size is -5; expected a whole number'
    ],
    [
      'a path out of the repository',
      json => setPath(json, 'images.0.dockerfile', '../../x'),
      'images[0].dockerfile is not a path inside the repository'
    ],
    ['another schema', json => setPath(json, 'schemaVersion', 99), "The artifact's schemaVersion is 99"],
    [
      'another commit',
      json => setPath(json, 'headSha', 'f'.repeat(40)),
      'The artifact was made for commit ffffffffffff'
    ],
    [
      'another commit and no PR named',
      json => {
        setPath(json, 'headSha', 'f'.repeat(40))
        setPath(json, 'pullRequest', null)
      },
      'The artifact was made for commit ffffffffffff'
    ],
    [
      'a URL for a Dockerfile',
      json => setPath(json, 'images.0.dockerfile', 'https://evil.example/login'),
      'images[0].dockerfile is not a path inside the repository'
    ]
  ])(
    'a tampered artifact (%s) is refused: the step fails naming why, and nothing is written',
    async (_, change, message) => {
      const tampered = await tamper(artifactDir, change)
      const before = commentsOn(standin, 1)
      const run = await comment(pr.headSha, tampered)
      expect(run.exitCode).toBe(1)
      expect(run.stdout).toContain(`::error::${message}`)
      expect(writes()).toEqual([])
      expect(commentsOn(standin, 1)).toEqual(before)
      expect(run.report).toMatchObject({ verdict: 'error', images: [] })
    }
  )

  it('strings in the artifact are shown inside code: no HTML, no mention, no link, no reference', async () => {
    const tampered = await tamper(artifactDir, json => {
      setPath(json, 'images.0.dockerfile', 'x/<img src=x onerror=alert(1)>/@admin/[a](https:/evil)/Dockerfile')
      setPath(json, 'images.0.head.instructions.1.args', 'payload.bin /p # GH-1 #1 @octocat https://evil.example/login')
      setPath(json, 'engine.serverVersion', 'https://evil.example/login')
      setPath(json, 'error', '@octocat see [docs](https://evil.example) and GH-2')
    })
    const run = await comment(pr.headSha, tampered)
    expect(run.exitCode).toBe(0)
    const body = nth(commentsOn(standin, 1), 0).body
    expect(body).toContain('`x/<img src=x onerror=alert(1)>/@admin/[a](https:/evil)/Dockerfile`')
    expect(liveParts(renderGfm(body), ['https://github.com/'])).toEqual([])
  })

  it('a PR pushed to since the measure run gets no stale comment', async () => {
    standin.addPull({
      owner: OWNER,
      repo: REPO,
      number: 1,
      headSha: 'd'.repeat(40),
      headOwner: FORK_OWNER,
      headRef: 'feature'
    })
    const before = commentsOn(standin, 1)
    const run = await comment(pr.headSha, artifactDir)
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('::warning::No open pull request of octo/app has the head')
    expect(commentsOn(standin, 1)).toEqual(before)
  })
})

describe('the PR lookup from a commit (GET /repos/{o}/{r}/commits/{sha}/pulls)', () => {
  it('reads every page: the open PR listed after 120 closed ones with the same head is found', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: scratchImage('api', 1_000),
      pr: scratchImage('api', 1_050),
      number: 150,
      headOwner: FORK_OWNER
    })
    // Closed PRs that once had the same head commit, listed first (the API lists by number here).
    for (let number = 1; number <= 120; number++) {
      standin.addPull({ owner: OWNER, repo: REPO, number, headSha: pr.headSha, state: 'closed' })
    }
    const artifactDir = await folder('artifact-pages')
    expect((await measure(pr, artifactDir)).exitCode).toBe(0)
    // The event names no head branch (a branch since deleted), and the artifact no PR: the
    // commit's list of PRs is the only way to the PR.
    const anonymous = await tamper(artifactDir, json => setPath(json, 'pullRequest', null))
    standin.clearFaults()
    const event = workflowRun(pr.headSha)
    delete (event.payload.workflow_run as Record<string, unknown>).head_repository
    const run = await runAction({
      workspace: await folder('comment-pages'),
      apiUrl: standin.url,
      repository: `${OWNER}/${REPO}`,
      event,
      inputs: { mode: 'comment', 'artifact-path': anonymous },
      token: TEST_TOKEN,
      env: FAST
    })
    expect(run.exitCode).toBe(0)
    expect(standin.requestsTo('GET', `/repos/${OWNER}/${REPO}/commits/${pr.headSha}/pulls`).length).toBeGreaterThan(1)
    expect(commentsOn(standin, 150)).toHaveLength(1)
  })
})
