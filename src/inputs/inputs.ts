import { tmpdir } from 'node:os'
import { InputError, errorMessage } from '../shared/errors.js'
import { COMMENT_KEY_PATTERN } from '../publish/sticky-comment.js'
import { DEFAULT_DOCKERFILE_GLOBS } from './globs.js'
import { IMAGES_FROM, ImagesFrom } from './images-from.js'
import { INPUT_DEFAULTS, InputName } from './defaults.js'
import { eventPathOf, readEventPayload } from './event.js'
import { BuildSecret, parseSecrets } from './secrets.js'
import { ImageConfigError, ImageSpec, parseImagesInput } from './images-config.js'
import { parseDuration } from './duration.js'
import { parseShard, Shard } from './shard.js'
import { assertRecordsRef, DEFAULT_RECORDS_REF } from '../records/store.js'
import { parseCacheInput } from '../build/layer-cache.js'
import { ExplainSettings, parseExplain } from './explain.js'
import { GrowthThreshold, parseGrowthThreshold, parseSizeBudget, ThresholdError } from './thresholds.js'

/** What to check and how strictly: shared by the action and the local command. */
export interface CheckSettings {
  dockerfileGlobs: string[]
  maxIncrease: GrowthThreshold | null
  warnIncrease: GrowthThreshold | null
  maxSize: number | null
  /** Branch, tag or commit to compare against; '' means the PR's base branch. */
  baseRef: string
  /** Build the head from a clean worktree of its commit, or from the workspace as it stands. */
  headFrom: 'worktree' | 'workspace'
  keepImages: boolean
  /** Also measure each image gzip-compressed, as a registry stores it (absent: no). */
  compressedSize?: boolean
  /** Build secrets, passed with `--secret` (BuildKit only). */
  secrets?: BuildSecret[]
  /** The images from the `images` input; null: the config file if there is one, else every Dockerfile the globs match. */
  images?: ImageSpec[] | null
  /** The config file's path from the repository root; '' means the default, when it exists. */
  configFile?: string
  /** Where the images come from (absent: auto, the config, else a bake file, else a compose file, else the globs). */
  imagesFrom?: ImagesFrom
  /** Check only this slice of the affected images. */
  shard?: Shard | null
  /** How many builds may run at once. */
  parallel?: number
  /** Where the base's figures come from: a baseline record when one matches (auto), only a record, or a build. */
  baseline?: BaselineMode
  /** The ref that holds the baseline records. */
  recordsRef?: string
  /** How far back the base branch's first-parent history is searched for a record. */
  recordsDepth?: number
  /** buildx caches to read layers from (`--cache-from`), one spec each. */
  cacheFrom?: string[]
  /** buildx caches to write the head's layers to (`--cache-to`), one spec each. */
  cacheTo?: string[]
  /**
   * Whose config file sets the limits a PR is judged by: the base commit's (default: a PR
   * cannot loosen its own check) or the head's.
   */
  limitsFrom?: 'base' | 'head'
  /** What an image is when its base cannot be built: `fail` (an error, the default) or `warn`. */
  missingBaseline?: 'fail' | 'warn'
  /** How long one build may take before it is stopped (absent: the default, 30 minutes). */
  buildTimeoutMs?: number
  /** What the comment explains beyond the sizes (absent: both the paths and the instructions). */
  explain?: ExplainSettings
}

export const BASELINE_MODES = ['auto', 'record', 'build'] as const
export type BaselineMode = (typeof BASELINE_MODES)[number]
export const DEFAULT_RECORDS_DEPTH = 50

export type CommentMode = 'always' | 'changed' | 'never'

/**
 * What a run does. `check` builds, measures and comments; `measure` builds and measures and
 * leaves the comment to a later `comment` run (the fork-safe two-step workflow in the README);
 * `merge` publishes the reports of several shards as one; `record` measures the default
 * branch's images and stores them as baseline records for later PR runs. A new mode is one more entry here
 * and a branch in main.ts.
 */
