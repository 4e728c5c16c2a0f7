import { tmpdir } from 'node:os'
import { InputError } from '../shared/errors.js'
import { eventPathOf, readEventPayload } from './event.js'
import { INPUT_DEFAULTS, InputName, Inputs, readSettings } from './table.js'

export type { CheckSettings, Inputs } from './table.js'
export { DEFAULT_RECORDS_DEPTH } from './parse.js'
export type { CommentMode } from './parse.js'

/** What the runner tells the action about where and why it runs. */
export interface RunnerContext {
  workspace: string
  runnerTemp: string
  apiUrl: string
  serverUrl: string
  owner: string
  repo: string
  eventName: string
  runId: string
  /** The commit the workflow ran for (GITHUB_SHA): for a pull_request event, the merge commit, not the PR's head. */
  sha: string
  /** The ref the run is for (GITHUB_REF), such as refs/heads/main. */
  ref: string
  /** The repository's default branch, from the event; '' when the event does not say. */
  defaultBranch: string
  pullRequest: { number: number; baseRef: string; headSha: string } | null
  /** What is wrong with the event file, when something is (see readEventPayload). */
  eventProblem: string | null
}

/**
 * Reads and validates every input, each as its entry in the input table says. The only
 * place in the action that reads them: through `readInput`, which gives an input the runner
 * did not pass its default from the table.
 */
export function getInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  return readSettings(entry =>
    entry.parse(readInput(entry.name, env, entry.untrimmed ? { trim: false } : {}), entry.name)
  )
}

/** The runner's name for an input's variable: upper case, spaces to `_`, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/**
 * One input's value, trimmed. An input whose variable is absent takes the default in code
 * (a runner that passes no defaults); one passed empty stays empty, which means "none" for
 * the limits, as action.yml documents. A value holding `${{ … }}` is an expression nobody
 * evaluated (a local runner passes action.yml's defaults as text): sent on as it is, it
 * would be a token that is no token, or a limit that is no limit. Only the expression is
 * quoted in the message, never the rest of the value, which may be a secret.
 */
function readInput(name: InputName, env: NodeJS.ProcessEnv = process.env, options: { trim?: boolean } = {}): string {
  const raw = env[inputVariable(name)]
  if (raw === undefined) return INPUT_DEFAULTS[name]
  const expression = /\$\{\{[\s\S]*?\}\}/.exec(raw)
  if (expression) {
    throw new InputError(
      `Invalid ${name}: it holds the unresolved expression '${expression[0].slice(0, 80)}', which the runner did not ` +
        `evaluate. Pass the value itself (a local runner does not evaluate expressions: set ${inputVariable(name)} ` +
        'in its environment), or leave the input out to take its default.'
    )
  }
  return options.trim === false ? raw : raw.trim()
}

/** Reads the runner's environment and the event payload (GITHUB_EVENT_PATH). Never throws. */
export function getRunnerContext(env: NodeJS.ProcessEnv = process.env): RunnerContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/')
  const event = readEventPayload(eventPathOf(env))
  return {
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    runnerTemp: env.RUNNER_TEMP || tmpdir(),
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    owner,
    repo,
    eventName: env.GITHUB_EVENT_NAME ?? '',
    runId: env.GITHUB_RUN_ID || String(process.pid),
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    defaultBranch: event.problem ? '' : defaultBranchOf(event.payload),
    pullRequest: event.problem ? null : pullRequestOf(event.payload),
    eventProblem: event.problem
  }
}

function defaultBranchOf(payload: Record<string, unknown> | null): string {
  const branch = (payload as { repository?: { default_branch?: unknown } } | null)?.repository?.default_branch
  return typeof branch === 'string' ? branch : ''
}

interface PullRequestPayload {
  pull_request?: { number?: number; base?: { ref?: unknown }; head?: { sha?: unknown } }
}

function pullRequestOf(payload: Record<string, unknown> | null): RunnerContext['pullRequest'] {
  const pr = (payload as PullRequestPayload | null)?.pull_request
  if (!pr || typeof pr.number !== 'number') return null
  return {
    number: pr.number,
    baseRef: typeof pr.base?.ref === 'string' ? pr.base.ref : '',
    headSha: typeof pr.head?.sha === 'string' ? pr.head.sha : ''
  }
}
