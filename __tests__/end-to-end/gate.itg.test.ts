// An honest gate, end to end through dist/index.js on the real engine, real git and the API
// stand-in: nothing a pull request writes turns a red check green (issue 11). Each case
// here passed, or crashed without a report, before the change it tests.
import { describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from '@jest/globals'
import { useEndToEnd } from '../support/end-to-end.js'
import { openPullRequest, PullRequestScenario, runOnPullRequest, scratchImage } from '../support/pull-request.js'
import { symlinkTo } from '../support/repo.js'
import { withoutLinks } from '../support/gfm.js'
import { nth } from '../support/lists.js'

const standin = useEndToEnd()
const CONFIG = '.github/docker-size-check.yml'

async function check(
  scenario: PullRequestScenario,
  inputs: Record<string, string> = {},
  options: Parameters<typeof runOnPullRequest>[4] = {}
) {
  standin.reset()
  const pr = await openPullRequest(standin, scenario)
  return { pr, ...(await runOnPullRequest(standin, pr, inputs, {}, options)) }
}

interface ReportImage {
  dockerfile: string
  baseDockerfile: string
  status: string
  verdict: string
  reason: string
  notes: string[]
  delta: number | null
  base: { size: number } | null
  head: { size: number } | null
}

const imagesOf = (report: Record<string, unknown> | null) => (report?.images ?? []) as ReportImage[]
const payload = (bytes: number) => 'x'.repeat(bytes)

describe('each side is built as its own commit defines it', () => {
  it('a PR whose config asks the base for a stage it lacks is compared, not passed: target', async () => {
    const { run, comments } = await check({
      base: { 'app/Dockerfile': 'FROM scratch AS build\nCOPY payload.bin /payload.bin\n', 'app/payload.bin': 'x' },
      pr: {
        'app/Dockerfile': 'FROM scratch AS build\nCOPY payload.bin /payload.bin\nFROM build AS runtime\n',
        'app/payload.bin': payload(5_000_000),
        [CONFIG]: 'images:\n  - dockerfile: app/Dockerfile\n    target: runtime\n'
      }
    })
    expect(run.exitCode).toBe(1)
    const image = nth(imagesOf(run.report), 0)
    expect(image).toMatchObject({ verdict: 'fail', base: { size: 1 }, head: { size: 5_000_000 } })
    expect(nth(comments, 0).body).toContain('1 image grew past the limit: +5 MB')
  })

  it('a PR whose config asks the base for a stage it lacks is compared, not passed: build-args', async () => {
    const { run } = await check({
      base: { 'app/Dockerfile': 'FROM scratch\nARG FILE=small.bin\nCOPY ${FILE} /payload.bin\n', 'app/small.bin': 'x' },
      pr: {
        'app/big.bin': payload(3_000_000),
        [CONFIG]: 'images:\n  - dockerfile: app/Dockerfile\n    build-args:\n      FILE: big.bin\n'
      }
    })
    expect(run.exitCode).toBe(1)
    const image = nth(imagesOf(run.report), 0)
    expect(image).toMatchObject({ verdict: 'fail', base: { size: 1 }, head: { size: 3_000_000 } })
  })
})

describe('the limits a PR is judged by', () => {
  const scenario = (): PullRequestScenario => ({
    base: {
      ...scratchImage('app', 100_000),
      [CONFIG]: 'images:\n  - name: app\n    dockerfile: app/Dockerfile\n    max-increase: 10%\n'
    },
    pr: {
      ...scratchImage('app', 500_000),
      [CONFIG]: 'images:\n  - name: app\n    dockerfile: app/Dockerfile\n    max-increase: 1000%\n'
    }
  })

  it('come from the base commit: a PR that raises its own limit is held to the old one, and told so', async () => {
    const { run, comments } = await check(scenario())
    expect(run.exitCode).toBe(1)
    const image = nth(imagesOf(run.report), 0)
    expect([image.verdict, image.reason]).toEqual(['fail', expect.stringContaining('past the max-increase of 10%')])
    expect(nth(comments, 0).body).toContain("This PR raises app's max-increase from 10% to 1000%, from the merge on.")
  })

  it("come from the head with limits-from: head, and the comment says the PR's own limit judged it", async () => {
    const { run, comments } = await check(scenario(), { 'limits-from': 'head' })
    expect(run.exitCode).toBe(0)
    expect(nth(imagesOf(run.report), 0).verdict).toBe('pass')
    expect(nth(comments, 0).body).toContain(
      "This PR raises app's max-increase from 10% to 1000%, for this PR already, as limits-from is head."
    )
  })
})

describe('the images a PR is checked for', () => {
  it('include one the PR drops from its config: it is still checked as the base lists it', async () => {
    const { run, comments } = await check({
      base: {
        ...scratchImage('app', 100_000),
        ...scratchImage('web', 1_000),
        [CONFIG]: 'images:\n  - name: app\n    dockerfile: app/Dockerfile\n  - dockerfile: web/Dockerfile\n'
      },
      pr: { ...scratchImage('app', 900_000), [CONFIG]: 'images:\n  - dockerfile: web/Dockerfile\n' }
    })
    expect(run.exitCode).toBe(1)
    expect(imagesOf(run.report)).toEqual([expect.objectContaining({ dockerfile: 'app/Dockerfile', verdict: 'fail' })])
    expect(nth(comments, 0).body).toContain('This PR drops app from the config; it is still checked')
  })
})

describe('a base that cannot be built', () => {
  const scenario = (): PullRequestScenario => ({
    base: { 'svc/Dockerfile': 'FROM scratch\nCOPY missing.bin /missing.bin\n' },
    pr: scratchImage('svc', 3_000_000)
  })

  it('makes the image an error: the check fails, and the comment says why and how to re-run', async () => {
    const { run, comments } = await check(scenario())
    expect(run.exitCode).toBe(1)
    const image = nth(imagesOf(run.report), 0)
    expect(image).toMatchObject({ verdict: 'error', base: null, head: { size: 3_000_000 } })
    const body = withoutLinks(nth(comments, 0).body)
    expect(body).toContain('1 image without a baseline: the base build failed')
    expect(body).toContain('Re-run the job')
    expect(body).toContain('missing.bin')
    expect(body).not.toContain('✅')
  })

  it('is a warning with missing-baseline: warn, and its row never reads "✅ ok"', async () => {
    const { run, comments } = await check(scenario(), { 'missing-baseline': 'warn' })
    expect(run.exitCode).toBe(0)
    expect(nth(imagesOf(run.report), 0).verdict).toBe('warn')
    const body = withoutLinks(nth(comments, 0).body)
    expect(body).toContain('| `svc/Dockerfile` | — | 3 MB | — | — | ⚠️ no baseline |')
    expect(body).not.toContain('✅ ok')
  })
})

// Shares three of its lines with the old one: 36% similar, under git's default 50%.
const OLD_APP =
  'FROM scratch\nLABEL org.opencontainers.image.vendor=octo\nLABEL org.opencontainers.image.licenses=MIT\n' +
  'COPY payload.bin /payload.bin\n'
const REWRITTEN_SVC =
  'FROM scratch\nLABEL org.opencontainers.image.vendor=octo\nLABEL org.opencontainers.image.licenses=MIT\n' +
  'LABEL org.opencontainers.image.title=svc\nLABEL org.opencontainers.image.description="moved here from app and grown"\n' +
  'COPY payload.bin /data/payload.bin\n'

describe('a moved and rewritten Dockerfile', () => {
  it('is compared with its old path where git sees a rename at a lower similarity', async () => {
    const { run, comments } = await check({
      base: { 'app/Dockerfile': OLD_APP, 'app/payload.bin': payload(100_000) },
      pr: {
        'app/Dockerfile': null,
        'app/payload.bin': null,
        'svc/Dockerfile': REWRITTEN_SVC,
        'svc/payload.bin': payload(5_100_000)
      }
    })
    expect(run.exitCode).toBe(1)
    const images = imagesOf(run.report)
    expect(images).toHaveLength(1)
    expect(images[0]).toMatchObject({
      dockerfile: 'svc/Dockerfile',
      baseDockerfile: 'app/Dockerfile',
      status: 'renamed',
      verdict: 'fail',
      delta: 5_000_000
    })
    expect(nth(comments, 0).body).toContain('1 image grew past the limit: +5 MB')
  })

  it('is compared with the path the config gives the same name', async () => {
    const { run } = await check({
      base: {
        'app/Dockerfile': 'FROM scratch\nCOPY payload.bin /payload.bin\n',
        'app/payload.bin': payload(100_000),
        [CONFIG]: 'images:\n  - name: api\n    dockerfile: app/Dockerfile\n'
      },
      pr: {
        'app/Dockerfile': null,
        'app/payload.bin': null,
        'svc/Dockerfile': 'FROM scratch AS runtime\nWORKDIR /srv\nADD data.bin /srv/data.bin\n',
        'svc/data.bin': payload(5_100_000),
        [CONFIG]: 'images:\n  - name: api\n    dockerfile: svc/Dockerfile\n'
      }
    })
    expect(run.exitCode).toBe(1)
    const images = imagesOf(run.report)
    expect(images).toHaveLength(1)
    expect(images[0]).toMatchObject({ baseDockerfile: 'app/Dockerfile', status: 'renamed', verdict: 'fail' })
  })

  it('otherwise shows a removed and an added row with their sizes, never "no size changed"', async () => {
    const { run, comments } = await check({
      base: { 'app/Dockerfile': 'FROM scratch\nCOPY payload.bin /payload.bin\n', 'app/payload.bin': payload(100_000) },
      pr: {
        'app/Dockerfile': null,
        'app/payload.bin': null,
        'svc/Dockerfile': 'FROM scratch AS runtime\nWORKDIR /srv\nADD data.bin /srv/data.bin\n',
        'svc/data.bin': payload(5_100_000)
      }
    })
    const body = withoutLinks(nth(comments, 0).body)
    expect(body.split('\n')[1]).toContain('2 images checked: 1 added (5.1 MB), 1 removed (100 kB)')
    expect(body).not.toContain('no size changed')
    expect(body).toContain('| `app/Dockerfile` | 100 kB | — | — | — | 🗑️ removed |')
    expect(body).toContain('| `svc/Dockerfile` | — | 5.1 MB | — | — | 🆕 new |')
    expect(run.summary).not.toContain('no size changed')
  })
})

describe('a max-size breach', () => {
  it('is said as one, not as "grew past the limit"', async () => {
    const { run, comments } = await check(
      { base: scratchImage('app', 1_900), pr: scratchImage('app', 2_000) },
      { 'max-size': '1kB' }
    )
    expect(run.exitCode).toBe(1)
    const body = withoutLinks(nth(comments, 0).body)
    expect(body.split('\n')[1]).toContain('1 image over the max-size budget: 2 kB at the head')
    expect(body).not.toContain('grew past the limit')
    expect(body).toContain('❌ over max-size')
  })
})

describe('paths that leave the repository through a symlink', () => {
  const outside: string[] = []
  afterAll(async () => {
    await Promise.all(outside.map(dir => rm(dir, { recursive: true, force: true })))
  })
  async function reviewerFolder(): Promise<{ dir: string; secret: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'wtgate-reviewer-'))
    outside.push(dir)
    const secret = `reviewer-secret-${process.pid}-${Date.now()}`
    await writeFile(join(dir, 'secret.txt'), `${secret}\n`)
    await writeFile(join(dir, 'config.yml'), 'images:\n  - dockerfile: app/Dockerfile\n')
    return { dir, secret }
  }

  it('a build context that is a symlink out of the repository is refused, and nothing of it is built', async () => {
    const { dir, secret } = await reviewerFolder()
    const { run } = await check({
      base: scratchImage('app', 1_000),
      pr: {
        'app/Dockerfile': 'FROM busybox:local\nCOPY . /ctx\nRUN cat /ctx/secret.txt; exit 1\n',
        ctx: symlinkTo(dir),
        [CONFIG]: 'images:\n  - dockerfile: app/Dockerfile\n    context: ctx\n'
      }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).not.toContain(secret)
    const image = nth(imagesOf(run.report), 0)
    expect(image.verdict).toBe('error')
    expect(image.reason).toContain("the build context 'ctx' leaves the repository")
  })

  it('a config file that is a symlink out of the repository is refused', async () => {
    const { dir } = await reviewerFolder()
    const { run } = await check({
      base: scratchImage('app', 1_000),
      pr: { ...scratchImage('app', 2_000), [CONFIG]: symlinkTo(join(dir, 'config.yml')) }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(`::error::Invalid config '${CONFIG}': Refused: the config file`)
    expect(run.report).toMatchObject({ verdict: 'error' })
  })
})

describe('input that would silently mean something else', () => {
  it('a run given no defaults (no INPUT_* for defaulted inputs) behaves as with them: max-increase 10%', async () => {
    const { run } = await check(
      { base: scratchImage('app', 1_000), pr: scratchImage('app', 5_001_000) },
      { 'github-token': 'ghs_test_token' },
      { withDefaults: false }
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('past the max-increase of 10%25')
  })

  it('an unresolved ${{ github.token }} is refused, not sent as a token', async () => {
    const { run } = await check(
      { base: scratchImage('app', 1_000), pr: scratchImage('app', 2_000) },
      { 'github-token': '${{ github.token }}' }
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(
      "::error::Invalid github-token: it holds the unresolved expression '${{ github.token }}'"
    )
    expect(run.report).toMatchObject({ verdict: 'error' })
    expect(standin.requests.filter(request => request.authorization?.includes('${{'))).toHaveLength(0)
  })

  it.each([
    ['max-increase', '1,000,000', "Invalid max-increase '1,000,000': the commas split it into 3 limits"],
    ['dockerfiles', '[', "Invalid dockerfiles '[': the glob '[' has an unclosed '['"],
    ['images', '- dockerfile: a/Dockerfile\n  build-args: [', 'images: not valid YAML at line 2, column 16']
  ])('%s %p is refused with the input, the value and the fix', async (name, value, message) => {
    const { run } = await check({ base: scratchImage('app', 1_000), pr: scratchImage('app', 2_000) }, { [name]: value })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain(`::error::${message}`)
    expect(run.report).toMatchObject({ verdict: 'error' })
  })
})

describe('a malformed or empty event file', () => {
  it.each([
    ['empty', '', 'is empty'],
    ['cut short', '{"pull_request": {"number": 1', 'is not valid JSON'],
    ['null', 'null', 'holds null, not a JSON object']
  ])('(%s) is named as the fault, and the report and the summary are still written', async (_, text, problem) => {
    const { run } = await check(
      { base: scratchImage('app', 1_000), pr: scratchImage('app', 2_000) },
      {},
      { eventText: text }
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('::error::The event payload at ')
    expect(run.stdout).toContain(problem)
    expect(run.report).toMatchObject({ verdict: 'error' })
    expect(String((run.report as { error: string }).error)).toContain(problem)
    expect(run.summary).toContain('The check could not finish')
    expect(run.summary).toContain(problem)
  })
})
