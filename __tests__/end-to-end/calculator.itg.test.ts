// The motivating case, end to end on the real engine: a PR that drops the calculator's
// second stage ships the Go toolchain in the image and must be blocked; the PR that adds
// the stage back must show the win. Both Dockerfiles are the ones in examples/calculator.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROJECT_ROOT, runAction } from '../support/action-runner.js'
import { saveComment, saveReport } from '../support/save-comment.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { commentsOn, openPullRequest, OWNER, REPO, TEST_TOKEN } from '../support/pull-request.js'
import { nth } from '../support/lists.js'
import { withoutLinks } from '../support/gfm.js'

const EXAMPLE = join(PROJECT_ROOT, 'examples', 'calculator')
const standin = useEndToEnd()

/** The example's files under `calculator/`, with `Dockerfile` taken from `variant`. */
function calculatorFiles(variant: 'Dockerfile' | 'Dockerfile.single'): Record<string, string> {
  const files: Record<string, string> = {}
  for (const name of readdirSync(EXAMPLE)) {
    if (name.startsWith('Dockerfile')) continue
    files[`calculator/${name}`] = readFileSync(join(EXAMPLE, name), 'utf8')
  }
  files['calculator/Dockerfile'] = readFileSync(join(EXAMPLE, variant), 'utf8')
  return files
}

beforeAll(() => {
  execFileSync('docker', ['image', 'inspect', 'debian:bookworm'], { stdio: 'pipe' })
})

async function pullRequest(from: 'Dockerfile' | 'Dockerfile.single', to: 'Dockerfile' | 'Dockerfile.single') {
  standin.reset()
  const base = calculatorFiles(from)
  const pr = await openPullRequest(standin, {
    base,
    pr: { 'calculator/Dockerfile': calculatorFiles(to)['calculator/Dockerfile'] ?? '' }
  })
  const run = await runAction({
    workspace: pr.workspace,
    apiUrl: standin.url,
    repository: `${OWNER}/${REPO}`,
    event: pr.event,
    token: TEST_TOKEN
  })
  const comments = commentsOn(standin, pr.number)
  return { run, comments }
}

