import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getInputs, getRunnerContext } from '../../src/inputs/inputs.js'
import { DEFAULT_DOCKERFILE_GLOBS } from '../../src/inputs/globs.js'

// Inputs arrive as the runner passes them: INPUT_<NAME>, upper case, hyphens kept.
const setInput = (name: string, value: string) => {
  process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
}

afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key]
})

describe('getInputs', () => {
  it('applies the documented defaults', () => {
    setInput('max-increase', '10%')
    const inputs = getInputs()
    expect(inputs).toMatchObject({
      dockerfileGlobs: DEFAULT_DOCKERFILE_GLOBS,
      maxSize: null,
      warnIncrease: null,
      headFrom: 'worktree',
      comment: 'changed',
      commentKey: 'default',
      keepImages: false,
      baseRef: '',
      mode: 'check',
      artifactPath: '',
      secrets: [],
      explain: { paths: true, instructions: true }
    })
    expect(inputs.maxIncrease?.limits).toEqual([{ kind: 'percent', percent: 10 }])
  })

  it('reads lists one a line or comma-separated', () => {
    setInput('dockerfiles', 'services/*/Dockerfile\n# legacy images stay out\n!services/old/**, tools/Dockerfile')
    expect(getInputs().dockerfileGlobs).toEqual(['services/*/Dockerfile', '!services/old/**', 'tools/Dockerfile'])
  })

  it.each([
    ['max-increase', '10 percent', "Invalid max-increase '10 percent'. Expected a size such as 25MB"],
    ['max-size', 'huge', "Invalid max-size 'huge'. Expected a size such as 500MB"],
    ['comment', 'sometimes', "Invalid comment 'sometimes'. Expected one of: always, changed, never."],
    ['head-from', 'cache', "Invalid head-from 'cache'. Expected one of: worktree, workspace."],
    ['keep-images', 'yes', "Invalid keep-images 'yes'. Expected true or false."],
    ['comment-key', 'a -->b', "Invalid comment-key 'a -->b'."],
    ['mode', 'fork', "Invalid mode 'fork'. Expected one of: check, measure, comment, merge, record."],
    ['comment-author', '@my-app', "Invalid comment-author '@my-app'. Give the login that posts the comment"],
    ['comment-author', 'a b', "Invalid comment-author 'a b'."],
    ['secrets', 'NPM_TOKEN', "Invalid secrets line 1: it has no '='."],
    ['shard', '5/4', "Invalid shard '5/4'. Expected INDEX/TOTAL"],
    ['parallel', '0', "Invalid parallel '0'. Expected how many builds may run at once"],
    ['explain', 'layers', "Invalid explain 'layers': 'layers' is not one of paths, instructions. Expected"],
    ['images', '- dockerfile: a/Dockerfile\n  max-size: huge', "images: images[0].max-size: Invalid max-size 'huge'"]
  ])('refuses %s %p, naming the input, the value and the fix', (name, value, message) => {
    setInput(name, value)
    expect(() => getInputs()).toThrow(message)
  })
})

it('reads the two-step modes, an app login and build secrets', () => {
  setInput('mode', 'Measure')
  setInput('comment-author', 'size-bot[bot]')
  setInput('secrets', 'npm_token=abc\ngh=def')
  expect(getInputs()).toMatchObject({
    mode: 'measure',
    commentAuthor: 'size-bot[bot]',
    secrets: [
      { id: 'npm_token', value: 'abc' },
      { id: 'gh', value: 'def' }
    ]
  })
})

describe('the monorepo inputs', () => {
  it('default to one run of every affected image, one build at a time', () => {
    expect(getInputs()).toMatchObject({
      images: null,
      configFile: '',
      shard: null,
      mode: 'check',
      reports: 'docker-size-reports',
      parallel: 1
    })
  })

  it('read a shard, a mode, parallel and an images list', () => {
    setInput('shard', '2/4')
    setInput('mode', 'merge')
    setInput('parallel', '3')
    setInput('images', '- api/Dockerfile\n- dockerfile: web/Dockerfile\n  target: prod\n')
    expect(getInputs()).toMatchObject({
      shard: { index: 2, total: 4 },
      mode: 'merge',
      parallel: 3,
      images: [{ dockerfile: 'api/Dockerfile' }, { dockerfile: 'web/Dockerfile', target: 'prod' }]
    })
  })
})

describe('getRunnerContext', () => {
  it('reads the pull request from the event payload', () => {
    const folder = mkdtempSync(join(tmpdir(), 'dsc-event-'))
    const eventPath = join(folder, 'event.json')
    writeFileSync(
      eventPath,
      JSON.stringify({ pull_request: { number: 7, base: { ref: 'main' }, head: { sha: 'abc' } } })
    )
    const context = getRunnerContext({
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'octo/app',
      GITHUB_API_URL: 'http://127.0.0.1:1'
    })
    expect(context).toMatchObject({
      owner: 'octo',
      repo: 'app',
      apiUrl: 'http://127.0.0.1:1',
      pullRequest: { number: 7, baseRef: 'main', headSha: 'abc' }
    })
  })

  it('has no pull request on a push event', () => {
    expect(getRunnerContext({}).pullRequest).toBeNull()
  })
})
