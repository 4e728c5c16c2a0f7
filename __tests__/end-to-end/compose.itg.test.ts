// End to end, with no configuration: the images come from the repository's compose or bake
// file, through the real `docker buildx bake --print`, and are built on the real engine by
// the bundled dist/index.js (and dist/cli/index.js), as the runner and a developer run them.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { ActionRun } from '../support/action-runner.js'
import { runCliBundle } from '../support/cli-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { withoutLinks } from '../support/gfm.js'
import { commentsOn, openPullRequest, PullRequestScenario, runOnPullRequest } from '../support/pull-request.js'
import { commitFiles, git, makeRepo } from '../support/repo.js'
import { nth } from '../support/lists.js'

const standin = useEndToEnd()

async function check(
  scenario: PullRequestScenario,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {}
) {
  standin.reset()
  const pr = await openPullRequest(standin, scenario)
  const { run } = await runOnPullRequest(standin, pr, inputs, env)
  const comments = commentsOn(standin, pr.number)
  return { pr, run, comments }
}

type ReportImage = Record<string, unknown> & { dockerfile: string; name: string }

function reportImages(run: ActionRun): ReportImage[] {
  return (run.report?.images ?? []) as ReportImage[]
}

/**
 * A Dockerfile away from its context, with two stages: `runtime` copies the file that the
 * build arg PAYLOAD names from the repository root, so its size is that file's size; `dev`
 * copies another one, which the image holds only if the target is not passed.
 */
const WEB_DOCKERFILE = [
  'FROM scratch AS dev',
  'COPY dev.bin /dev.bin',
  'FROM scratch AS runtime',
  'ARG PAYLOAD',
  'COPY ${PAYLOAD} /payload.bin',
  ''
].join('\n')

const PAYLOADS = {
  'docker/web.Dockerfile': WEB_DOCKERFILE,
  'dev.bin': 'd'.repeat(99_000),
  'big.bin': 'b'.repeat(10_000)
}

describe('a repository with a compose.yaml and no config', () => {
  const compose = [
    'services:',
    '  web:',
    '    build:',
    '      context: .',
    '      dockerfile: docker/web.Dockerfile',
    '      target: runtime',
    '      args:',
    // From .env, as docker compose reads it.
    '        PAYLOAD: ${PAYLOAD_FILE}',
    '    env_file: config/web.env',
    '  db:',
    '    image: postgres:16',
    ''
  ].join('\n')
  let result: Awaited<ReturnType<typeof check>>

  beforeAll(async () => {
    result = await check(
      {
        base: {
          'compose.yaml': compose,
          '.env': 'PAYLOAD_FILE=big.bin\n',
          'config/web.env': 'MODE=prod\n',
          ...PAYLOADS
        },
        pr: { 'big.bin': 'b'.repeat(12_000) }
      },
      {
        'max-increase': '50%'
      }
    )
  })

  it('builds the service from the root with its Dockerfile, target and args, and gives the right sizes', () => {
    expect(result.run.exitCode).toBe(0)
    expect(result.run.stdout).toContain('Images from compose.yaml (images-from: auto), by docker buildx bake --print')
    expect(reportImages(result.run)).toEqual([
      expect.objectContaining({
        name: 'web',
        dockerfile: 'docker/web.Dockerfile',
        context: '.',
        trigger: 'context',
        checkedBecause: 'build context changed: big.bin',
        base: expect.objectContaining({ size: 10_000 }),
        head: expect.objectContaining({ size: 12_000 }),
        delta: 2_000,
        verdict: 'pass'
      })
    ])
  })

  it('leaves out the service with only image:', () => {
    expect(result.run.stdout).toContain('1 image to check:')
    expect(result.run.stdout).not.toContain('postgres')
    expect(result.run.stdout).not.toMatch(/\bdb\b/)
  })

  it('names the image by its service, with its Dockerfile, in the comment', () => {
    expect(result.comments).toHaveLength(1)
    expect(withoutLinks(nth(result.comments, 0).body)).toContain(
      '| `web`<br><sub>`docker/web.Dockerfile` · stage `runtime` · build context changed: `big.bin`</sub> |'
    )
  })
})

describe('a repository with a docker-bake.hcl and no config', () => {
  // No default group: every target the file declares.
  const bake = (payload: string) =>
    [
      'target "web" {',
      '  context = "."',
      '  dockerfile = "docker/web.Dockerfile"',
      '  target = "runtime"',
      `  args = { PAYLOAD = "${payload}" }`,
      '}',
      ''
    ].join('\n')
  let result: Awaited<ReturnType<typeof check>>

  beforeAll(async () => {
    result = await check(
      {
        base: { 'docker-bake.hcl': bake('big.bin'), ...PAYLOADS, 'bigger.bin': 'B'.repeat(15_000) },
        pr: { 'docker-bake.hcl': bake('bigger.bin') }
      },
      { 'max-increase': '60%' }
    )
  })

  it("builds each side with that side's own definition", () => {
    expect(result.run.exitCode).toBe(0)
    expect(result.run.stdout).toContain('Images from docker-bake.hcl (images-from: auto)')
    expect(reportImages(result.run)).toEqual([
      expect.objectContaining({
        name: 'web',
        dockerfile: 'docker/web.Dockerfile',
        base: expect.objectContaining({ size: 10_000 }),
        head: expect.objectContaining({ size: 15_000 }),
        delta: 5_000,
        verdict: 'pass',
        builtOnce: false
      })
    ])
    expect(reportImages(result.run)[0]?.checkedBecause).toContain('build args changed in docker-bake.hcl')
  })
})

