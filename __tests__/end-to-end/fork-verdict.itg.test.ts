// The fork-safe two-step workflow, end to end through dist/index.js, on what a fork's PR can
// do to the verdict and on builds whose output is odd but honest:
// - the fork loosens its own images config; the comment run (the base branch's code) judges
//   by the base branch's config and its own inputs, names the image as that config does, and
//   sets the commit status a branch protection rule can require;
// - colour codes, `\r` progress, long log lines, a 2,302-character RUN, a tab in a path and
//   a unicode name: what `mode: measure` writes, `mode: comment` accepts and posts.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ActionRun } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { setPath } from '../support/json-path.js'
import { commentsOn, openPullRequest, OpenPullRequest, OWNER, REPO, scratchImage } from '../support/pull-request.js'
import { nth } from '../support/lists.js'
import { withoutLinks } from '../support/gfm.js'
import { makeTempDir } from '../support/repo.js'
import { commentOnBase, FORK_OWNER, measureOnFork, workflowRunEvent } from '../support/fork-workflow.js'

const CONFIG = '.github/docker-size-check.yml'
const standin = useEndToEnd()
// Removed with the run's other temporary folders (useEndToEnd's afterAll).
const folder = (prefix: string) => makeTempDir(prefix)

function config(entries: Array<Record<string, string>>): string {
  const lines = ['images:']
  for (const entry of entries) {
    const [first, ...rest] = Object.entries(entry)
    lines.push(`  - ${first![0]}: ${JSON.stringify(first![1])}`)
    for (const [key, value] of rest) lines.push(`    ${key}: ${JSON.stringify(value)}`)
  }
  return `${lines.join('\n')}\n`
}

const measure = (pr: OpenPullRequest, artifactDir: string) => measureOnFork(standin, pr, artifactDir)

/** The comment run, in a workspace that holds the base branch's files (`baseFiles`) and nothing of the PR. */
async function comment(headSha: string, artifactDir: string, baseFiles: Record<string, string>): Promise<ActionRun> {
  const workspace = await folder('comment-workspace')
  for (const [path, text] of Object.entries(baseFiles)) {
    await mkdir(join(workspace, path, '..'), { recursive: true })
    await writeFile(join(workspace, path), text)
  }
  const event = workflowRunEvent(headSha, { id: 4343, conclusion: 'success' })
  return commentOnBase(standin, { workspace, artifactDir, event })
}

describe('a fork PR that loosens its own limit', () => {
  // Grows 3%: within the action's default 10% and the fork's 50%, past the base branch's own 1%.
  const baseConfig = config([{ name: 'Payments API', dockerfile: 'api/Dockerfile', 'max-increase': '1%' }])
  const forkConfig = config([{ name: 'Payments API', dockerfile: 'api/Dockerfile', 'max-increase': '50%' }])
  let pr: OpenPullRequest
  let artifactDir: string
  let measured: ActionRun

  beforeAll(async () => {
    standin.reset()
    pr = await openPullRequest(standin, {
      base: { ...scratchImage('api', 100_000), [CONFIG]: baseConfig },
      pr: { ...scratchImage('api', 103_000), [CONFIG]: forkConfig },
      headOwner: FORK_OWNER
    })
    artifactDir = await folder('artifact')
    measured = await measure(pr, artifactDir)
  })

  it("measure: the fork's own check too is judged by the base's config (limits-from: base), and the artifact carries the image's name", async () => {
    // The fork could edit its own workflow (limits-from: head): the comment run's status is the one to require.
    expect(measured.exitCode).toBe(1)
    const artifact: unknown = JSON.parse(await readFile(join(artifactDir, 'docker-size-check.json'), 'utf8'))
    expect(artifact).toMatchObject({ images: [{ name: 'Payments API', dockerfile: 'api/Dockerfile' }] })
    expect(JSON.stringify(artifact)).not.toContain('50%')
  })

  it("comment: judged by the base branch's limit, shown by its name, with a failing commit status", async () => {
    const run = await comment(pr.headSha, artifactDir, { [CONFIG]: baseConfig })
    expect(run.exitCode).toBe(0)
    const [posted] = commentsOn(standin, 1)
    expect(posted!.body).toContain('1 image grew past the limit: +3 kB')
    expect(withoutLinks(posted!.body)).toMatch(
      /\| `Payments API`.*\| 100 kB \| 103 kB \| \+3 kB \| \+3% \| ❌ over limit \|/
    )
    expect(posted!.body).toContain('past the max-increase of 1%')
    expect(run.report).toMatchObject({
      verdict: 'fail',
      images: [{ name: 'Payments API', limits: { maxIncrease: '1%' } }]
    })
    expect(standin.statuses({ owner: OWNER, repo: REPO, sha: pr.headSha })).toMatchObject([
      { state: 'failure', context: 'docker-size-check/default', description: '1 image grew past the limit: +3 kB' }
    ])
  })

  it('an artifact that claims a looser limit or another name is judged the same', async () => {
    const copy = await folder('tampered')
    await cp(artifactDir, copy, { recursive: true })
    const path = join(copy, 'docker-size-check.json')
    const json: unknown = JSON.parse(await readFile(path, 'utf8'))
    setPath(json, 'images.0.name', 'not the payments API')
    setPath(json, 'images.0.limits', { maxIncrease: '1000%', warnIncrease: null, maxSize: null })
    setPath(json, 'limits', { maxIncrease: '1000%' })
    await writeFile(path, JSON.stringify(json))
    const run = await comment(pr.headSha, copy, { [CONFIG]: baseConfig })
    expect(run.exitCode).toBe(0)
    expect(run.report).toMatchObject({ verdict: 'fail', images: [{ name: 'Payments API' }] })
    expect(standin.statuses({ owner: OWNER, repo: REPO, sha: pr.headSha }).at(-1)).toMatchObject({
      state: 'failure'
    })
  })

  it("without a config on the base branch, the comment run's own inputs decide: it passes, and sets no success from the fork's sizes", async () => {
    const before = standin.statuses({ owner: OWNER, repo: REPO, sha: pr.headSha }).length
    const run = await comment(pr.headSha, artifactDir, {})
    expect(run.exitCode).toBe(0)
    expect(run.report).toMatchObject({ verdict: 'pass', images: [{ limits: { maxIncrease: '10%' } }] })
    // The fork's own run wrote these sizes: a pass from them is no verdict (docs/trust-model.md).
    expect(run.stdout).toContain('::warning::No commit status is set')
    expect(standin.statuses({ owner: OWNER, repo: REPO, sha: pr.headSha })).toHaveLength(before)
  })
})

