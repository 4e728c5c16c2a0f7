import { describe, expect, it } from '@jest/globals'
import { measuredImage, REVISIONS } from '../../__fixtures__/images.js'
import { compareImages, Limits } from '../../src/judge/judge.js'
import { toJsonReport } from '../../src/serialized/run-file.js'
import { renderMarkdown, summarizeOutcome } from '../../src/report/markdown.js'
import { commentWanted, fitCommentBody } from '../../src/publish/outputs.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { asRead } from '../support/gfm.js'

const limits: Limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }

describe('summarizeOutcome', () => {
  it('opens a regression with the count and the growth', () => {
    const comparison = compareImages(REVISIONS, [measuredImage('Dockerfile', 1_870_097, 1_256_389_653)], limits)
    expect(summarizeOutcome(comparison)).toBe('❌ 1 image grew past the limit: +1.25 GB')
  })

  it('shows a win as a win', () => {
    const comparison = compareImages(REVISIONS, [measuredImage('Dockerfile', 1_256_389_653, 1_870_097)], limits)
    expect(summarizeOutcome(comparison)).toBe('✅ 1 image shrank: -1.25 GB (-99.9%)')
  })

  it('says when nothing was affected', () => {
    expect(summarizeOutcome(compareImages(REVISIONS, [], limits))).toBe('✅ No Dockerfile is affected by this PR.')
  })

  it('says "no size changed" only when both sides were measured and are equal', () => {
    const same = compareImages(REVISIONS, [measuredImage('a/Dockerfile', 1_000, 1_000)], limits)
    expect(summarizeOutcome(same)).toBe('✅ 1 image checked, no size changed')
    const movedApart = compareImages(
      REVISIONS,
      [measuredImage('app/Dockerfile', 100_000, null, 'removed'), measuredImage('svc/Dockerfile', null, 5_100_000)],
      limits
    )
    expect(summarizeOutcome(movedApart)).toBe('✅ 2 images checked: 1 added (5.1 MB), 1 removed (100 kB)')
    const unmeasured = compareImages(REVISIONS, [measuredImage('a/Dockerfile', null, null, 'modified')], limits)
    expect(summarizeOutcome(unmeasured)).not.toContain('no size changed')
  })

  it('never says "✅ ok" of an image that was not measured', () => {
    const unmeasured = compareImages(REVISIONS, [measuredImage('a/Dockerfile', null, null, 'modified')], limits)
    const markdown = renderMarkdown(unmeasured, { limits })
    expect(markdown).not.toContain('✅ ok')
  })

  it('says a max-size breach as one, not as growth past the limit', () => {
    const budget: Limits = { ...limits, maxSize: 1_000 }
    const comparison = compareImages(REVISIONS, [measuredImage('a/Dockerfile', 1_900, 2_000)], budget)
    expect(summarizeOutcome(comparison)).toBe('❌ 1 image over the max-size budget: 2 kB at the head')
    expect(renderMarkdown(comparison, { limits: budget })).toContain('❌ over max-size')
  })

  it('says an image without a baseline as one, not as a failed build of the PR', () => {
    const image = measuredImage('a/Dockerfile', null, 2_000, 'modified')
    image.failedBuilds.push({ side: 'base', ok: false, durationMs: 1, error: 'COPY failed' })
    const comparison = compareImages(REVISIONS, [image], limits)
    expect(summarizeOutcome(comparison)).toBe('❌ 1 image without a baseline: the base build failed')
  })
})

describe('renderMarkdown', () => {
  it('puts the outcome first, then a table, with unchanged images folded', () => {
    const comparison = compareImages(
      REVISIONS,
      [measuredImage('api/Dockerfile', 1_000_000, 2_000_000), measuredImage('web/Dockerfile', 5_000, 5_000)],
      limits
    )
    const markdown = asRead(renderMarkdown(comparison, { limits }))
    const lines = markdown.split('\n')
    expect(lines[0]).toContain('1 image grew past the limit: +1 MB')
    expect(markdown).toContain('| `api/Dockerfile` | 1 MB | 2 MB | +1 MB | +100% | ❌ over limit |')
    const details = markdown.slice(markdown.indexOf('<details><summary>1 unchanged image</summary>'))
    expect(details).toContain('`web/Dockerfile`')
    expect(markdown).toContain('Base `1111111` → head `2222222`')
    expect(markdown).toContain('max-increase 10%')
  })

  it('puts paths in code spans that neither a backtick nor a pipe can end', () => {
    const comparison = compareImages(REVISIONS, [measuredImage('we|rd/`<b>x</b>` & co/Dockerfile', 10, 20)], limits)
    const markdown = asRead(renderMarkdown(comparison, { limits }))
    expect(markdown).toContain('| ``we\\|rd/`<b>x</b>` & co/Dockerfile`` | 10 B | 20 B |')
    expect(markdown).toContain('❌ over limit ``we|rd/`<b>x</b>` & co/Dockerfile``: Grew')
  })

  it('keeps each figure and status of the table on one line: a non-breaking space before each unit and in the status', () => {
    const comparison = compareImages(REVISIONS, [measuredImage('api/Dockerfile', 1_000_000, 2_000_000)], limits)
    const markdown = renderMarkdown(comparison, { limits })
    expect(markdown).toContain('| 1\u00a0MB | 2\u00a0MB | +1\u00a0MB | +100% | ❌\u00a0over\u00a0limit |')
  })

  it('shows the last lines of a failed build', () => {
    const broken = measuredImage('Dockerfile', 10, null)
    broken.failedBuilds.push({
      side: 'head',
      ok: false,
      durationMs: 1,
      error: 'process "/bin/sh -c false" did not complete successfully',
      logTail: '#5 [2/2] RUN false\n#5 ERROR: <exit 1>'
    })
    const markdown = renderMarkdown(compareImages(REVISIONS, [broken], limits), { limits })
    expect(markdown.split('\n')[0]).toContain('1 image failed to build')
    expect(markdown).toContain('<pre>#5 [2/2] RUN false\n#5 ERROR: &lt;exit 1&gt;</pre>')
  })
})

