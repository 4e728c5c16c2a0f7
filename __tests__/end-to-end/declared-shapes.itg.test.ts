// Shapes of compose and bake files that real repositories have, each on a repository of its
// own made here: compose files in subfolders (a collection of samples, each service's
// context relative to its file's folder), and named contexts (bake `contexts`: a folder of
// the repository, and another target the image is built on). Run on the bundled action as
// the runner runs it; every PR grows one image by 3 MB, past the default max-increase.
import { describe, expect, it } from '@jest/globals'
import { ActionRun } from '../support/action-runner.js'
import { useEndToEnd } from '../support/end-to-end.js'
import { commentsOn, openPullRequest, PullRequestScenario, runOnPullRequest } from '../support/pull-request.js'

const standin = useEndToEnd()

type ReportImage = Record<string, unknown> & { name?: string; dockerfile: string; status: string; verdict: string }

function reportImages(run: ActionRun): ReportImage[] {
  return (run.report?.images ?? []) as ReportImage[]
}

async function check(scenario: PullRequestScenario) {
  standin.reset()
  const pr = await openPullRequest(standin, scenario)
  const { run } = await runOnPullRequest(standin, pr, {}, {})
  return { run, comments: commentsOn(standin, pr.number) }
}

const GROWTH = 3_000_000

describe('compose files in subfolders, as a collection of samples has them', () => {
  // Two samples, each with a service called `backend` built from `backend` beside its file.
  // The second builds the `builder` stage, which holds its payload; its last stage does not.
  const one = (bytes: number) => ({
    'samples/one/compose.yaml': 'services:\n  backend:\n    build: backend\n  db:\n    image: postgres\n',
    'samples/one/backend/Dockerfile': 'FROM scratch\nCOPY payload.bin /payload.bin\n',
    'samples/one/backend/payload.bin': 'p'.repeat(bytes)
  })
  const two = (bytes: number) => ({
    'samples/two/compose.yaml': 'services:\n  backend:\n    build:\n      context: backend\n      target: builder\n',
    'samples/two/backend/Dockerfile': [
      'FROM scratch AS builder',
      'COPY payload.bin /payload.bin',
      'FROM scratch AS final',
      'COPY small.txt /small.txt',
      ''
    ].join('\n'),
    'samples/two/backend/payload.bin': 'q'.repeat(bytes),
    'samples/two/backend/small.txt': 's'.repeat(100)
  })

  it("checks each folder's services from its own folder, named by folder so the two backends stay two", async () => {
    const { run } = await check({
      base: { ...one(1_000), ...two(2_000), 'README.md': 'samples\n' },
      pr: { ...one(1_000 + GROWTH), ...two(2_100) }
    })
    expect(run.exitCode).toBe(1)
    const images = reportImages(run)
    expect(images.map(image => [image.name, image.dockerfile, image.target ?? null, image.verdict])).toEqual([
      ['samples/one/backend', 'samples/one/backend/Dockerfile', null, 'fail'],
      ['samples/two/backend', 'samples/two/backend/Dockerfile', 'builder', 'pass'],
      ['samples/two/backend (last stage)', 'samples/two/backend/Dockerfile', 'final', 'pass']
    ])
    expect(images[0]).toMatchObject({ delta: GROWTH })
    expect(images[0]?.status).not.toBe('added')
    // The builder stage is the one holding the payload: measured as the file says.
    expect(images[1]).toMatchObject({ delta: 100, head: expect.objectContaining({ size: 2_100 }) })
    expect(images[2]).toMatchObject({ delta: 0, head: expect.objectContaining({ size: 100 }) })
    expect(run.stdout).toContain('Images from samples/one/compose.yaml + samples/two/compose.yaml (images-from: auto)')
  })
})

