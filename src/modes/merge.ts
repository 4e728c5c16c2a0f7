import * as core from '@actions/core'
import type { Logger } from '../shared/logger.js'
import { readdir, readFile, stat } from 'node:fs/promises'
import { isAbsolute, join, relative } from 'node:path'
import picomatch from 'picomatch'
import { compareImages } from '../judge/judge.js'
import { Inputs, RunnerContext } from '../inputs/inputs.js'
import { publishResults } from '../publish/publish.js'
import { JsonReport, measuredFromReport, parseShardReport } from '../serialized/run-file.js'
import { summarizeOutcome } from '../report/markdown.js'
import { describeShard } from '../inputs/shard.js'
import { Comparison, EngineInfo, labelOf, NO_LIMITS } from '../shared/types.js'
import { errorMessage } from '../shared/errors.js'
import { cleanText } from '../report/escape.js'
import { mixedEnginesError } from './merge-engines.js'

// `mode: merge`: the shards of a matrix each checked a slice of the images and uploaded
// their JSON report; this job reads them all and publishes one comment, one summary and
// one verdict, as a single run would have.

export { parseShardReport }

export interface ShardReport {
  /** Where it was read from, for messages. */
  path: string
  report: JsonReport
}

export interface MergedReports {
  comparison: Comparison
  engine: EngineInfo | null
  /** Why the merged result is incomplete (a shard's error, a missing shard), or null. */
  error: string | null
}

/** The action in merge mode. Never throws: whatever goes wrong becomes the run's error and verdict. */
export async function runMerge(inputs: Inputs, context: RunnerContext, log: Logger): Promise<void> {
  let merged: MergedReports = {
    comparison: { revisions: { baseSha: '', headSha: '' }, verdict: 'pass', images: [], totalDelta: 0 },
    engine: null,
    error: null
  }
  try {
    const files = await findReportFiles(inputs.reports, context.workspace)
    log.info(`Merging ${files.length} reports: ${files.map(file => relative(context.workspace, file)).join(', ')}`)
    const reports = await Promise.all(
      files.map(async path => ({ path, report: parseShardReport(await readFile(path, 'utf8'), path) }))
    )
    merged = mergeShardReports(reports)
  } catch (error) {
    merged.error = errorMessage(error)
  }
  await publishMerged(inputs, context, merged, log)
}

/**
 * The report files named by the `reports` input: a folder, searched at any depth for
 * `.json` files, or a glob from the workspace.
 */
async function findReportFiles(pattern: string, workspace: string): Promise<string[]> {
  const absolute = isAbsolute(pattern) ? pattern : join(workspace, pattern)
  const isFolder = await stat(absolute).then(
    info => info.isDirectory(),
    () => false
  )
  let files: string[]
  if (isFolder) {
    files = (await listFiles(absolute)).filter(file => file.endsWith('.json'))
  } else {
    const scan = picomatch.scan(pattern)
    const root = isAbsolute(scan.base) ? scan.base : join(workspace, scan.base)
    const matches = picomatch(isAbsolute(pattern) ? pattern : join(workspace, pattern), { dot: true })
    files = (await listFiles(root).catch(() => [])).filter(file => matches(file))
  }
  if (files.length === 0) {
    throw new Error(
      `No shard reports found at reports '${pattern}' (in ${workspace}). Download the shards' artifacts there ` +
        `first, such as actions/download-artifact with pattern: docker-size-report-* and path: ${pattern}.`
    )
  }
  return files.sort()
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  return entries.filter(entry => entry.isFile()).map(entry => join(entry.parentPath, entry.name))
}

/**
 * One comparison from every shard's report. The shards must have compared the same two
 * commits and all be there: a missing shard makes the result an error, so a shard whose
 * job died can never let a regression through.
 */
export function mergeShardReports(reports: ShardReport[]): MergedReports {
  if (reports.length === 0) throw new Error('No shard reports to merge.')
  const [first] = reports as [ShardReport, ...ShardReport[]]
  const total = first.report.shard!.total
  const byIndex = new Map<number, ShardReport>()
  for (const entry of reports) {
    const { report, path } = entry
    const shard = report.shard!
    if (shard.total !== total) {
      throw new Error(
        `${path} is shard ${describeShard(shard)} but ${first.path} is shard ${describeShard(first.report.shard!)}: ` +
          'every shard of one check must split the images the same way.'
      )
    }
    if (report.base.sha !== first.report.base.sha || report.head.sha !== first.report.head.sha) {
      throw new Error(
        `${path} compared ${short(report.base.sha)} → ${short(report.head.sha)} but ${first.path} compared ` +
          `${short(first.report.base.sha)} → ${short(first.report.head.sha)}: reports of different runs are mixed. ` +
          'Download only this run’s artifacts (actions/download-artifact takes the current run’s by default).'
      )
    }
    const earlier = byIndex.get(shard.index)
    if (earlier) throw new Error(`Two reports of shard ${describeShard(shard)}: ${earlier.path} and ${path}.`)
    byIndex.set(shard.index, entry)
  }

  const mixed = mixedEnginesError(reports)
  if (mixed) throw new Error(mixed)

  const errors: string[] = []
  for (let index = 1; index <= total; index++) {
    const entry = byIndex.get(index)
    if (!entry) {
      errors.push(
        `The report of shard ${index}/${total} is missing: its job failed before uploading it, or was skipped.`
      )
    } else if (entry.report.error) {
      errors.push(`Shard ${index}/${total}: ${entry.report.error}`)
    }
  }
  // Judged again by the one judge, from each image's figures and the limits its shard judged
  // it by (recorded in full, so no global limit of this job's own comes in): the same verdicts.
  const measured = reports
    .flatMap(entry =>
      entry.report.images.map((image, index) => measuredFromReport(image, `${entry.path}: images[${index}]`))
    )
    .sort((a, b) => labelOf(a.target).localeCompare(labelOf(b.target)))
  const revisions = { baseSha: first.report.base.sha, headSha: first.report.head.sha }
  return {
    comparison: compareImages(revisions, measured, NO_LIMITS),
    engine: reports.find(entry => entry.report.engine)?.report.engine ?? null,
    error: errors.length ? errors.join(' ') : null
  }
}

function short(sha: string): string {
  return sha.slice(0, 7)
}

/** The same publications as a single run: report, summary, comment, outputs, verdict. */
async function publishMerged(
  inputs: Inputs,
  context: RunnerContext,
  merged: MergedReports,
  log: Logger
): Promise<void> {
  const { comparison, error } = merged
  await publishResults({
    log,
    inputs,
    context,
    comparison,
    engine: merged.engine,
    error,
    pullNumber: context.pullRequest?.number ?? null,
    shard: null
  })
  const failures = comparison.images.filter(image => image.verdict === 'fail' || image.verdict === 'error')
  if (error) core.setFailed(cleanText(error))
  else if (failures.length)
    core.setFailed(cleanText(failures.map(image => `${labelOf(image.target)}: ${image.reason}`).join('\n')))
  else log.info(summarizeOutcome(comparison))
}