export const RUN_MODES = ['check', 'measure', 'comment', 'merge', 'record'] as const
export type RunMode = (typeof RUN_MODES)[number]

export interface Inputs extends CheckSettings {
  githubToken: string
  comment: CommentMode
  commentKey: string
  /** Login whose comment is the sticky one; '' means the token's own identity. */
  commentAuthor: string
  mode: RunMode
  /** Folder the `measure` mode writes its artifact to and the `comment` mode reads it from; '' means the default. */
  artifactPath: string
  /** For `mode: merge`: a folder or a glob of the shards' JSON reports, from the workspace. */
  reports: string
  /** For `mode: record`: the PEM text of the Ed25519 key that signs the records; '' when not given. A secret. */
  recordsKey: string
}

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

export { InputError }

/**
 * Reads and validates every input. The only place in the action that reads them: through
 * `readInput`, which gives an input the runner did not pass its default from INPUT_DEFAULTS.
 */
export function getInputs(env: NodeJS.ProcessEnv = process.env): Inputs {
  const input = (name: InputName) => readInput(name, env)
  return wrapThresholdErrors(() => ({
    githubToken: input('github-token'),
    dockerfileGlobs: parseDockerfileGlobs(input('dockerfiles')),
    maxIncrease: parseGrowthThreshold('max-increase', input('max-increase')),
    warnIncrease: parseGrowthThreshold('warn-increase', input('warn-increase')),
    compressedSize: parseBoolean('compressed-size', input('compressed-size'), false),
    maxSize: parseSizeBudget('max-size', input('max-size')),
    limitsFrom: parseChoice('limits-from', input('limits-from'), ['base', 'head'] as const, 'base'),
    missingBaseline: parseChoice('missing-baseline', input('missing-baseline'), ['fail', 'warn'] as const, 'fail'),
    baseRef: input('base-ref'),
    headFrom: parseChoice('head-from', input('head-from'), ['worktree', 'workspace'] as const, 'worktree'),
    keepImages: parseBoolean('keep-images', input('keep-images'), false),
    comment: parseChoice('comment', input('comment'), ['always', 'changed', 'never'] as const, 'changed'),
    commentKey: parseCommentKey(input('comment-key')),
    commentAuthor: parseCommentAuthor(input('comment-author')),
    mode: parseChoice('mode', input('mode'), RUN_MODES, 'check'),
    artifactPath: input('artifact-path'),
    // Untrimmed: a value's trailing space or line break is part of it.
    secrets: parseSecrets(readInput('secrets', env, { trim: false })),
    images: parseImagesInput(input('images')),
    configFile: input('config'),
    imagesFrom: parseChoice('images-from', input('images-from'), IMAGES_FROM, 'auto'),
    shard: parseShard(input('shard')),
    reports: input('reports') || DEFAULT_REPORTS,
    parallel: parseParallel(input('parallel')),
    baseline: parseChoice('baseline', input('baseline'), BASELINE_MODES, 'auto'),
    recordsRef: parseRecordsRef(input('records-ref')),
    recordsDepth: parseRecordsDepth(input('records-depth')),
    recordsKey: input('records-key'),
    cacheFrom: parseCacheInput('cache-from', input('cache-from')),
    cacheTo: parseCacheInput('cache-to', input('cache-to')),
    buildTimeoutMs: parseDuration('build-timeout', input('build-timeout')),
    explain: parseExplain(input('explain'))
  }))
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
export function readInput(
  name: InputName,
  env: NodeJS.ProcessEnv = process.env,
  options: { trim?: boolean } = {}
): string {
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

/** The `dockerfiles` input; empty means the usual names at any depth. */
export function parseDockerfileGlobs(value: string): string[] {
  const globs = parseList(value)
  for (const glob of globs) {
    const problem = unbalancedGlob(glob)
    if (problem) {
      throw new InputError(
        `Invalid dockerfiles '${value}': the glob '${glob}' has ${problem}. Expected globs one a line or separated by ` +
          'commas, such as services/*/Dockerfile (a YAML list in [ ] is not read as one; write one glob a line).'
      )
    }
  }
  return globs.length ? globs : DEFAULT_DOCKERFILE_GLOBS
}

/** Brackets and braces a glob opens and never closes (or closes unopened); such a glob matches nothing. */
function unbalancedGlob(glob: string): string | null {
  const closing = { '[': ']', '{': '}' } as const
  const open: string[] = []
  for (let i = 0; i < glob.length; i++) {
    const char = glob.charAt(i)
    if (char === '\\') {
      i++
      continue
    }
    if (char === '[' || char === '{') open.push(closing[char])
    else if (char === ']' || char === '}') {
      if (open.pop() !== char) return `a '${char}' that closes nothing`
    }
  }
  return open.length ? `an unclosed '${open[open.length - 1] === ']' ? '[' : '{'}'` : null
}

function wrapThresholdErrors<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof ThresholdError || error instanceof ImageConfigError) throw new InputError(error.message)
    throw error
  }
}

