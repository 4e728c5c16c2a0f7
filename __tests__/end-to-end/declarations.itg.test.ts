// Changing where images are declared must not turn red into green. Each PR here grows a
// 1 kB image by 3 MB (far past the default max-increase of 10%) and, in the same PR, moves
// the image's declaration: a compose file added, a service or target renamed, the images
// config replaced by a compose file, the compose file broken. The image is still the one its
// Dockerfile and context build, so it is compared with its base and the check fails. Run on
// the bundled action as the runner runs it.
import { describe, expect, it } from '@jest/globals'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ActionRun } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { commentsOn, openPullRequest, PullRequestScenario, runOnPullRequest } from '../support/pull-request.js'
import { makeTempDir } from '../support/repo.js'

const standin = useEndToEnd()

type ReportImage = Record<string, unknown> & { name?: string; dockerfile: string; status: string; verdict: string }

function reportImages(run: ActionRun): ReportImage[] {
  return (run.report?.images ?? []) as ReportImage[]
}

async function check(
  scenario: PullRequestScenario,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {}
) {
  standin.reset()
  const pr = await openPullRequest(standin, scenario)
  const { run } = await runOnPullRequest(standin, pr, inputs, env)
  return { run, comments: commentsOn(standin, pr.number) }
}

const SMALL = 1_000
const GROWN = 3_001_000

/** `app/` builds one file of `bytes` bytes FROM scratch; the Dockerfile does not change. */
function app(bytes: number): Record<string, string> {
  return {
    'app/Dockerfile': 'FROM scratch\nCOPY payload.bin /payload.bin\n',
    'app/payload.bin': 'p'.repeat(bytes)
  }
}

const composeOf = (service: string, extra: string[] = []) =>
  ['services:', `  ${service}:`, '    build: ./app', ...extra, ''].join('\n')

const bakeOf = (target: string) =>
  `group "default" { targets = ["${target}"] }\ntarget "${target}" { context = "app" }\n`

/** The one image of the run: compared with its base (never "added") and failed by max-increase. */
function expectFailedByGrowth(run: ActionRun) {
  expect(run.exitCode).toBe(1)
  const images = reportImages(run)
  expect(images).toHaveLength(1)
  expect(images[0]).toMatchObject({
    dockerfile: 'app/Dockerfile',
    verdict: 'fail',
    base: expect.objectContaining({ size: SMALL }),
    head: expect.objectContaining({ size: GROWN }),
    delta: GROWN - SMALL
  })
  expect(images[0]?.status).not.toBe('added')
}

