// The repository's own CI workflow gives each job the least it needs: a token that can
// write to pull requests only in the job that posts the size comment.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'

interface Workflow {
  permissions?: Record<string, string>
  jobs: Record<string, { permissions?: Record<string, string>; steps?: Array<{ uses?: string }> }>
}

const root = join(import.meta.dirname, '..', '..')
const workflow = parse(readFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'utf8')) as Workflow

describe('.github/workflows/ci.yml', () => {
  it('reads only, unless a job says otherwise', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' })
  })

  it('lets only the job that runs the action (and so comments) write to pull requests', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) {
      const comments = (job.steps ?? []).some(step => step.uses === './')
      const write = Object.entries(job.permissions ?? {}).filter(([, level]) => level === 'write')
      expect({ name, write: Object.fromEntries(write) }).toEqual({
        name,
        write: comments ? { 'pull-requests': 'write' } : {}
      })
    }
  })
})