describe('odd but honest builds, measured by the tool itself, are posted by the comment run', () => {
  const longRun = `RUN echo ${'x'.repeat(2_302 - 'RUN echo '.length)} > /long.txt`
  const noisy = [
    'FROM busybox:local',
    // Twenty-five lines of 480 characters, then colour codes and `\r` progress, then a failure.
    `RUN for i in $(seq 1 25); do printf "line $i %0470d\\n" 0; done && ` +
      `printf '\\033[1;31merror:\\033[0m colour\\n' && printf 'Downloading 10%%\\rDownloading 100%%\\n' && exit 3`,
    ''
  ].join('\n')
  const files: Record<string, string> = {
    'noisy/Dockerfile': noisy,
    'long/Dockerfile': `FROM busybox:local\n${longRun}\n`,
    'tab\there/Dockerfile': 'FROM scratch\nCOPY payload.bin /payload.bin\n',
    'tab\there/payload.bin': 'x'.repeat(1_000),
    'new\nline/Dockerfile': 'FROM scratch\nCOPY payload.bin /payload.bin\n',
    'new\nline/payload.bin': 'z'.repeat(1_500),
    'unicode/Dockerfile': 'FROM scratch\nCOPY payload.bin /payload.bin\n',
    'unicode/payload.bin': 'y'.repeat(2_000),
    [CONFIG]: config([
      { dockerfile: 'noisy/Dockerfile' },
      { dockerfile: 'long/Dockerfile' },
      { dockerfile: 'tab\there/Dockerfile' },
      { dockerfile: 'new\nline/Dockerfile' },
      { name: 'Zahlungs-API 🐳 ünïcødé', dockerfile: 'unicode/Dockerfile' }
    ])
  }
  let pr: OpenPullRequest
  let artifactDir: string
  let measured: ActionRun

  beforeAll(async () => {
    standin.reset()
    pr = await openPullRequest(standin, { base: { 'README.md': 'base\n' }, pr: files, headOwner: FORK_OWNER })
    artifactDir = await folder('odd-artifact')
    measured = await measure(pr, artifactDir)
  })

  it('measure writes an artifact within the limits the reader enforces', async () => {
    expect(measured.outputs['artifact-path']).toBe(artifactDir)
    // The file as written, read as the shape it should have (the reader's checks are not the point here).
    const artifact = JSON.parse(await readFile(join(artifactDir, 'docker-size-check.json'), 'utf8')) as {
      images: Array<{ dockerfile: string; failedBuilds: Array<{ logTail: string; line?: number }> }>
    }
    expect(artifact.images).toHaveLength(5)
    const noisyImage = artifact.images.find(image => image.dockerfile === 'noisy/Dockerfile')
    const failed = nth(noisyImage?.failedBuilds ?? [], 0)
    expect(failed.logTail.length).toBeLessThanOrEqual(8000)
    expect(failed.logTail.split('\n').length).toBeLessThanOrEqual(20)
    expect(failed.logTail).not.toContain('\u001b')
    expect(failed.logTail).not.toContain('\r')
    expect(failed.logTail).toContain('error: colour')
    // BuildKit 0.13 quotes no Dockerfile line: the measure step found it by the instruction.
    expect(failed.line).toBe(2)
  })

  it('comment accepts it and posts every image, named and cut as written', async () => {
    const run = await comment(pr.headSha, artifactDir, {})
    expect(run.stdout).not.toContain('::error::')
    expect(run.exitCode).toBe(0)
    const posted = nth(commentsOn(standin, 1), 0)
    const body = posted.body
    expect(body).toContain('Zahlungs-API 🐳 ünïcødé')
    expect(body).toContain('tab here/Dockerfile')
    expect(body).toContain('new line/Dockerfile')
    expect(body).toContain('long/Dockerfile')
    expect(body).toContain('💥 build failed')
    // The failing step first, then the rest of the log's last lines, folded.
    expect(body).toMatch(
      /\*\*The failing step\*\* of the head build \(step `2\/2`, \[line 2\]\([^)]+\/noisy\/Dockerfile#L2\)\)/
    )
    expect(body).toContain('The rest of the build output (its last lines)')
    expect(body).not.toContain('\u001b')
    expect(body).not.toContain('\r')
    // What a terminal showed: the colours gone, the progress line at its last state.
    expect(body).toContain('error: colour')
    expect(body).toContain('Downloading 100%')
    expect(body).not.toContain('Downloading 10%D')
    expect(run.report).toMatchObject({ verdict: 'error' })
    expect(standin.statuses({ owner: OWNER, repo: REPO, sha: pr.headSha })).toMatchObject([{ state: 'error' }])
  })
})
