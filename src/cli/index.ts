#!/usr/bin/env node
import { runCli } from './main.js'

// Ctrl-C: the step under way (a build) gets the signal too and stops; the check then stops
// before the next step and removes its worktrees and images. A second Ctrl-C leaves at once.
let interrupted = false
process.on('SIGINT', () => {
  if (interrupted) process.exit(130)
  interrupted = true
  process.stderr.write('\nInterrupted: cleaning up (Ctrl-C again to leave at once)…\n')
})

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  interrupted: () => interrupted
})
