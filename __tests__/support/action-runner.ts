// Runs the bundled action the way the GitHub runner does: inputs as
// INPUT_<NAME> variables with action.yml's defaults, the event payload in a file, and
// the runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) made before the step starts.
// The bundle is the one the integration project's globalSetup (scripts/fresh-bundle.mjs)
// makes from src/ at the start of the run, so the tests run what was edited, not dist/.
import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { parse as parseYaml } from 'yaml'
import { makeTempDir } from './repo.js'

const execFileAsync = promisify(execFile)

export const PROJECT_ROOT = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..')

export interface ActionRun {
  exitCode: number
  stdout: string
  outputs: Record<string, string>
  summary: string
  /** The JSON report the action wrote, when it wrote one. */
  report: Record<string, unknown> | null
  runnerTemp: string
}

export interface ActionRunOptions {
  workspace: string
  apiUrl: string
  repository: string
  event: { name: string; payload: unknown }
  inputs?: Record<string, string>
  token?: string
  /** More environment variables, e.g. DOCKER_HOST or a short API time unit. */
  env?: Record<string, string>
  /** false: pass no INPUT_* for inputs not given, as some runners do (default true: action.yml's defaults). */
  withDefaults?: boolean
  /** The event file's text as it stands, in place of the payload's JSON (an empty or broken file). */
  eventText?: string
}

export interface PreparedRun {
  env: Record<string, string>
  runnerTemp: string
  outputPath: string
  summaryPath: string
}

interface ActionYaml {
  inputs: Record<string, { default?: string }>
}

/** action.yml's defaults, as the runner would pass them (expressions evaluated by hand). */
export async function actionDefaults(token: string): Promise<Record<string, string>> {
  const action = parseYaml(await readFile(join(PROJECT_ROOT, 'action.yml'), 'utf8')) as ActionYaml
  const defaults: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) {
    defaults[name] = String(spec.default ?? '').replace('${{ github.token }}', token)
  }
  return defaults
}

/** The runner's name for an input's variable: upper case, spaces to `_`, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

/** The runner's files and the step's environment, without starting the step. */
export async function prepareRun(options: ActionRunOptions): Promise<PreparedRun> {
  const token = options.token ?? 'ghs_test_token'
  // Removed with the file's other folders by cleanupTempDirs (useEndToEnd's afterAll).
  const runnerTemp = await makeTempDir('runner')
  const eventPath = join(runnerTemp, 'event.json')
  const outputPath = join(runnerTemp, 'output.txt')
  const summaryPath = join(runnerTemp, 'summary.md')
  await writeFile(eventPath, options.eventText ?? JSON.stringify(options.event.payload))
  await writeFile(outputPath, '')
  await writeFile(summaryPath, '')
  await mkdir(join(runnerTemp, 'tmp'), { recursive: true })

  const inputs = { ...(options.withDefaults === false ? {} : await actionDefaults(token)), ...options.inputs }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? runnerTemp,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_REPOSITORY: options.repository,
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: String(Date.now()),
    GITHUB_SHA: '0'.repeat(40),
    RUNNER_TEMP: join(runnerTemp, 'tmp'),
    RUNNER_DEBUG: '1'
  }
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value
  // The engine the suite runs against, and the CLI plugins (buildx) that go with it.
  for (const name of ['DOCKER_HOST', 'DOCKER_CONFIG']) if (process.env[name]) env[name] = process.env[name]
  // The test run's temporary folder (temp-root.mjs), so that what the action leaves is seen.
  if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR
  Object.assign(env, options.env)
  return { env, runnerTemp, outputPath, summaryPath }
}

/** What the step left: its outputs, the job summary and the JSON report. */
export async function collectRun(prepared: PreparedRun, exitCode: number, stdout: string): Promise<ActionRun> {
  const outputs = parseOutputFile(await readFile(prepared.outputPath, 'utf8'))
  const report = outputs.report ? (JSON.parse(await readFile(outputs.report, 'utf8')) as Record<string, unknown>) : null
  return {
    exitCode,
    stdout,
    outputs,
    summary: await readFile(prepared.summaryPath, 'utf8'),
    report,
    runnerTemp: prepared.runnerTemp
  }
}

/**
 * src/ bundled by scripts/fresh-bundle.mjs: index.js is the action, cli/index.js the command.
 * DSC_TEST_BUNDLE runs the tests against another bundle instead: scripts/red-team-before.sh
 * points it at a bundle of an older commit, to show a test failing before its fix.
 */
export const TEST_BUNDLE = process.env.DSC_TEST_BUNDLE
  ? resolve(PROJECT_ROOT, process.env.DSC_TEST_BUNDLE)
  : join(PROJECT_ROOT, '.tmp', 'bundle')
export const ACTION_ENTRY = join(TEST_BUNDLE, 'index.js')

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const prepared = await prepareRun(options)
  let exitCode = 0
  let stdout: string
  try {
    const result = await execFileAsync(process.execPath, [ACTION_ENTRY], {
      cwd: options.workspace,
      env: prepared.env,
      maxBuffer: 64 * 1024 * 1024
    })
    stdout = result.stdout
  } catch (error) {
    const failed = error as { code?: number; stdout?: string }
    exitCode = typeof failed.code === 'number' ? failed.code : 1
    stdout = failed.stdout ?? ''
  }
  return collectRun(prepared, exitCode, stdout)
}

/** Reads GITHUB_OUTPUT's `name<<delimiter` blocks, as the runner does. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    const [, name, delimiter] = /^([^=<]+)<<(.+)$/.exec(line) ?? []
    if (name !== undefined && delimiter !== undefined) {
      const value: string[] = []
      for (let next = lines[++i]; next !== undefined && next !== delimiter; next = lines[++i]) value.push(next)
      outputs[name] = value.join('\n')
      continue
    }
    const [, plainName, plainValue] = /^([^=]+)=(.*)$/.exec(line) ?? []
    if (plainName !== undefined && plainValue !== undefined) outputs[plainName] = plainValue
  }
  return outputs
}
