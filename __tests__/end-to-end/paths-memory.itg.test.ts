// The path breakdown within a bounded memory (issue 22, finding 7): a layer of 150,000 files,
// read by the bundled action under a 128 MB heap, as the runner runs it. Before the breakdown
// kept a fixed number of entries, the process died of it (SIGABRT) and wrote no report.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { runAction } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { commentsOn, openPullRequest, OWNER, REPO, TEST_TOKEN } from '../support/pull-request.js'
import { cleanupTempDirs } from '../support/repo.js'
import { nth } from '../support/lists.js'

const standin = useEndToEnd()

beforeAll(() => {
  // Fails here, loudly, where no engine answers or the base image is missing.
  execFileSync('docker', ['image', 'inspect', 'busybox:local'], { stdio: 'pipe' })
})

afterAll(async () => {
  await standin.stop()
  await cleanupTempDirs()
})

interface Breakdown {
  paths: Array<{ path: string; delta: number }>
  folded?: { depth: number; entries: number; limit: number }
}

describe('a PR whose head adds a layer of 150,000 files, checked under a 128 MB heap', () => {
  const base = ['FROM busybox:local', 'RUN echo base > /marker', '']
  // 150 folders of 1,000 empty files, made a folder at a time, and one file with bytes.
  const head = [
    'FROM busybox:local',
    'RUN echo base > /marker',
    'RUN for d in $(seq 1 150); do mkdir -p /many/d$d && cd /many/d$d && seq 1 1000 | sed "s/^/file-/" | xargs touch; done && \\',
    '    head -c 2000000 /dev/urandom > /many/payload.bin',
    ''
  ]
  let run: Awaited<ReturnType<typeof runAction>>
  let comment: string

  beforeAll(async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: { 'app/Dockerfile': base.join('\n') },
      pr: { 'app/Dockerfile': head.join('\n') }
    })
    run = await runAction({
      workspace: pr.workspace,
      apiUrl: standin.url,
      repository: `${OWNER}/${REPO}`,
      event: pr.event,
      inputs: { 'max-increase': '50MB' },
      token: TEST_TOKEN,
      env: { NODE_OPTIONS: '--max-old-space-size=128' }
    })
    comment = nth(commentsOn(standin, pr.number), 0).body
  }, 600_000)

  it('completes, with the report, the summary and the outputs written', () => {
    expect(run.exitCode).toBe(0)
    expect(run.report).not.toBeNull()
    expect(run.report!.verdict).toBe('pass')
    expect(run.outputs.exceeded).toBe('false')
    expect(run.outputs.report).toBeTruthy()
    expect(run.summary).toContain('app/Dockerfile')
  })

  it('folds the paths below a depth into their folders, keeps the bytes, and says so', () => {
    const image = nth(run.report!.images as Array<{ paths: Breakdown | null }>, 0)
    const paths = image.paths as Breakdown
    expect(paths.folded).toEqual({ depth: 2, entries: 150_000, limit: 40_000 })
    expect(nth(paths.paths, 0)).toMatchObject({ path: '/many/payload.bin', delta: 2_000_000 })
    expect(comment).toContain('150,000 paths deeper than 2 folders are summed into their folder at that depth')
  })
})
