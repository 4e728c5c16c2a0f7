// The action's environment as the runner gives it, for the benchmarks that run the bundle:
// every input of action.yml with its default (the runner passes them all), the caller's on
// top, and the files the runner provides in RUNNER_TEMP.
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Writes the event and output files into `runnerTemp` and returns the environment to start the bundle with. */
export async function actionEnvironment({ workspace, runnerTemp, event = {}, inputs = {}, env = {} }) {
  await writeFile(join(runnerTemp, 'event.json'), JSON.stringify(event))
  await writeFile(join(runnerTemp, 'output.txt'), '')
  const spec = parseYaml(await readFile(join(root, 'action.yml'), 'utf8'))
  const all = Object.fromEntries(Object.entries(spec.inputs).map(([name, s]) => [name, String(s.default ?? '')]))
  Object.assign(all, { 'github-token': '', comment: 'never' }, inputs)
  const result = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? runnerTemp,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: join(runnerTemp, 'event.json'),
    GITHUB_OUTPUT: join(runnerTemp, 'output.txt'),
    RUNNER_TEMP: runnerTemp,
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...(process.env.DOCKER_CONFIG ? { DOCKER_CONFIG: process.env.DOCKER_CONFIG } : {}),
    ...env
  }
  for (const [name, value] of Object.entries(all)) result[`INPUT_${name.toUpperCase()}`] = value
  return result
}