describe('a PR that moves where its image is declared and grows it by 3 MB', () => {
  it('fails when it adds a compose.yaml to a repository checked by its Dockerfiles', async () => {
    const { run } = await check({
      base: app(SMALL),
      pr: { ...app(GROWN), 'compose.yaml': composeOf('web') }
    })
    expect(run.stdout).toContain('Images from compose.yaml')
    expectFailedByGrowth(run)
    expect(reportImages(run)[0]?.name).toBe('web')
  })

  it('fails when it renames the compose service', async () => {
    const { run } = await check({
      base: { ...app(SMALL), 'compose.yaml': composeOf('web') },
      pr: { ...app(GROWN), 'compose.yaml': composeOf('site') }
    })
    expectFailedByGrowth(run)
    expect(reportImages(run)[0]?.name).toBe('site')
  })

  it('fails when it renames the bake target', async () => {
    const { run } = await check({
      base: { ...app(SMALL), 'docker-bake.hcl': bakeOf('web') },
      pr: { ...app(GROWN), 'docker-bake.hcl': bakeOf('site') }
    })
    expectFailedByGrowth(run)
    expect(reportImages(run)[0]?.name).toBe('site')
  })

  it("fails when it replaces the images config by a compose file, judged by the base config's limit", async () => {
    const config = [
      'images:',
      '  - name: web',
      '    dockerfile: app/Dockerfile',
      // Looser than the default, so that the verdict shows whose limit was applied.
      '    max-increase: 500000%',
      '    max-size: 2MB',
      ''
    ].join('\n')
    const { run } = await check({
      base: { ...app(SMALL), '.github/docker-size-check.yml': config },
      pr: { ...app(GROWN), '.github/docker-size-check.yml': null, 'compose.yaml': composeOf('site') }
    })
    expectFailedByGrowth(run)
    expect(reportImages(run)[0]?.reason).toContain('max-size')
  })

  it('fails when the compose file names an env_file that is not committed', async () => {
    // A Dockerfile no default glob matches: only the compose file declares it.
    const declared = (service: string, extra: string[] = []) =>
      ['services:', `  ${service}:`, '    build: {context: app, dockerfile: image.df}', ...extra, ''].join('\n')
    const named = (bytes: number) => ({
      'app/image.df': 'FROM scratch\nCOPY payload.bin /payload.bin\n',
      'app/payload.bin': 'p'.repeat(bytes)
    })
    const { run } = await check({
      base: { ...named(SMALL), 'compose.yaml': declared('web') },
      pr: { ...named(GROWN), 'compose.yaml': declared('web', ['    env_file: web.env']) }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('web.env (an env_file) is not in the repository at the head')
    expect(reportImages(run)).toEqual([
      expect.objectContaining({ dockerfile: 'app/image.df', verdict: 'fail', delta: GROWN - SMALL })
    ])
  })

  it('fails, naming the file, when the compose file does not evaluate at the head', async () => {
    const { run, comments } = await check({
      base: { ...app(SMALL), 'compose.yaml': composeOf('web') },
      pr: { ...app(GROWN), 'compose.yaml': composeOf('web', ['    build: {context: [not, a, path]}']) }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/::error::.*compose\.yaml.*at the head/)
    expect(run.stdout).not.toContain('Images from the Dockerfiles')
    expect(comments[0]?.body ?? '').toContain('compose.yaml')
  })
})

describe('a compose include whose env_file leaves the repository through ${HOME}', () => {
  it('is refused before bake runs, and nothing of the outside file reaches what the action writes', async () => {
    const SECRET = 'outside_secret_value_4711'
    // The run's temporary root, and a file above it where ${HOME}/../../../ leads from the
    // fresh HOME bake would get (<root>/docker-size-check-bake-*/home).
    const top = await makeTempDir('outside')
    const root = join(top, 'a', 'runner-temp')
    await mkdir(root, { recursive: true })
    await writeFile(join(top, 'a', 'outside.env'), `PAYLOAD=${SECRET}\n`)
    const { run, comments } = await check(
      {
        base: { ...app(SMALL), 'compose.yaml': composeOf('web') },
        pr: {
          'compose.yaml': [
            'include:',
            '  - path: sub/compose.yaml',
            '    env_file: ${HOME}/../../../outside.env',
            ''
          ].join('\n'),
          'sub/compose.yaml': [
            'services:',
            '  web:',
            '    build: {context: ../app, args: {PAYLOAD: "${PAYLOAD:-none}"}}',
            ''
          ].join('\n')
        }
      },
      {},
      { RUNNER_TEMP: root }
    )
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('outside the repository')
    expect(run.stdout).toContain('${HOME}/../../../outside.env')
    expect(run.stdout).not.toContain('Build head')
    for (const written of [run.stdout, run.summary, JSON.stringify(run.report), ...comments.map(c => c.body)]) {
      expect(written).not.toContain(SECRET)
    }
  })
})

describe('a compose service that builds a development stage', () => {
  // `dev` has no COPY of the app: a PR that grows the app leaves it as it was. The last
  // stage, the image a plain docker build (and a release) makes, grows by 3 MB.
  const dockerfile = [
    'FROM scratch AS dev',
    'COPY tools.txt /tools.txt',
    'FROM scratch AS runtime',
    'COPY payload.bin /payload.bin',
    ''
  ].join('\n')
  const files = (bytes: number) => ({
    'app/Dockerfile': dockerfile,
    'app/tools.txt': 't'.repeat(500),
    'app/payload.bin': 'p'.repeat(bytes)
  })
  const compose = ['services:', '  web:', '    build: {context: app, target: dev}', ''].join('\n')

  it('measures the last stage too, fails on it, and says which stage each row measured', async () => {
    const { run, comments } = await check({
      base: { ...files(SMALL), 'compose.yaml': compose },
      pr: files(GROWN)
    })
    expect(run.exitCode).toBe(1)
    const images = reportImages(run)
    expect(images.map(image => [image.name, image.target, image.verdict])).toEqual([
      ['web', 'dev', 'pass'],
      ['web (last stage)', 'runtime', 'fail']
    ])
    expect(images[1]).toMatchObject({ delta: GROWN - SMALL })
    expect(images[0]).toMatchObject({ delta: 0 })
    const body = comments[0]?.body ?? ''
    expect(body).toContain('stage `dev`')
    expect(body).toContain('stage `runtime`')
  })
})
