import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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

  it('reads build-timeout as a duration, 30 minutes when empty (a runner that passes no defaults)', () => {
    expect(getInputs().buildTimeoutMs).toBe(30 * 60_000)
    for (const [value, ms] of [
      ['90s', 90_000],
      ['1h', 3_600_000],
      ['1h30m', 5_400_000],
      [' 5s ', 5_000]
    ] as const) {
      setInput('build-timeout', value)
      expect(getInputs().buildTimeoutMs).toBe(ms)
    }
  })

  it('reads lists one a line or comma-separated', () => {
    setInput('dockerfiles', 'services/*/Dockerfile\n# legacy images stay out\n!services/old/**, tools/Dockerfile')
    expect(getInputs().dockerfileGlobs).toEqual(['services/*/Dockerfile', '!services/old/**', 'tools/Dockerfile'])
  })

  it.each([
    ['max-increase', '10 percent', "Invalid max-increase '10 percent'. Expected a size such as 25MB"],
    ['max-size', 'huge', "Invalid max-size 'huge'. Expected a size such as 500MB"],
    ['comment', 'sometimes', "Invalid comment 'sometimes'. Expected one of: always, changed, never."],
    ['head-from', 'cache', "Invalid head-from 'cache'. Expected one of: worktree, workspace, working-tree."],
    ['keep-images', 'yes', "Invalid keep-images 'yes'. Expected true or false."],
    ['comment-key', 'a -->b', "Invalid comment-key 'a -->b'."],
    ['mode', 'fork', "Invalid mode 'fork'. Expected one of: check, measure, comment, merge, record."],
    ['comment-author', '@my-app', "Invalid comment-author '@my-app'. Give the login that posts the comment"],
    ['comment-author', 'a b', "Invalid comment-author 'a b'."],
    ['secrets', 'NPM_TOKEN', "Invalid secrets line 1: it has no '='."],
    ['shard', '5/4', "Invalid shard '5/4'. Expected INDEX/TOTAL"],
    ['parallel', '0', "Invalid parallel '0'. Expected how many builds may run at once"],
    ['images', '- dockerfile: a/Dockerfile\n  max-size: huge', "images: images[0].max-size: Invalid max-size 'huge'"],
    [
      'max-increase',
      '1,000,000',
      "Invalid max-increase '1,000,000': the commas split it into 3 limits (1 B, 0 B, 0 B)"
    ],
    ['max-increase', '5MB, 10MB', "Invalid max-increase '5MB, 10MB': the commas split it into 2 limits"],
    ['dockerfiles', '[', "Invalid dockerfiles '[': the glob '[' has an unclosed '['"],
    ['dockerfiles', '[a/Dockerfile, b/Dockerfile]', "the glob '[a/Dockerfile' has an unclosed '['"],
    ['images', '- dockerfile: a\n  build-args: [\n', 'images: not valid YAML at line 2, column 16'],
    [
      'github-token',
      '${{ github.token }}',
      "Invalid github-token: it holds the unresolved expression '${{ github.token }}'"
    ],
    ['max-size', '${{ vars.BUDGET }}', "Invalid max-size: it holds the unresolved expression '${{ vars.BUDGET }}'"],
    ['limits-from', 'pr', "Invalid limits-from 'pr'. Expected one of: base, head."],
    ['missing-baseline', 'ignore', "Invalid missing-baseline 'ignore'. Expected one of: fail, warn."],
    ['build-timeout', '30', "Invalid build-timeout '30'. Expected a duration of whole hours, minutes or seconds"],
    ['build-timeout', '30 minutes', "Invalid build-timeout '30 minutes'. Expected a duration"],
    ['build-timeout', '0s', 'such as 30m, 90s, 1h or 1h30m (default 30m)'],
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
    rmSync(folder, { recursive: true, force: true })
  })

  it('has no pull request on a push event', () => {
    expect(getRunnerContext({}).pullRequest).toBeNull()
  })
})

describe("a run without action.yml's defaults", () => {
  it('takes every default from the code: no INPUT_* at all still means max-increase 10%', () => {
    const inputs = getInputs({})
    expect(inputs.maxIncrease?.limits).toEqual([{ kind: 'percent', percent: 10 }])
    expect(inputs).toMatchObject({
      limitsFrom: 'base',
      missingBaseline: 'fail',
      parallel: 1,
      reports: 'docker-size-reports'
    })
  })

  it('keeps an input passed empty empty: max-increase "" is no limit, as documented', () => {
    expect(getInputs({ 'INPUT_MAX-INCREASE': '' }).maxIncrease).toBeNull()
  })

  it('never quotes more of a value than its unresolved expression (it may be a secret)', () => {
    expect(() => getInputs({ INPUT_SECRETS: 'NPM_TOKEN=hunter2 ${{ secrets.X }}' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') })
    )
  })
})

describe('a malformed or empty event file', () => {
  const folders: string[] = []
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true })
  })
  const eventFile = (text: string) => {
    const folder = mkdtempSync(join(tmpdir(), 'dsc-event-'))
    folders.push(folder)
    const path = join(folder, 'event.json')
    writeFileSync(path, text)
    return path
  }

  it.each([
    ['', 'is empty'],
    ['{"pull_request": ', 'is not valid JSON'],
    ['null', 'holds null, not a JSON object'],
    ['[1]', 'holds a list, not a JSON object'],
    ['{"pull_request": {"number": "7"}}', 'has a pull_request without a number']
  ])('%p is described, never thrown', (text, problem) => {
    const context = getRunnerContext({ GITHUB_EVENT_PATH: eventFile(text) })
    expect(context.pullRequest).toBeNull()
    expect(context.eventProblem).toContain(problem)
  })
})
