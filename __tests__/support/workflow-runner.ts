// Runs a workflow file users copy (examples/workflows/) the way GitHub's runner would, for the
// steps such a file uses: its jobs in the order `needs` gives, each step's `${{ }}`
// expressions evaluated from the event, the job's runner.temp and the secrets, and
//   actions/checkout            the workspace actions/checkout leaves for the `ref` asked for
//                               (the event's default commit without one)
//   docker-size-check/…         the bundled action, as action-runner.ts runs it
//   actions/upload-artifact     the folder kept under its name, for this run
//   actions/download-artifact   this run's artifact of that name copied to `path`
// A job whose permissions hold no write for pull requests or statuses gets a token the API
// stand-in refuses every write, as GitHub does. An expression or step it does not know fails
// the test: a workflow it cannot run as written is not checked.
import { cp, mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ActionRun, PROJECT_ROOT, runAction } from './action-runner.js'
import { faults, GitHubStandin } from './github-standin.js'
import { OWNER, REPO, TEST_TOKEN } from './pull-request.js'
import { makeTempDir } from './repo.js'

export interface WorkflowStep {
  uses?: string
  run?: string
  if?: string
  with?: Record<string, string>
}

export interface WorkflowJob {
  permissions?: Record<string, string>
  environment?: string
  needs?: string | string[]
  if?: string
  steps: WorkflowStep[]
}

export interface Workflow {
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, WorkflowJob>
}

export async function readWorkflow(name: string): Promise<{ text: string; workflow: Workflow }> {
  const text = await readFile(join(PROJECT_ROOT, 'examples', 'workflows', name), 'utf8')
  return { text, workflow: parse(text) as Workflow }
}

export interface WorkflowRun {
  standin: GitHubStandin
  event: { name: string; payload: Record<string, unknown> }
  secrets?: Record<string, string>
  /** The workspace actions/checkout leaves for `ref` (undefined: the event's own commit). */
  checkout: (ref: string | undefined) => Promise<string>
  env?: Record<string, string>
}

export interface JobResult {
  /** The action's runs, in step order. */
  actions: ActionRun[]
  ok: boolean
}

/** Runs every job of the workflow; returns each job's outcome by name. */
export async function runWorkflow(workflow: Workflow, run: WorkflowRun): Promise<Map<string, JobResult>> {
  const results = new Map<string, JobResult>()
  const artifacts = new Map<string, string>()
  const pending = Object.entries(workflow.jobs)
  while (pending.length) {
    const index = pending.findIndex(([, job]) => needsOf(job).every(need => results.has(need)))
    if (index === -1) throw new Error('The workflow’s `needs` form a cycle or name no job.')
    const [name, job] = pending.splice(index, 1)[0] as [string, WorkflowJob]
    const needsOk = needsOf(job).every(need => results.get(need)?.ok)
    if (!needsOk && !(job.if ?? '').includes('always()')) {
      results.set(name, { actions: [], ok: false })
      continue
    }
    results.set(name, await runJob(job, run, artifacts))
  }
  return results
}

function needsOf(job: WorkflowJob): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]
}

/** Whether a job's token may write pull requests and statuses, as its permissions (or the workflow's) say. */
function writes(job: WorkflowJob): boolean {
  const permissions = job.permissions ?? {}
  return permissions['pull-requests'] === 'write' || permissions.statuses === 'write'
}

async function runJob(job: WorkflowJob, run: WorkflowRun, artifacts: Map<string, string>): Promise<JobResult> {
  const runnerTemp = await makeTempDir('job-temp')
  const result: JobResult = { actions: [], ok: true }
  let workspace: string | null = null
  for (const step of job.steps) {
    if (!result.ok && !(step.if ?? '').includes('always()')) continue
    const inputs = Object.fromEntries(
      Object.entries(step.with ?? {}).map(([key, value]) => [key, evaluate(String(value), run, runnerTemp)])
    )
    const uses = step.uses ?? ''
    if (uses.startsWith('actions/checkout@')) {
      workspace = await run.checkout(inputs.ref)
    } else if (uses.startsWith('docker-size-check/docker-size-check@') || uses === './') {
      if (!workspace) throw new Error('The action runs before any checkout.')
      run.standin.clearFaults()
      if (!writes(job)) {
        run.standin.failNext(faults.notAccessible({ method: 'POST', times: Infinity }))
        run.standin.failNext(faults.notAccessible({ method: 'PATCH', times: Infinity }))
      }
      const action = await runAction({
        workspace,
        apiUrl: run.standin.url,
        repository: `${OWNER}/${REPO}`,
        event: run.event,
        inputs,
        token: TEST_TOKEN,
        env: { DOCKER_SIZE_CHECK_API_TIME_UNIT_MS: '1', ...run.env }
      })
      result.actions.push(action)
      if (action.exitCode !== 0) result.ok = false
      run.standin.clearFaults()
    } else if (uses.startsWith('actions/upload-artifact@')) {
      const name = inputs.name ?? 'artifact'
      const kept = await makeTempDir('artifact-store')
      await cp(inputs.path ?? '', kept, { recursive: true })
      artifacts.set(name, kept)
    } else if (uses.startsWith('actions/download-artifact@')) {
      if (inputs['run-id']) throw new Error('A download from another run is not this run’s artifact.')
      const kept = artifacts.get(inputs.name ?? '')
      if (!kept) {
        result.ok = false
        continue
      }
      await mkdir(inputs.path ?? '', { recursive: true })
      await cp(kept, inputs.path ?? '', { recursive: true })
    } else {
      throw new Error(`A step the test runner does not know: ${JSON.stringify(step)}`)
    }
  }
  return result
}

/** `${{ … }}` as the runner evaluates it, for the expressions these workflows use. */
function evaluate(text: string, run: WorkflowRun, runnerTemp: string): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
    if (expression === 'runner.temp') return runnerTemp
    if (expression === 'github.token') return TEST_TOKEN
    const secret = /^secrets\.([A-Za-z0-9_]+)$/.exec(expression)?.[1]
    if (secret !== undefined) return run.secrets?.[secret] ?? ''
    if (expression.startsWith('github.event.')) {
      let value: unknown = run.event.payload
      for (const key of expression.slice('github.event.'.length).split('.')) {
        value = (value as Record<string, unknown> | undefined)?.[key]
      }
      if (typeof value === 'string' || typeof value === 'number') return String(value)
    }
    throw new Error(`An expression the test runner does not evaluate: ${expression}`)
  })
}