describe('a bake file that reads GITHUB_TOKEN', () => {
  const SECRET = 'ghs_the_runners_secret_token'
  let result: Awaited<ReturnType<typeof check>>
  let tokenInImage: string
  let lengthInImage: string

  beforeAll(async () => {
    result = await check(
      {
        base: { 'README.md': 'app\n' },
        pr: {
          'docker-bake.hcl': [
            'variable "GITHUB_TOKEN" {}',
            'group "default" { targets = ["probe"] }',
            'target "probe" {',
            '  dockerfile = "probe.Dockerfile"',
            '  args = { TOKEN = "${GITHUB_TOKEN}" }',
            '}',
            ''
          ].join('\n'),
          'probe.Dockerfile': [
            'FROM busybox:local',
            'ARG TOKEN',
            `RUN printf '%s' "$TOKEN" > /token && printf '%s' "$TOKEN" | wc -c > /token-length`,
            ''
          ].join('\n')
        }
      },
      { 'keep-images': 'true' },
      { GITHUB_TOKEN: SECRET, ACTIONS_RUNTIME_TOKEN: SECRET }
    )
    const id = (reportImages(result.run)[0]?.head as { id: string } | undefined)?.id ?? 'missing-image'
    const read = (path: string) =>
      execFileSync('docker', ['run', '--rm', '--network', 'none', id, 'cat', path], { encoding: 'utf8' })
    tokenInImage = read('/token')
    lengthInImage = read('/token-length').trim()
    execFileSync('docker', ['image', 'rm', '--force', id], { stdio: 'pipe' })
  })

  it('builds with the variable empty, though the action has a token in its environment', () => {
    expect(result.run.exitCode).toBe(0)
    expect(reportImages(result.run)).toEqual([expect.objectContaining({ name: 'probe', status: 'added' })])
    expect(tokenInImage).toBe('')
    expect(lengthInImage).toBe('0')
    expect(result.run.stdout).not.toContain(SECRET)
  })
})

describe('a compose service with a remote context', () => {
  it('is refused with a message that names it, the value and the fix', async () => {
    const { run, comments } = await check({
      base: { 'compose.yaml': 'services:\n  db:\n    image: postgres:16\n', 'app.txt': 'x\n' },
      pr: {
        'compose.yaml': [
          'services:',
          '  tools:',
          '    build: https://github.com/octo/tools.git#main',
          '  db:',
          '    image: postgres:16',
          ''
        ].join('\n')
      }
    })
    expect(run.exitCode).toBe(1)
    const message =
      "compose.yaml: service 'tools': the build context 'https://github.com/octo/tools.git#main' is not a folder of the repository"
    expect(run.stdout).toContain(`::error::${message}`)
    expect(run.stdout).toContain('set images-from: dockerfiles')
    expect(run.stdout).not.toContain('Build head')
    expect(comments[0]?.body).toContain('is not a folder of the repository')
  })
})

describe('a Dockerfile found by the globs whose context is its parent', () => {
  it('fails with a reason that says the context may be another folder and how to declare it', async () => {
    const { run } = await check({
      base: {
        'go.mod': 'module app\n',
        'app/Dockerfile': 'FROM scratch\nCOPY app/main.txt /main.txt\n',
        'app/main.txt': 'x'
      },
      pr: { 'app/Dockerfile': 'FROM scratch\nCOPY go.mod /go.mod\n' }
    })
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('Images from the Dockerfiles the dockerfiles globs match (images-from: auto).')
    const [image] = reportImages(run)
    expect(image).toMatchObject({ dockerfile: 'app/Dockerfile', verdict: 'error' })
    expect(image?.reason).toContain("go.mod is not in app/, the Dockerfile's folder")
    expect(image?.reason).toContain('images: [{dockerfile: app/Dockerfile, context: .}]')
    expect(image?.reason).toContain('compose.yaml or docker-bake.hcl')
  })
})

describe('the command', () => {
  it('takes the images from compose.yaml, and --images-from dockerfiles takes the globs', async () => {
    const repo = await makeRepo()
    const compose = [
      'services:',
      '  web:',
      '    build: {context: ., dockerfile: docker/web.Dockerfile, target: runtime, args: {PAYLOAD: big.bin}}',
      ''
    ].join('\n')
    await commitFiles(repo, { 'compose.yaml': compose, ...PAYLOADS }, 'base')
    await git(repo, ['checkout', '--quiet', '-b', 'feature'])
    await commitFiles(repo, { 'big.bin': 'b'.repeat(11_000) }, 'the change')

    const fromCompose = await runCliBundle(repo, ['--base', 'main', '--max-increase', '50%'])
    expect(fromCompose.exitCode).toBe(0)
    expect(fromCompose.stderr + fromCompose.stdout).toContain('Images from compose.yaml (images-from: auto)')
    expect(fromCompose.stdout).toMatch(/web \[stage runtime\]\s+10 kB\s+11 kB\s+\+1 kB/)

    const fromGlobs = await runCliBundle(repo, ['--base', 'main', '--images-from', 'dockerfiles'])
    expect(fromGlobs.exitCode).toBe(0)
    expect(fromGlobs.stdout).not.toMatch(/\bweb\b/)

    const bad = await runCliBundle(repo, ['--images-from', 'helm'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain(
      "Invalid --images-from 'helm'. Expected one of: auto, config, compose, bake, dockerfiles."
    )
  })
})
