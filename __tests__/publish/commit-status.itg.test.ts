// The commit status of a comment run, through the real Octokit over HTTP against the stand-in,
// and the stand-in's statuses endpoint checked against GitHub's own OpenAPI description
// (@octokit/openapi), so the fake cannot drift from what GitHub accepts and answers.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createOctokit, DEFAULT_API_TIMING, type Octokit } from '../../src/tools/octokit.js'
import { commitStatusOf, setCommitStatus, statusContext } from '../../src/publish/commit-status.js'
import { compareImages } from '../../src/judge/judge.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { GitHubStandin, faults } from '../support/github-standin.js'
import { measuredImage } from '../../__fixtures__/images.js'
import { Limits, NO_LIMITS } from '../../src/shared/types.js'

const owner = 'octo-org'
const repo = 'shop'
const TOKEN = 'ghs_test_token'
const SHA = 'a'.repeat(40)
const standin = new GitHubStandin({ token: TOKEN })
let octokit: Octokit

interface Schema {
  type?: string
  enum?: string[]
  nullable?: boolean
  required?: string[]
  properties?: Record<string, Schema>
  anyOf?: Schema[]
}
let operation: { requestBody: Schema; response: Schema }

beforeAll(async () => {
  const { url } = await standin.start()
  octokit = createOctokit(TOKEN, url, { ...DEFAULT_API_TIMING, unitMs: 1 })
  const require = createRequire(import.meta.url)
  const specPath = require.resolve('@octokit/openapi/generated/api.github.com.deref.json')
  // The part of GitHub's OpenAPI description this test reads.
  type Content = Record<string, { schema: Schema } | undefined>
  interface Operation {
    requestBody: { content: Content }
    responses: Record<string, { content: Content } | undefined>
  }
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as {
    paths: Record<string, Record<string, Operation | undefined> | undefined>
  }
  const post = spec.paths['/repos/{owner}/{repo}/statuses/{sha}']?.post
  const requestBody = post?.requestBody.content['application/json']?.schema
  const response = post?.responses['201']?.content['application/json']?.schema
  if (!requestBody || !response) throw new Error('No POST /repos/{owner}/{repo}/statuses/{sha} in @octokit/openapi')
  operation = { requestBody, response }
})

afterAll(async () => {
  await standin.stop()
})

beforeEach(() => standin.reset())

/** What in `value` breaks `schema`: the few JSON-schema rules GitHub's description uses here. */
function violations(value: unknown, schema: Schema, at = ''): string[] {
  if (value === null) return schema.nullable || schema.anyOf?.some(s => s.nullable) ? [] : [`${at} is null`]
  if (schema.anyOf) return schema.anyOf.some(s => violations(value, s, at).length === 0) ? [] : [`${at} matches none`]
  if (schema.enum && !schema.enum.includes(value as string)) return [`${at} ${JSON.stringify(value)} not in enum`]
  const type = Array.isArray(value)
    ? 'array'
    : typeof value === 'number' && Number.isInteger(value)
      ? 'integer'
      : typeof value
  if (schema.type && schema.type !== type && !(schema.type === 'number' && type === 'integer')) {
    return [`${at} is ${type}, expected ${schema.type}`]
  }
  if (type !== 'object') return []
  const record = value as Record<string, unknown>
  const missing = (schema.required ?? []).filter(key => !(key in record)).map(key => `${at}.${key} missing`)
  const nested = Object.entries(schema.properties ?? {}).flatMap(([key, sub]) =>
    key in record ? violations(record[key], sub, `${at}.${key}`) : []
  )
  return [...missing, ...nested]
}

const limits: Limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }
const revisions = { baseSha: 'b'.repeat(40), headSha: SHA }

describe('the commit status of a comment run', () => {
  it('is set on the head commit, named after the comment key, in the shape GitHub documents', async () => {
    const comparison = compareImages(revisions, [measuredImage('api/Dockerfile', 100_000, 300_000)], limits)
    const set = await setCommitStatus(
      { octokit, owner, repo, sha: SHA, commentKey: 'api-images', targetUrl: 'https://github.com/o/r/actions/runs/1' },
      commitStatusOf(comparison, null)
    )
    expect(set).toBe(true)
    const [request] = standin.requestsTo('POST', `/repos/${owner}/${repo}/statuses/${SHA}`)
    expect(violations(request!.body, operation.requestBody)).toEqual([])
    expect(request!.body).toEqual({
      state: 'failure',
      description: '1 image grew past the limit: +200 kB',
      context: 'docker-size-check/api-images',
      target_url: 'https://github.com/o/r/actions/runs/1'
    })
    const [status] = standin.statuses({ owner, repo, sha: SHA })
    expect(status).toMatchObject({ state: 'failure', context: statusContext('api-images') })
    expect(violations(status, operation.response)).toEqual([])
  })

  it('says success within the limits, error when a build failed, and stays within 140 characters', () => {
    const ok = compareImages(revisions, [measuredImage('api/Dockerfile', 100_000, 100_500)], limits)
    expect(commitStatusOf(ok, null)).toEqual({
      state: 'success',
      description: '1 image within the limits: +500 B in all'
    })
    // With no limit at all, "within the limits" would promise a check that was not made.
    const unlimited = compareImages(revisions, [measuredImage('api/Dockerfile', 100_000, 100_500)], NO_LIMITS)
    expect(commitStatusOf(unlimited, null)).toEqual({
      state: 'success',
      description: '1 image checked, no limit set: +500 B in all'
    })
    const broken = measuredImage('api/Dockerfile', 100_000, null, 'modified')
    broken.failedBuilds.push({ side: 'head', ok: false, durationMs: 1, error: 'exit code: 1' })
    expect(commitStatusOf(compareImages(revisions, [broken], limits), null).state).toBe('error')
    const long = commitStatusOf(compareImages(revisions, [], limits), `engine said ${'x'.repeat(500)}\nmore`)
    expect(long.state).toBe('error')
    expect([...long.description]).toHaveLength(140)
    expect(long.description).not.toContain('\n')
  })

  it('refused for want of the permission, is a warning naming statuses: write', async () => {
    standin.failNext(faults.notAccessible({ method: 'POST' }))
    const comparison = compareImages(revisions, [], limits)
    const set = await setCommitStatus(
      { octokit, owner, repo, sha: SHA, commentKey: 'default', targetUrl: 'https://github.com/o/r/actions/runs/1' },
      commitStatusOf(comparison, null)
    )
    expect(set).toBe(false)
    expect(standin.statuses({ owner, repo, sha: SHA })).toEqual([])
  })

  it('the stand-in refuses what GitHub refuses: a state outside the enum, a description over 140', async () => {
    const post = (body: Record<string, unknown>) =>
      octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', { owner, repo, sha: SHA, ...body } as never)
    await expect(post({ state: 'passed' })).rejects.toMatchObject({ status: 422 })
    await expect(post({ state: 'success', description: 'x'.repeat(141) })).rejects.toMatchObject({ status: 422 })
    expect(violations({ state: 'passed' }, operation.requestBody)).toEqual(['.state "passed" not in enum'])
  })
})
