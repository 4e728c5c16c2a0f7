#!/usr/bin/env node
import { abortOnSignals } from '../scheduler/interrupt.js'
import { runCli } from './main.js'

// Ctrl-C or SIGTERM: the builds under way are stopped, the worktrees and images removed,
// and the command leaves with 130 (SIGINT) or 143 (SIGTERM). A second Ctrl-C leaves at once.
const stop = abortOnSignals((signal, first) => {
  if (first) process.stderr.write(`\nInterrupted (${signal}): cleaning up (Ctrl-C again to leave at once)…\n`)
  else if (signal === 'SIGINT') process.exit(130)
})

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: stop.signal
})
