// What an attacker's repository or build can put into what the action writes, end to end
// through dist/index.js with the real engine: build secrets a failing build prints must be
// in none of the comment, the job summary, the JSON report and the measure artifact; names,
// changed files and build output must be inert where GitHub renders them (cmark-gfm).
import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { useEndToEnd } from '../support/end-to-end.js'
import { liveParts, renderGfm } from '../support/gfm.js'
import { openPullRequest, PullRequestScenario, runOnPullRequest, TEST_TOKEN } from '../support/pull-request.js'
import { nth } from '../support/lists.js'
import { makeTempDir } from '../support/repo.js'

const FAST = { DOCKER_SIZE_CHECK_API_TIME_UNIT_MS: '1' }
const standin = useEndToEnd()
const GITHUB = 'https://github.com/'

async function check(scenario: PullRequestScenario, inputs: Record<string, string> = {}) {
  standin.reset()
  const pr = await openPullRequest(standin, scenario)
  return { pr, ...(await runOnPullRequest(standin, pr, inputs, FAST)) }
}

describe('build secrets a failing build prints', () => {
  const hex = (bytes: number) => randomBytes(bytes).toString('hex')
  // The trailing space is part of the value; the token is the input's last line, where a
  // trimmed input would lose it.
  const token = `tok-${hex(8)} `
  const keyLines = ['-----BEGIN TEST KEY-----', `MIIB${hex(20)}`, `  ${hex(16)}+/=`, '-----END TEST KEY-----']
  const key = keyLines.join('\n')
  const secrets = `key<<EOT\n${key}\nEOT\ntok=${token}`
  const scenario = (): PullRequestScenario => ({
    base: { 'README.md': 'x\n' },
    // A unique line each run: a failed step is not cached, but the base image's steps are.
    pr: {
      'tok/Dockerfile': `FROM busybox:local\nRUN --mount=type=secret,id=tok echo "token is $(cat /run/secrets/tok)" && echo "it has $(wc -c < /run/secrets/tok) bytes" && exit 1 # ${hex(4)}\n`,
      'key/Dockerfile': `FROM busybox:local\nRUN --mount=type=secret,id=key sed 's/^/key line: /' /run/secrets/key && exit 1 # ${hex(4)}\n`
    }
  })
  const secretParts = [token, token.trim(), key, ...keyLines.map(line => line.trim())]
  const leaked = (text: string) => secretParts.filter(part => text.includes(part))

  it('are in none of the comment, the job summary and the JSON report; each value is kept byte for byte', async () => {
    const { run, comments } = await check(scenario(), { secrets })
    expect(run.exitCode).toBe(1)
    const report = JSON.stringify(run.report)
    expect(comments).toHaveLength(1)
    expect(leaked(nth(comments, 0).body)).toEqual([])
    expect(leaked(run.summary)).toEqual([])
    expect(leaked(report)).toEqual([])
    const tails = (run.report?.images as Array<{ dockerfile: string; logTail?: string }>).map(i => i.logTail ?? '')
    expect(tails.join('\n')).toContain('token is ***')
    // The value reached the build whole, its trailing space too.
    expect(tails.join('\n')).toContain(`it has ${token.length} bytes`)
    expect(tails.join('\n')).toMatch(/key line: \*\*\*\n.*key line: \*\*\*\n.*key line: \*\*\*\n.*key line: \*\*\*/)
    // The comment shows the redacted tail, not an empty one.
    expect(nth(comments, 0).body).toContain('token is ***')
    // The runner masks each line of a multi-line value in the job log once it is named.
    const masked = run.stdout.split('\n').filter(line => line.startsWith('::add-mask::'))
    expect(masked).toEqual(expect.arrayContaining([`::add-mask::${token}`, ...keyLines.map(l => `::add-mask::${l}`)]))
  })

  it("are in none of the measure artifact's failedBuilds", async () => {
    const artifactDir = await makeTempDir('secret-artifact')
    const { run } = await check(scenario(), { secrets, mode: 'measure', 'artifact-path': artifactDir })
    expect(run.exitCode).toBe(1)
    const text = await readFile(join(artifactDir, 'docker-size-check.json'), 'utf8')
    expect(leaked(text)).toEqual([])
    const artifact = JSON.parse(text) as { images: Array<{ failedBuilds: Array<{ logTail: string }> }> }
    const tails = artifact.images.flatMap(image => image.failedBuilds.map(build => build.logTail)).join('\n')
    expect(tails).toContain('token is ***')
    expect(tails).toContain('key line: ***')
    expect(leaked(run.summary)).toEqual([])
  })

  it('and the token are in none of them when an error quotes them', async () => {
    // A base-ref no git knows: its error names the ref, here the token itself.
    const { run, comments } = await check(scenario(), { secrets, 'base-ref': `${TEST_TOKEN}-${token}` })
    expect(run.exitCode).toBe(1)
    expect(run.report).toMatchObject({ error: expect.stringContaining('***') })
    for (const text of [comments[0]?.body ?? '', run.summary, JSON.stringify(run.report)]) {
      expect(text).not.toContain(TEST_TOKEN)
      expect(leaked(text)).toEqual([])
    }
  })
})

