import { formatDelta, formatPercent, formatSize } from '../shared/sizes.js'
import { describeThreshold, exceedsThreshold } from '../inputs/thresholds.js'
import { Comparison, ImageResult, ImageTarget, Limits, MeasuredImage, Revisions, Verdict } from '../shared/types.js'

const VERDICT_RANK: Record<Verdict, number> = { pass: 0, warn: 1, fail: 2, error: 3 }

/** The worst of several verdicts: error > fail > warn > pass. */
function worstVerdict(verdicts: Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((worst, v) => (VERDICT_RANK[v] > VERDICT_RANK[worst] ? v : worst), 'pass')
}

/**
 * The one judge: every verdict the tool shows (the table, the command's live line, the
 * annotations, a comment run, a merge) comes from here, with the run's global limits; each
 * image's own limits from the images config are applied here and nowhere else.
 */
export function compareImages(revisions: Revisions, images: MeasuredImage[], limits: Limits): Comparison {
  const results = images.map(image => judgeImage(image, limits))
  return {
    revisions,
    verdict: worstVerdict(results.map(result => result.verdict)),
    images: results,
    totalDelta: results.reduce((sum, result) => sum + (result.delta ?? 0), 0)
  }
}

/** The limits one image is held to: its own from the images config, the global ones for the rest. */
export function limitsFor(target: ImageTarget, limits: Limits): Limits {
  const own = target.limits ?? {}
  return {
    maxIncrease: own.maxIncrease !== undefined ? own.maxIncrease : limits.maxIncrease,
    warnIncrease: own.warnIncrease !== undefined ? own.warnIncrease : limits.warnIncrease,
    maxSize: own.maxSize !== undefined ? own.maxSize : limits.maxSize,
    ...(limits.missingBaseline ? { missingBaseline: limits.missingBaseline } : {})
  }
}

/** One image's verdict under the run's global `limits`, replaced where the image has its own. */
export function judgeImage(image: MeasuredImage, globalLimits: Limits): ImageResult {
  const { target, base, head } = image
  const limits = limitsFor(target, globalLimits)
  const headFailure = image.failedBuilds.find(build => build.side === 'head')
  const baseFailure = image.failedBuilds.find(build => build.side === 'base')
  const notes: string[] = []
  // A registry image is read, not built: its failures are reads.
  const failedTo = target.reference ? 'could not be read' : 'build failed'
  if (baseFailure) notes.push(`The base ${failedTo}, so there is no baseline: ${baseFailure.error ?? 'see the log'}`)
  // What the PR does to its own limits (said whichever config the limits come from).
  notes.push(...(target.limitNotes ?? []))
  const delta = base && head ? head.size - base.size : null
  const deltaPercent = base && head && delta !== null && base.size > 0 ? (100 * delta) / base.size : null
  const result = (
    verdict: Verdict,
    reason: string,
    cause: Pick<ImageResult, 'limit' | 'baselineMissing'> = {}
  ): ImageResult => ({
    target,
    base,
    head,
    delta,
    deltaPercent,
    verdict,
    reason,
    notes,
    limits,
    failedBuilds: image.failedBuilds,
    ...cause,
    ...(image.paths ? { paths: image.paths } : {}),
    ...(headFailure?.logTail
      ? { logTail: headFailure.logTail }
      : baseFailure?.logTail
        ? { logTail: baseFailure.logTail }
        : {})
  })

  if (headFailure) return result('error', `The head ${failedTo}: ${headFailure.error ?? 'see the log'}`)
  if (!head) return result('pass', target.change === 'removed' ? 'Image removed by this PR.' : 'No head image.')
  if (limits.maxSize !== null && head.size > limits.maxSize) {
    return result('fail', `${formatSize(head.size)} is over the max-size budget of ${formatSize(limits.maxSize)}.`, {
      limit: 'max-size'
    })
  }
  if (!base || delta === null) {
    // An image the base has must be measured there: a base that fails to build (by chance, or
    // because the PR's config asks the base for what it cannot build) is no licence to grow.
    if (target.change !== 'added') {
      const why = baseFailure
        ? `the base ${failedTo} (${baseFailure.error ?? 'see the log'})`
        : target.reference && !target.reference.base && !target.baseline
          ? 'the entry has no base-image and no baseline record of its image was found'
          : 'the base was not measured'
      if (limits.missingBaseline === 'warn') {
        return result('warn', `No baseline: ${why}; held only to max-size (missing-baseline: warn).`, {
          baselineMissing: true
        })
      }
      return result(
        'error',
        `No baseline: ${why}, so the growth cannot be judged and the check fails. Re-run the job if the failure ` +
          'was by chance; if the base no longer builds, fix it on the base branch first, or set missing-baseline: warn.',
        { baselineMissing: true }
      )
    }
    return result('pass', 'New image: held only to max-size.')
  }
  const growth = `${formatDelta(delta)}${deltaPercent === null ? '' : ` (${formatPercent(deltaPercent)})`}`
  if (limits.maxIncrease && exceedsThreshold(limits.maxIncrease, base.size, delta)) {
    return result('fail', `Grew ${growth}, past the max-increase of ${describeThreshold(limits.maxIncrease)}.`, {
      limit: 'max-increase'
    })
  }
  if (limits.warnIncrease && exceedsThreshold(limits.warnIncrease, base.size, delta)) {
    return result('warn', `Grew ${growth}, past the warn-increase of ${describeThreshold(limits.warnIncrease)}.`, {
      limit: 'warn-increase'
    })
  }
  const limited = limits.maxIncrease !== null || limits.warnIncrease !== null || limits.maxSize !== null
  if (delta > 0)
    return result('pass', limited ? `Grew ${growth}, within the limit.` : `Grew ${growth}; no limit is set.`)
  if (delta < 0) return result('pass', `Shrank ${growth}.`)
  return result('pass', 'Same size.')
}
