import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { InputError, errorMessage } from '../shared/errors.js'
import { COMMENT_KEY_PATTERN } from '../publish/sticky-comment.js'
import { DEFAULT_DOCKERFILE_GLOBS } from './globs.js'
import { IMAGES_FROM, ImagesFrom } from './images-from.js'
import { BuildSecret, parseSecrets } from './secrets.js'
import { ImageConfigError, ImageSpec, parseImagesInput } from './images-config.js'
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
}

export { InputError }

/** Reads and validates every input. The only place in the action that calls core.getInput. */
export function getInputs(): Inputs {
  return wrapThresholdErrors(() => ({
    githubToken: core.getInput('github-token'),
    dockerfileGlobs: parseList(core.getInput('dockerfiles')).length
      ? parseList(core.getInput('dockerfiles'))
      : DEFAULT_DOCKERFILE_GLOBS,
    maxIncrease: parseGrowthThreshold('max-increase', core.getInput('max-increase')),
    warnIncrease: parseGrowthThreshold('warn-increase', core.getInput('warn-increase')),
    compressedSize: parseBoolean('compressed-size', core.getInput('compressed-size'), false),
    maxSize: parseSizeBudget('max-size', core.getInput('max-size')),
    baseRef: core.getInput('base-ref').trim(),
    headFrom: parseChoice('head-from', core.getInput('head-from'), ['worktree', 'workspace'] as const, 'worktree'),
    keepImages: parseBoolean('keep-images', core.getInput('keep-images'), false),
    comment: parseChoice('comment', core.getInput('comment'), ['always', 'changed', 'never'] as const, 'changed'),
    commentKey: parseCommentKey(core.getInput('comment-key')),
    commentAuthor: parseCommentAuthor(core.getInput('comment-author')),
    mode: parseChoice('mode', core.getInput('mode'), RUN_MODES, 'check'),
    artifactPath: core.getInput('artifact-path').trim(),
    // Untrimmed: a value's trailing space or line break is part of it.
    secrets: parseSecrets(core.getInput('secrets', { trimWhitespace: false })),
    images: parseImagesInput(core.getInput('images')),
    configFile: core.getInput('config').trim(),
    imagesFrom: parseChoice('images-from', core.getInput('images-from'), IMAGES_FROM, 'auto'),
    shard: parseShard(core.getInput('shard')),
    reports: core.getInput('reports').trim() || DEFAULT_REPORTS,
    parallel: parseParallel(core.getInput('parallel')),
    baseline: parseChoice('baseline', core.getInput('baseline'), BASELINE_MODES, 'auto'),
    recordsRef: parseRecordsRef(core.getInput('records-ref')),
    recordsDepth: parseRecordsDepth(core.getInput('records-depth')),
    cacheFrom: parseCacheInput('cache-from', core.getInput('cache-from')),
    cacheTo: parseCacheInput('cache-to', core.getInput('cache-to')),
    explain: parseExplain(core.getInput('explain'))
  }))
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

/** Reads the runner's environment and the event payload (GITHUB_EVENT_PATH). */
export function getRunnerContext(env: NodeJS.ProcessEnv = process.env): RunnerContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/')
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
    defaultBranch: readDefaultBranch(env.GITHUB_EVENT_PATH),
    pullRequest: readPullRequest(env.GITHUB_EVENT_PATH)
  }
}

function readDefaultBranch(eventPath: string | undefined): string {
  if (!eventPath) return ''
  try {
    const payload = JSON.parse(readFileSync(eventPath, 'utf8')) as { repository?: { default_branch?: unknown } }
    const branch = payload.repository?.default_branch
    return typeof branch === 'string' ? branch : ''
  } catch {
    // readPullRequest says what is wrong with the file.
    return ''
  }
}

interface PullRequestPayload {
  pull_request?: { number?: number; base?: { ref?: string }; head?: { sha?: string } }
}

function readPullRequest(eventPath: string | undefined): RunnerContext['pullRequest'] {
  if (!eventPath) return null
  let payload: PullRequestPayload
  try {
    payload = JSON.parse(readFileSync(eventPath, 'utf8')) as PullRequestPayload
  } catch (error) {
    core.warning(`Could not read the event payload at ${eventPath}: ${errorMessage(error)}`)
    return null
  }
  const pr = payload.pull_request
  if (!pr || typeof pr.number !== 'number') return null
  return { number: pr.number, baseRef: pr.base?.ref ?? '', headSha: pr.head?.sha ?? '' }
}
