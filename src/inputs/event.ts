import { readFileSync } from 'node:fs'

// Only node:fs here: this module runs before anything else of the action (see event-guard.ts).

/**
 * Where the event file is: GITHUB_EVENT_PATH, or where event-guard.ts moved that name when
 * the file could not be read as JSON.
 */
export function eventPathOf(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[SHIELDED_EVENT_PATH] || env.GITHUB_EVENT_PATH
}

export const SHIELDED_EVENT_PATH = 'DOCKER_SIZE_CHECK_EVENT_PATH'

export interface EventPayload {
  /** The parsed payload: a JSON object; null when there is none or it could not be read. */
  payload: Record<string, unknown> | null
  /** What is wrong with the event file, in words, with its path; null when it is fine or absent. */
  problem: string | null
}

/**
 * Reads the event file the runner wrote. A file that is missing, empty, not JSON or not a
 * JSON object is described, not thrown: the run still writes its report and summary, and
 * says this as its error where it needs the event.
 */
export function readEventPayload(eventPath: string | undefined): EventPayload {
  if (!eventPath) return { payload: null, problem: null }
  const where = `The event payload at ${eventPath} (GITHUB_EVENT_PATH)`
  let text: string
  try {
    text = readFileSync(eventPath, 'utf8')
  } catch (error) {
    return { payload: null, problem: `${where} could not be read: ${messageOf(error)}` }
  }
  if (text.trim() === '') return { payload: null, problem: `${where} is empty` }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { payload: null, problem: `${where} is not valid JSON: ${messageOf(error)}` }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`
    return { payload: null, problem: `${where} holds ${kind}, not a JSON object` }
  }
  const pr = (value as { pull_request?: unknown }).pull_request
  if (
    pr !== undefined &&
    (typeof pr !== 'object' || pr === null || typeof (pr as { number?: unknown }).number !== 'number')
  ) {
    return { payload: null, problem: `${where} has a pull_request without a number` }
  }
  return { payload: value as Record<string, unknown>, problem: null }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
