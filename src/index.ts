import { run } from './main.js'

// The entry has no logic of its own, so tests import run() without side effects.
await run()