describe('the calculator example', () => {
  it('blocks the PR that drops the second stage', async () => {
    const { run, comments } = await pullRequest('Dockerfile', 'Dockerfile.single')
    // Kept before the checks: a failing check must not cost the copy it is judged on.
    saveComment('calculator-regression', comments[0]?.body ?? '')
    saveReport('calculator-regression', run.report)
    expect(run.exitCode).toBe(1)
    const image = nth(
      run.report!.images as Array<{ base: { size: number }; head: { size: number }; delta: number; verdict: string }>,
      0
    )
    // The multi-stage image is the static binary alone; the single-stage one carries Debian and Go.
    expect(image.base.size).toBeLessThan(5_000_000)
    expect(image.head.size).toBeGreaterThan(500_000_000)
    expect(image.verdict).toBe('fail')
    expect(comments).toHaveLength(1)
    const body = withoutLinks(nth(comments, 0).body)
    expect(body).toMatch(/1 image grew past the limit: \+\d+(\.\d+)? (MB|GB)/)
    expect(body).toMatch(
      /\| `calculator\/Dockerfile` \| [\d.]+ MB \| [\d.]+ (MB|GB) \| \+[\d.]+ (MB|GB) \| \+[\d,]+% \| ❌ over limit \|/
    )
    expect(run.stdout).toContain('::error::calculator/Dockerfile: Grew +')
    // One figure everywhere: the progress line prints the bytes the JSON and the table carry.
    expect(run.stdout).toMatch(new RegExp(`^head calculator/Dockerfile: ${image.head.size} bytes in `, 'm'))
    expect(run.stdout).toMatch(new RegExp(`^base calculator/Dockerfile: ${image.base.size} bytes in `, 'm'))

    // The annotation sits on the RUN that installs the Go toolchain, in the head's Dockerfile.
    const headDockerfile = calculatorFiles('Dockerfile.single')['calculator/Dockerfile'] ?? ''
    const runLine = headDockerfile.split('\n').findIndex(line => /^RUN .*golang-go/.test(line)) + 1
    expect(runLine).toBeGreaterThan(0)
    expect(run.stdout).toMatch(
      new RegExp(
        `^::error title=[^,:]+,file=calculator/Dockerfile,line=${runLine},endLine=${runLine}::Grew \\+.*This instruction adds the most: \\+[\\d.]+ MB \\(RUN apt-get update`,
        'm'
      )
    )
    // The comment's details list that RUN first, among the instructions that moved bytes.
    const details = body.slice(body.indexOf('<details><summary>Why <code>calculator/Dockerfile</code> changed'))
    const rows = details.split('\n').filter(line => /^\| (base )?L\d+ /.test(line))
    expect(rows[0]).toMatch(
      new RegExp(
        `^\\| L${runLine} \\| \`RUN apt-get update .*golang-go.*\` \\| — \\| [\\d.]+ MB \\| \\+[\\d.]+ MB \\| 🆕 new \\|$`
      )
    )
    // The final stage's FROM on each side is one row that shows both: never one text for the other.
    expect(rows.find(row => row.includes('FROM scratch'))).toMatch(
      /^\| base L11 → L3 \| `FROM scratch` → `FROM debian:bookworm` \| 0 B \| [\d.]+ MB \| \+[\d.]+ MB \| 📈 grew \|$/
    )
    expect(rows.length).toBeGreaterThanOrEqual(3)
    expect(rows.length).toBeLessThanOrEqual(5)
    // Under them, the paths: the Go toolchain's folder first, put there by that RUN; the
    // package cache the RUN left behind is named, with what would remove it.
    const report = (run.report!.images as unknown[])[0] as {
      paths: {
        paths: Array<{
          path: string
          kind: string
          delta: number
          source: { side: string; line: number; instruction: string }
        }>
        hints: Array<{ kind: string; path: string }>
        layers: { base: Array<{ state: string }>; head: Array<{ state: string }> }
      }
    }
    expect(report.paths.paths[0]).toMatchObject({
      path: expect.stringMatching(/^\/usr\/lib\/go-1\.\d+$/),
      kind: 'folder',
      delta: expect.any(Number),
      source: { side: 'head', line: runLine, instruction: expect.stringMatching(/^RUN apt-get update .*golang-go/) }
    })
    expect(nth(report.paths.paths, 0).delta).toBeGreaterThan(200_000_000)
    // Nothing is shared between a FROM scratch image and a Debian one: every layer is read.
    expect(report.paths.layers.head.every(layer => layer.state === 'read')).toBe(true)
    const pathRows = details.split('\n').filter(line => /^\| `\//.test(line))
    expect(pathRows[0]).toMatch(
      new RegExp(`^\\| \`/usr/lib/go-1\\.\\d+/\` \\| — \\| [\\d.]+ MB \\| \\+[\\d.]+ MB \\| L${runLine} \\|$`)
    )
    expect(pathRows.length).toBeLessThanOrEqual(5)
    expect(details.indexOf('The paths that moved the most bytes')).toBeGreaterThan(details.indexOf(nth(rows, 0)))
    // Above the fold, before any folded section: the cause in one sentence, then what to do, as alerts.
    const fold = body.indexOf('<details>')
    const cause = body.indexOf('**Why `calculator/Dockerfile` grew:** The final stage')
    expect(cause).toBeGreaterThan(0)
    expect(cause).toBeLessThan(fold)
    expect(body.slice(cause)).toMatch(
      /^\*\*Why `calculator\/Dockerfile` grew:\*\* The final stage's base changed from `FROM scratch` \(base L11\) to `FROM debian:bookworm` \(L3\) and the stage `build` was dropped, so the build stage now ships; most of it from L4 `RUN apt-get update/
    )
    expect(body.slice(0, fold)).toMatch(/^> \[!WARNING\]\n> The build stage now ships: /m)
    expect(body.slice(0, fold)).toMatch(
      /^> \[!TIP\]\n> L4 leaves a package manager's cache in its layer: `\/var\/cache\/apt` \(\+[\d.]+ MB\)\. End the `apt-get install` RUN with `apt-get clean`\.$/m
    )
    // The base image's own apt lists are the base image's: no advice that can do nothing.
    expect(body).not.toMatch(/\/var\/lib\/apt\/lists` \(/)
    // The report records the engine that measured.
    expect(run.report!.engine).toMatchObject({
      serverVersion: expect.stringMatching(/^\d+\.\d+/),
      apiVersion: expect.stringMatching(/^\d+\.\d+$/),
      imageStore: expect.stringMatching(/^(containerd|graphdriver)$/)
    })
  })

  it('shows the PR that adds the second stage back as a win', async () => {
    const { run, comments } = await pullRequest('Dockerfile.single', 'Dockerfile')
    saveComment('calculator-improvement', comments[0]?.body ?? '')
    saveReport('calculator-improvement', run.report)
    expect(run.exitCode).toBe(0)
    const image = nth(run.report!.images as Array<{ deltaPercent: number; verdict: string }>, 0)
    expect(image.deltaPercent).toBeLessThan(-99)
    expect(image.verdict).toBe('pass')
    expect(comments).toHaveLength(1)
    expect(nth(comments, 0).body).toMatch(/1 image shrank: -[\d.]+ (MB|GB) \(-99\.\d%\)/)
    // What went: the toolchain the base's single stage shipped, from the base's RUN.
    expect(withoutLinks(nth(comments, 0).body)).toMatch(
      /\| `\/usr\/lib\/go-1\.\d+\/` \| [\d.]+ MB \| — \| -[\d.]+ MB \| base L4 \|$/m
    )
  })
})
