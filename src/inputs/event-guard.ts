import { readEventPayload, SHIELDED_EVENT_PATH } from './event.js'

/**
 * `@actions/github` parses GITHUB_EVENT_PATH when it is imported, and an empty or broken
 * file makes that import throw: the action would stop before it could write a report. This
 * module is imported first (see index.ts), so it runs before `@actions/github` is loaded: a
 * file that cannot be read as JSON is hidden from it under another name, from which
 * getRunnerContext reads it again and says what is wrong with it.
 */
const path = process.env.GITHUB_EVENT_PATH
if (path && readEventPayload(path).problem) {
  process.env[SHIELDED_EVENT_PATH] = path
  delete process.env.GITHUB_EVENT_PATH
}
