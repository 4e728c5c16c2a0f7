// First, before anything loads @actions/github: an unreadable event file must not stop the
// action before it can report (see event-guard.ts).
import './inputs/event-guard.js'
import { run } from './main.js'

// The entry has no logic of its own, so tests import run() without side effects.
await run()