describe('why each image was checked', () => {
  it('shows a configured name, and the reason when it was not the Dockerfile that changed', () => {
    const api = measuredImage('services/api/Dockerfile', 100, 100)
    api.target = {
      ...api.target,
      name: 'api',
      change: 'unchanged',
      trigger: 'context',
      reason: 'build context changed: services/api/main.go'
    }
    const web = measuredImage('web/Dockerfile', 100, 90)
    const markdown = asRead(renderMarkdown(compareImages(REVISIONS, [api, web], limits), { limits }))
    expect(markdown).toContain(
      '| `api`<br><sub>`services/api/Dockerfile` · build context changed: `services/api/main.go`</sub> | 100 B | 100 B | 0 B | 0% | ✅ ok |'
    )
    expect(markdown).toContain('| `web/Dockerfile` | 100 B | 90 B |')
  })
})

describe('the JSON report', () => {
  it('follows the documented schema', () => {
    const comparison = compareImages(
      REVISIONS,
      [measuredImage('Dockerfile', 100, 150), measuredImage('new/Dockerfile', null, 7)],
      limits
    )
    const report = toJsonReport(comparison, null, null)
    expect(report).toMatchObject({
      schemaVersion: 1,
      base: { sha: REVISIONS.baseSha },
      head: { sha: REVISIONS.headSha },
      verdict: 'fail'
    })
    expect(report.images[0]).toMatchObject({
      dockerfile: 'Dockerfile',
      context: '.',
      status: 'modified',
      base: { size: 100, id: `sha256:${'100'.padStart(64, '0')}`, layers: 2 },
      head: { size: 150, id: `sha256:${'150'.padStart(64, '0')}`, layers: 2 },
      delta: 50,
      deltaPercent: 50,
      verdict: 'fail',
      name: 'Dockerfile',
      trigger: 'dockerfile',
      builtOnce: false,
      logTail: null
    })
    expect(report.shard).toBeNull()
    expect(report.images[1]).toMatchObject({
      status: 'added',
      base: null,
      delta: null,
      deltaPercent: null,
      verdict: 'pass'
    })
  })

  it('records a run that could not finish as an error', () => {
    expect(toJsonReport(compareImages(REVISIONS, [], limits), null, 'No Docker engine answers').verdict).toBe('error')
  })
})

describe('the comment policy', () => {
  const unchanged = compareImages(REVISIONS, [measuredImage('Dockerfile', 10, 10)], limits)
  const grown = compareImages(REVISIONS, [measuredImage('Dockerfile', 10, 11)], limits)

  it('posts on change by default, and always updates an earlier comment', () => {
    expect(commentWanted('changed', unchanged, null)).toEqual({ create: false, update: true })
    expect(commentWanted('changed', grown, null)).toEqual({ create: true, update: true })
    expect(commentWanted('changed', unchanged, 'engine down')).toEqual({ create: true, update: true })
    expect(commentWanted('always', unchanged, null)).toEqual({ create: true, update: true })
    expect(commentWanted('never', grown, null)).toEqual({ create: false, update: false })
  })

  it("keeps the body within GitHub's limit, pointing to the job summary", () => {
    const images = Array.from({ length: 2000 }, (_, i) =>
      measuredImage(`services/${'deep/'.repeat(10)}${i}/Dockerfile`, 1000, 5000)
    )
    const comparison = compareImages(REVISIONS, images, limits)
    const fitted = fitCommentBody(comparison, { limits }, 'https://example.invalid/run')
    expect(fitted.text.length).toBeLessThan(65_536 - 200)
    expect(fitted.text).toContain('2,000 images grew past the limit')
    expect(fitted.text).toContain('[job summary](https://example.invalid/run)')
    const small = compareImages(REVISIONS, [measuredImage('Dockerfile', 1000, 5000)], limits)
    expect(fitCommentBody(small, { limits }, 'url')).toEqual({ text: renderMarkdown(small, { limits }), level: 'full' })
  })
})
