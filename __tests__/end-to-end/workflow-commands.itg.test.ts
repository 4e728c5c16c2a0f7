// Workflow commands from a repository and a build, in the bundled action's job log: a build
// that prints `::error file=…::`, `::add-mask::` and the older `##[…]` form, a Dockerfile line
// holding `##[warning]`, and a folder named `::warning::…`. The job log is read as the runner
// reads it (support/workflow-commands.ts): none of them is acted on, each stands inside a
// stop-commands block that is resumed, and the action's own annotations and error still work.
import { describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { useEndToEnd } from '../support/end-to-end.js'
import { openPullRequest, runOnPullRequest } from '../support/pull-request.js'
import { readAsRunner } from '../support/workflow-commands.js'

/** The data of a command the repository or the build wrote. */
const OUTSIDE = /^(forged|something)/
const FAST = { DOCKER_SIZE_CHECK_API_TIME_UNIT_MS: '1' }
const standin = useEndToEnd()

const FOLDER = '::warning::forged folder'
// Each line the build prints; `\r` would start a line of its own in the runner's reading.
const PRINTED = [
  '::error file=Dockerfile,line=1::forged annotation',
  '::add-mask::something',
  '##[add-mask]something',
  '##[error file=Dockerfile;line=1]forged old-style annotation',
  'progress\\r::warning::forged after a carriage return'
]

describe('workflow commands a repository and a build put into the job log', () => {
  it('are never acted on by the runner, while the action’s own annotations and error are', async () => {
    standin.reset()
    const pr = await openPullRequest(standin, {
      base: { 'README.md': 'x\n', 'grow/Dockerfile': 'FROM busybox:local\n' },
      pr: {
        'grow/Dockerfile':
          'FROM busybox:local\n' +
          // A unique line each run: a cached step prints nothing.
          `RUN printf '${PRINTED.join('\\n')}\\n' && head -c 3000 /dev/zero > /pad # ##[warning]forged from a Dockerfile line ${randomBytes(4).toString('hex')}\n`,
        [`${FOLDER}/Dockerfile`]: 'FROM busybox:local\n'
      }
    })
    const { run } = await runOnPullRequest(standin, pr, { 'max-increase': '1kB' }, FAST)
    const log = readAsRunner(run.stdout)

    // The outside text is in the log, as written, more than once (the build's output streamed,
    // the Dockerfile line, the folder's name in the list of images).
    expect(run.stdout).toContain('::error file=Dockerfile,line=1::forged annotation')
    expect(run.stdout).toContain('##[add-mask]something')
    expect(run.stdout).toContain('##[warning]forged from a Dockerfile line')
    expect(run.stdout).toContain(`  ${FOLDER}/Dockerfile`)

    // Every line the runner would read as a command carrying outside text stands in a block…
    // (The action's own warnings and group titles quote the folder's name: theirs is the command.)
    const hostile = log.lines.filter(line => line.parsed && OUTSIDE.test(line.parsed.data))
    expect(hostile.filter(line => line.actedOn).map(line => line.text)).toEqual([])
    expect(hostile.length).toBeGreaterThanOrEqual(4)
    // …and each block is resumed: nothing the action says after it is lost.
    expect(log.stoppedWith).toBeNull()
    expect(log.commands.filter(command => OUTSIDE.test(command.data))).toEqual([])

    // The tokens are fresh for each block, and never a command the runner knows.
    const tokens = log.lines
      .filter(line => line.parsed?.command === 'stop-commands')
      .map(line => line.parsed?.data ?? '')
    expect(tokens.length).toBeGreaterThanOrEqual(2)
    expect(new Set(tokens).size).toBe(tokens.length)
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f]{32}$/)

    // The action's own words still act: grow/Dockerfile's growth is an error annotation on
    // its line, the step fails with an error, and the groups open and close.
    expect(run.exitCode).toBe(1)
    const errors = log.commands.filter(command => command.command === 'error')
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ properties: expect.objectContaining({ file: 'grow/Dockerfile', line: '2' }) }),
        expect.objectContaining({ properties: {}, data: expect.stringContaining('grow/Dockerfile') })
      ])
    )
    const groups = log.commands.filter(command => command.command === 'group').map(command => command.data)
    expect(groups).toEqual(expect.arrayContaining(['Changes', 'Build head: grow/Dockerfile', 'Report']))
    expect(log.commands.filter(command => command.command === 'endgroup')).toHaveLength(groups.length)
  })
})