describe('a bake target with named contexts', () => {
  // `app` is built FROM the target `base` (contexts = { base = "target:base" }) and copies
  // from the folder `assets` (a named context of its own, outside its build context).
  const bake = [
    'group "default" { targets = ["app"] }',
    'target "base" { context = "base" }',
    'target "app" {',
    '  context = "app"',
    '  contexts = { base = "target:base", assets = "assets" }',
    '}',
    ''
  ].join('\n')
  const files = (baseBytes: number, assetBytes: number) => ({
    'docker-bake.hcl': bake,
    'base/Dockerfile': 'FROM scratch\nCOPY base.bin /base.bin\n',
    'base/base.bin': 'b'.repeat(baseBytes),
    'app/Dockerfile': 'FROM base\nCOPY --from=assets asset.bin /asset.bin\nCOPY app.txt /app.txt\n',
    'app/app.txt': 'a'.repeat(100),
    'assets/asset.bin': 'x'.repeat(assetBytes)
  })

  it('passes them as --build-context, and a change in the named folder fails the image', async () => {
    const { run } = await check({ base: files(1_000, 1_000), pr: { 'assets/asset.bin': 'x'.repeat(1_000 + GROWTH) } })
    expect(run.exitCode).toBe(1)
    const byName = new Map(reportImages(run).map(image => [image.name, image]))
    expect(byName.get('app')).toMatchObject({
      verdict: 'fail',
      delta: GROWTH,
      base: expect.objectContaining({ size: 2_100 }),
      head: expect.objectContaining({ size: 2_100 + GROWTH })
    })
    expect(String(byName.get('app')?.checkedBecause)).toContain('assets/asset.bin')
    // The target it is built on is built too (first, on each side), and did not change.
    expect(byName.get('base')).toMatchObject({ delta: 0, head: expect.objectContaining({ size: 1_000 }) })
  })

  it('checks the image built on a target that grows, each side on its own fresh base', async () => {
    const { run } = await check({ base: files(1_000, 1_000), pr: { 'base/base.bin': 'b'.repeat(1_000 + GROWTH) } })
    expect(run.exitCode).toBe(1)
    const byName = new Map(reportImages(run).map(image => [image.name, image]))
    expect(byName.get('base')).toMatchObject({ delta: GROWTH, verdict: 'fail' })
    expect(byName.get('app')).toMatchObject({
      delta: GROWTH,
      verdict: 'fail',
      base: expect.objectContaining({ size: 2_100 }),
      head: expect.objectContaining({ size: 2_100 + GROWTH })
    })
    expect(String(byName.get('app')?.checkedBecause)).toContain('built on image base')
  })
})

describe('compose services that share one build, on the image of another service', () => {
  // `web` and `worker` build the same thing (one `build:` twice, as a microservices demo
  // has 19 times); both start FROM the image `base` is tagged with (`image:`), through a
  // BASE_IMAGE build arg. That image is in no registry: the service `base` builds it.
  const compose = [
    'services:',
    '  base:',
    '    image: issue-21/shared-base:latest',
    '    build: base',
    '  web:',
    '    build: &app',
    '      context: app',
    '      args:',
    '        BASE_IMAGE: issue-21/shared-base:latest',
    '  worker:',
    '    build: *app',
    ''
  ].join('\n')
  const files = (baseBytes: number, appBytes: number) => ({
    'compose.yaml': compose,
    'base/Dockerfile': 'FROM scratch\nCOPY base.bin /base.bin\n',
    'base/base.bin': 'b'.repeat(baseBytes),
    'app/Dockerfile': 'ARG BASE_IMAGE=scratch\nFROM ${BASE_IMAGE}\nCOPY app.bin /app.bin\n',
    'app/app.bin': 'a'.repeat(appBytes)
  })

  it('builds the shared build once a side, listed once under both names, on the fresh base image', async () => {
    const { run, comments } = await check({
      base: files(1_000, 1_000),
      pr: { 'app/app.bin': 'a'.repeat(1_000 + GROWTH) }
    })
    expect(run.exitCode).toBe(1)
    const images = reportImages(run)
    expect(images.map(image => [image.name, image.verdict])).toEqual([
      ['base', 'pass'],
      ['web, worker', 'fail']
    ])
    expect(images[1]).toMatchObject({
      delta: GROWTH,
      base: expect.objectContaining({ size: 2_000 }),
      head: expect.objectContaining({ size: 2_000 + GROWTH })
    })
    expect(images[0]).toMatchObject({ delta: 0 })
    // One row, one delta: +3 MB, not +6 MB.
    expect(comments[0]?.body ?? '').toContain('web, worker')
  })

  it('checks the services built on the base when only the base grows, each side on its own build of it', async () => {
    const { run } = await check({ base: files(1_000, 1_000), pr: { 'base/base.bin': 'b'.repeat(1_000 + GROWTH) } })
    expect(run.exitCode).toBe(1)
    const byName = new Map(reportImages(run).map(image => [image.name, image]))
    expect(byName.get('base')).toMatchObject({ delta: GROWTH, verdict: 'fail' })
    expect(byName.get('web, worker')).toMatchObject({
      delta: GROWTH,
      verdict: 'fail',
      base: expect.objectContaining({ size: 2_000 }),
      head: expect.objectContaining({ size: 2_000 + GROWTH })
    })
    expect(String(byName.get('web, worker')?.checkedBecause)).toContain('built on image base')
  })
})
