// git as the benchmarks run it on the fixtures they make: the developer's global and system
// config stay out (a global commit.gpgsign or hook would change what is measured), and the
// commits get an identity of their own.
import { execFile } from 'node:child_process'

export const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.test',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.test'
}

/** Runs git in `cwd` (with `input` on its stdin, if given) and resolves to its stdout, trimmed. */
export function git(cwd, args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile('git', args, { cwd, env: GIT_ENV, maxBuffer: 64 << 20 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim())
    )
    if (input !== undefined) child.stdin.end(input)
  })
}