/** Where `actions/download-artifact` puts the shards' reports in the README's workflow. */
export const DEFAULT_REPORTS = 'docker-size-reports'

const MAX_PARALLEL = 32

export function parseParallel(value: string): number {
  const text = value.trim()
  if (text === '') return 1
  const count = Number(text)
  if (!/^\d+$/.test(text) || count < 1 || count > MAX_PARALLEL) {
    throw new InputError(
      `Invalid parallel '${text}'. Expected how many builds may run at once, a whole number from 1 to ${MAX_PARALLEL} ` +
        '(about the number of cores: 2 on a standard hosted runner).'
    )
  }
  return count
}

export function parseRecordsRef(value: string): string {
  const text = value.trim()
  if (text === '') return DEFAULT_RECORDS_REF
  try {
    assertRecordsRef(text)
  } catch (error) {
    throw new InputError(errorMessage(error))
  }
  return text
}

const MAX_RECORDS_DEPTH = 1000

export function parseRecordsDepth(value: string): number {
  const text = value.trim()
  if (text === '') return DEFAULT_RECORDS_DEPTH
  const depth = Number(text)
  if (!/^\d+$/.test(text) || depth < 1 || depth > MAX_RECORDS_DEPTH) {
    throw new InputError(
      `Invalid records-depth '${text}'. Expected how many commits of the base branch to search for a record, ` +
        `a whole number from 1 to ${MAX_RECORDS_DEPTH}, such as ${DEFAULT_RECORDS_DEPTH}.`
    )
  }
  return depth
}

/** Splits a list input written one item a line or separated by commas; `#` starts a comment line. */
export function parseList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map(item => item.trim())
    .filter(item => item !== '' && !item.startsWith('#'))
}

export function parseChoice<T extends string>(input: string, value: string, choices: readonly T[], fallback: T): T {
  const text = value.trim()
  if (text === '') return fallback
  const match = choices.find(choice => choice === text.toLowerCase())
  if (match) return match
  throw new InputError(`Invalid ${input} '${text}'. Expected one of: ${choices.join(', ')}.`)
}

export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  const text = value.trim().toLowerCase()
  if (text === '') return fallback
  if (text === 'true') return true
  if (text === 'false') return false
  throw new InputError(`Invalid ${input} '${value.trim()}'. Expected true or false.`)
}

export function parseCommentKey(value: string): string {
  const text = value.trim()
  if (text === '') return 'default'
  // The key is written into an HTML comment; `--` or `>` would close it early.
  if (!COMMENT_KEY_PATTERN.test(text)) {
    throw new InputError(
      `Invalid comment-key '${text}'. Use up to 64 letters, digits, dots, underscores or hyphens, such as 'api-images'.`
    )
  }
  return text
}

export function parseCommentAuthor(value: string): string {
  const text = value.trim()
  // GitHub logins: letters, digits and single hyphens, up to 39; an app's bot adds `[bot]`.
  if (text !== '' && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/.test(text)) {
    throw new InputError(
      `Invalid comment-author '${text}'. Give the login that posts the comment, such as 'my-app[bot]', or leave it empty.`
    )
  }
  return text
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
