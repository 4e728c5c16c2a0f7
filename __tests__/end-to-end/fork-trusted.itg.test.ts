// A verdict on sizes the pull request cannot write. The workflows users copy
// (examples/workflows/, quoted in docs/trust-model.md) run here as the runner runs them:
// - image-sizes.yml on pull_request_target: a measure job with no permissions and no
//   secrets builds the fork's head as data, a comment job of the same run judges and sets
//   the commit status a maintainer can require;
// - docker-size-record.yml on push to main: records signed with the environment's key,
//   which that PR workflow's measure job then counts.
// And the old two-step path (the fork's own pull_request run writes the artifact, a
// workflow_run comments): its sizes may fail a PR, never pass one.
import { describe, expect, it } from '@jest/globals'
import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { useEndToEnd } from '../support/end-to-end.js'
import { setPath } from '../support/json-path.js'
import { commentsOn, openPullRequest, OpenPullRequest, OWNER, REPO, scratchImage } from '../support/pull-request.js'
import { makeHeadCheckoutWorkspace, makePushCheckoutWorkspace, makeTempDir } from '../support/repo.js'
import { commentOnBase, FORK_OWNER, measureOnFork, workflowRunEvent } from '../support/fork-workflow.js'
import { readWorkflow, runWorkflow } from '../support/workflow-runner.js'
import { RECORDS_KEY, recordsKeyFile } from '../support/records-key.js'
import { nth } from '../support/lists.js'

const standin = useEndToEnd()

/** The pull_request_target event GitHub sends for a fork's PR into main. */
function pullRequestTargetEvent(pr: OpenPullRequest) {
  return {
    name: 'pull_request_target',
    payload: {
      action: 'synchronize',
      number: pr.number,
      pull_request: {
        number: pr.number,
        base: { ref: 'main', sha: pr.baseSha },
        head: { ref: 'feature', sha: pr.headSha, repo: { full_name: `${FORK_OWNER}/${REPO}` } }
      },
      repository: { name: REPO, owner: { login: OWNER }, full_name: `${OWNER}/${REPO}`, default_branch: 'main' }
    }
  }
}

/** image-sizes.yml, run for `pr` as GitHub runs it on pull_request_target. */
async function runTrustedWorkflow(pr: OpenPullRequest) {
  const { workflow } = await readWorkflow('image-sizes.yml')
  return runWorkflow(workflow, {
    standin,
    event: pullRequestTargetEvent(pr),
    // With a ref, the PR's head as data; without one, the default branch (GITHUB_SHA of this event).
    checkout: async ref => {
      if (ref === undefined) return (await makePushCheckoutWorkspace(pr.remote, 'main', pr.baseSha)).workspace
      expect(ref).toBe(pr.headSha)
      return (await makeHeadCheckoutWorkspace({ remote: pr.remote, head: 'feature', number: pr.number })).workspace
    },
    env: { GITHUB_SHA: pr.baseSha, GITHUB_REF: 'refs/heads/main' }
  })
}

const statusesOf = (pr: OpenPullRequest) => standin.statuses({ owner: OWNER, repo: REPO, sha: pr.headSha })

describe('examples/workflows/image-sizes.yml: a fork’s sizes measured by the default branch’s workflow', () => {
  it('gives the measure job no permission, no secret and no cache to write, and the comment job none of the PR’s code', async () => {
    const { text, workflow } = await readWorkflow('image-sizes.yml')
    expect(Object.keys(workflow.on)).toEqual(['pull_request_target'])
    expect(workflow.permissions).toEqual({})
    const { measure, comment } = workflow.jobs
    expect(measure?.permissions).toEqual({})
    const measureText = text.slice(text.indexOf('  measure:'), text.indexOf('  comment:'))
    expect(measureText).not.toMatch(/\$\{\{\s*secrets\.|^\s+environment:/m)
    for (const step of measure?.steps ?? []) expect(Object.keys(step.with ?? {})).not.toContain('cache-to')
    for (const step of measure?.steps ?? []) expect(Object.keys(step.with ?? {})).not.toContain('secrets')
    const checkout = measure?.steps.find(step => step.uses?.startsWith('actions/checkout@'))
    expect(checkout?.with).toEqual({ ref: '${{ github.event.pull_request.head.sha }}', 'persist-credentials': false })
    expect(comment?.needs).toBe('measure')
    // The comment job checks out the default branch (no ref) and downloads this run's artifact (no run-id).
    for (const step of comment?.steps ?? []) expect(step.with ?? {}).not.toHaveProperty('ref')
    for (const step of comment?.steps ?? []) expect(step.with ?? {}).not.toHaveProperty('run-id')
  })

  it('a fork PR that grows an image past the limit: the comment, and a failing status', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: scratchImage('api', 100_000),
      pr: scratchImage('api', 300_000),
      headOwner: FORK_OWNER
    })
    const jobs = await runTrustedWorkflow(pr)
    const measured = nth(jobs.get('measure')?.actions ?? [], 0)
    expect(measured.exitCode).toBe(1)
    expect(measured.report).toMatchObject({ images: [{ base: { size: 100_000 }, head: { size: 300_000 } }] })
    const commented = nth(jobs.get('comment')?.actions ?? [], 0)
    expect(commented.exitCode).toBe(0)
    expect(nth(commentsOn(standin, pr.number), 0).body).toContain('1 image grew past the limit: +200 kB')
    expect(statusesOf(pr)).toMatchObject([
      { state: 'failure', context: 'docker-size-check/default', description: '1 image grew past the limit: +200 kB' }
    ])
  })

  it('a fork PR within the limits: a success status, from sizes the fork did not write', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: scratchImage('api', 100_000),
      pr: scratchImage('api', 101_000),
      headOwner: FORK_OWNER
    })
    const jobs = await runTrustedWorkflow(pr)
    expect(jobs.get('measure')?.ok).toBe(true)
    expect(jobs.get('comment')?.ok).toBe(true)
    expect(statusesOf(pr)).toMatchObject([{ state: 'success', description: '1 image within the limits: +1 kB in all' }])
  })
})

