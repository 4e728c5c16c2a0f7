// Escape sequences from a repository and a build, on the bundled command's stdout and
// stderr: a folder name and a Dockerfile line with an OSC 8 link and a clear-screen, and a
// build that prints both. None of them reaches the terminal, with colour or without; with
// colour, the command's own colour codes are the only escape sequences.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { runCliBundle } from '../support/cli-runner.js'
import { cleanupTempDirs, commitFiles, git, makeRepo } from '../support/repo.js'

const LINK = '\u001b]8;;https://evil.example/\u0007click here\u001b]8;;\u0007'
const CLEAR = '\u001b[2J\u001b[H'
const RESET = '\u001bc'
const FOLDER = `app${LINK}${CLEAR}`
// What the shell's printf makes of it in the build's output.
const PRINTED = String.raw`\033]8;;https://evil.example/\007click\033]8;;\007\033[2J\033[H\033c\233999;1H`

let repo: string
beforeAll(async () => {
  execFileSync('docker', ['info'], { stdio: 'pipe' })
  repo = await makeRepo()
  await commitFiles(
    repo,
    {
      [`${FOLDER}/Dockerfile`]: 'FROM busybox:local\n',
      'grow/Dockerfile': 'FROM busybox:local\n',
      'bad/Dockerfile': 'FROM busybox:local\n'
    },
    'base'
  )
  await git(repo, ['checkout', '--quiet', '-b', 'feature'])
  await commitFiles(
    repo,
    {
      // BuildKit cannot build from a folder whose name holds control characters (its session
      // refuses the path): this image is a failed build, its name in the report all the same.
      [`${FOLDER}/Dockerfile`]: 'FROM busybox:local\nRUN true\n',
      'grow/Dockerfile': `FROM busybox:local\nRUN printf '${PRINTED}' && head -c 3000 /dev/zero > /pad # ${LINK}${CLEAR}${RESET}\n`,
      'bad/Dockerfile': `FROM busybox:local\nRUN printf '${PRINTED}\\n' && exit 3 # ${LINK}${CLEAR}\n`
    },
    'hostile'
  )
})
afterAll(async () => {
  await cleanupTempDirs()
})

// eslint-disable-next-line no-control-regex -- escape sequences are what this finds
const ESCAPE = /[\u001b\u009b\u009d][^\u001b]{0,12}/g
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/

// eslint-disable-next-line no-control-regex -- the command's own colour codes
const OWN_COLOUR = /^\u001b\[(1|2|22|31|32|33|36|39)m/

/** Every escape sequence (7-bit or 8-bit, with its introducer) in the text. */
function escapes(text: string): string[] {
  return [...text.matchAll(ESCAPE)].map(match => match[0])
}

describe('escape sequences in a folder name, a Dockerfile line and a build output', () => {
  it('reach neither stdout nor stderr with NO_COLOR, also with --verbose streaming the builds', async () => {
    for (const args of [
      ['--base', 'main'],
      ['--base', 'main', '--verbose']
    ]) {
      const run = await runCliBundle(repo, args, { NO_COLOR: '1' })
      // bad/Dockerfile fails at the head: exit 1, its failing step and log tail shown.
      expect(run.exitCode).toBe(1)
      for (const stream of [run.stdout, run.stderr]) {
        expect(escapes(stream)).toEqual([])
        expect(stream).not.toMatch(CONTROL)
      }
      // The folder reads as its printable part; the line an image grew on is named, inert.
      expect(run.stdout).toContain('appclick here/Dockerfile')
      expect(run.stdout).toMatch(/L2 +\+3(\.\d+)? kB +RUN printf/)
      expect(run.stdout).toContain('The failing step')
      if (args.includes('--verbose')) expect(run.stderr).toContain('click')
    }
  })

  it('with FORCE_COLOR, leave the command its own colour codes as the only escape sequences', async () => {
    const run = await runCliBundle(repo, ['--base', 'main', '--verbose'], { FORCE_COLOR: '1' })
    expect(run.exitCode).toBe(1)
    const seen = escapes(run.stdout + run.stderr)
    expect(seen.length).toBeGreaterThan(0)
    for (const sequence of seen) expect(sequence).toMatch(OWN_COLOUR)
  })
})