describe('names, changed files and build output from the repository', () => {
  const LINK = '[Click to approve](https:evil.example)'
  const CHANGED = 'ctx/ @octocat [Docs](https:evil.example) #1.txt'
  const NAME = '**[Approve](https:evil.example)** @octocat #1 GH-1'
  const config = [
    'images:',
    `  - name: ${JSON.stringify(NAME)}`,
    '    dockerfile: ctx/Dockerfile',
    `  - dockerfile: ${JSON.stringify(`${LINK}/Dockerfile`)}`,
    '  - dockerfile: fail/Dockerfile',
    ''
  ].join('\n')
  const grown = (bytes: number) =>
    `FROM busybox:local AS gh-1\nRUN head -c ${bytes} /dev/zero > /x # GH-1 @octocat [here](https:evil.example) #1 www.evil.example\n`

  it('are inert in the comment, the job summary and the annotations', async () => {
    const { run, comments } = await check(
      {
        base: {
          '.github/docker-size-check.yml': config,
          'ctx/Dockerfile': 'FROM scratch\nCOPY . /app/\n',
          'ctx/a.txt': 'a',
          [`${LINK}/Dockerfile`]: grown(1_000),
          'fail/Dockerfile': 'FROM busybox:local\n'
        },
        pr: {
          [CHANGED]: 'x'.repeat(5_000),
          [`${LINK}/Dockerfile`]: grown(100_000),
          'fail/Dockerfile': `FROM busybox:local\nRUN echo "@octocat [here](https:evil.example) #1 GH-1 <img src=x>" && exit 1 # @octocat [here](https:evil.example) #1 ${randomBytes(4).toString('hex')}\n`
        }
      },
      { 'max-increase': '1%' }
    )
    expect(run.exitCode).toBe(1)
    // Each hostile string reached the comment: in the table, the reason and the instructions.
    const body = nth(comments, 0).body
    expect(body).toContain(`\`${LINK}/Dockerfile\``)
    expect(body).toContain(NAME)
    expect(body).toContain(CHANGED)
    expect(body).toContain('RUN head -c 100000 /dev/zero > /x # GH-1 @octocat')
    expect(body).toMatch(/<pre>[\s\S]*@octocat \[here\]\(https:evil\.example\) #1 GH-1 &lt;img src=x&gt;/)
    expect(liveParts(renderGfm(body), [GITHUB])).toEqual([])
    expect(liveParts(renderGfm(run.summary), [GITHUB])).toEqual([])
    const annotations = run.stdout.split('\n').filter(line => /^::(error|warning) /.test(line))
    expect(annotations.join('\n')).toContain('GH-1 @octocat')
  })

  it('lose their bidi controls in the annotations and the comment', async () => {
    const folder = 'bidi/\u202eelifrekcoD\u202c \u200f\u061c'
    const { run, comments } = await check({
      base: { 'README.md': 'x\n' },
      pr: { [`${folder}/Dockerfile`]: 'FROM busybox:local\nRUN echo "\u2066@octocat\u2069" && exit 1\n' }
    })
    expect(run.exitCode).toBe(1)
    // The report's writer keeps to what its reader accepts (one schema): no bidi controls there either.
    expect(run.report).toMatchObject({ images: [{ dockerfile: 'bidi/elifrekcoD /Dockerfile', verdict: 'error' }] })
    const annotations = run.stdout.split('\n').filter(line => /^::(error|warning)/.test(line))
    expect(annotations.length).toBeGreaterThan(0)
    expect(annotations.join('\n')).toContain('bidi/elifrekcoD')
    expect(annotations.join('\n')).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/)
    expect(nth(comments, 0).body).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/)
    expect(liveParts(renderGfm(nth(comments, 0).body), [GITHUB])).toEqual([])
  })
})