describe('the old two-step path: the fork’s own run writes the artifact', () => {
  async function measuredByTheFork(prBytes: number) {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: scratchImage('api', 1_000_000),
      pr: scratchImage('api', prBytes),
      headOwner: FORK_OWNER
    })
    const artifactDir = await makeTempDir('fork-artifact')
    await measureOnFork(standin, pr, artifactDir)
    return { pr, artifactDir }
  }

  const comment = async (pr: OpenPullRequest, artifactDir: string) =>
    commentOnBase(standin, {
      workspace: await makeTempDir('comment-workspace'),
      artifactDir,
      event: workflowRunEvent(pr.headSha, { id: 4545, conclusion: 'success' })
    })

  it('an artifact whose head size was rewritten to the base’s (a real +3 MB) gets no success status', async () => {
    const { pr, artifactDir } = await measuredByTheFork(4_000_000)
    const forged = await makeTempDir('forged-artifact')
    await cp(artifactDir, forged, { recursive: true })
    const path = join(forged, 'docker-size-check.json')
    const json: unknown = JSON.parse(await readFile(path, 'utf8'))
    setPath(json, 'images.0.head.size', 1_000_000)
    await writeFile(path, JSON.stringify(json))
    const run = await comment(pr, forged)
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('::warning::No commit status is set: the sizes come from the pull request’s own run')
    expect(statusesOf(pr)).toEqual([])
    // Judged as the forged numbers say (no change, so no comment to post), and no more than that.
    expect(run.report).toMatchObject({ verdict: 'pass', images: [{ delta: 0 }] })
  })

  it('its sizes can still fail the PR', async () => {
    const { pr, artifactDir } = await measuredByTheFork(4_000_000)
    const run = await comment(pr, artifactDir)
    expect(run.exitCode).toBe(0)
    expect(statusesOf(pr)).toMatchObject([{ state: 'failure' }])
  })
})

describe('examples/workflows/docker-size-record.yml, then the PR workflow', () => {
  it('signs records with the environment’s key on push to main; the PR’s measure job counts them', async () => {
    const { workflow } = await readWorkflow('docker-size-record.yml')
    expect(workflow.jobs.record?.environment).toBe('docker-size-check-records')
    expect(workflow.jobs.record?.permissions).toEqual({ contents: 'write' })
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: { ...recordsKeyFile(), ...scratchImage('api', 100_000) },
      pr: scratchImage('api', 101_000),
      headOwner: FORK_OWNER
    })
    const main = pr.baseSha
    const recorded = await runWorkflow(workflow, {
      standin,
      event: {
        name: 'push',
        payload: {
          ref: 'refs/heads/main',
          after: main,
          repository: { name: REPO, owner: { login: OWNER }, full_name: `${OWNER}/${REPO}`, default_branch: 'main' }
        }
      },
      secrets: { DOCKER_SIZE_CHECK_RECORDS_KEY: RECORDS_KEY.privatePem },
      checkout: async () => (await makePushCheckoutWorkspace(pr.remote, 'main', main)).workspace,
      env: { GITHUB_REF: 'refs/heads/main', GITHUB_SHA: main }
    })
    expect(nth(recorded.get('record')?.actions ?? [], 0).stdout).toContain(`Recorded 1 image at ${main.slice(0, 12)}`)
    const jobs = await runTrustedWorkflow(pr)
    const measured = nth(jobs.get('measure')?.actions ?? [], 0)
    expect(measured.stdout).toContain(`api/Dockerfile: base from the record of ${main.slice(0, 7)} (the merge-base)`)
    expect(measured.stdout).not.toMatch(/Build base:/)
    expect(statusesOf(pr)).toMatchObject([{ state: 'success' }])
  })
})
