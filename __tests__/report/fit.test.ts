import { describe, expect, it } from '@jest/globals'
import { compareImages, Limits, MeasuredImage } from '../../src/judge/judge.js'
import { MAX_COMMENT_BODY_LENGTH } from '../../src/publish/sticky-comment.js'
import { fitCommentBody, fitJobSummary, MAX_SUMMARY_BYTES } from '../../src/publish/outputs.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { Comparison } from '../../src/shared/types.js'
import { nth } from '../support/lists.js'
import { asRead } from '../support/gfm.js'

// The comment and the job summary are shrunk in steps when a PR touches many images. The
// renderer is the real one; only the comparisons are made up (400 real builds add nothing).

const revisions = { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) }
const limits: Limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }
const context = { limits }
const SUMMARY_URL = 'https://github.com/octo/app/actions/runs/1'
const COMMENT_ROOM = MAX_COMMENT_BODY_LENGTH - 200

type Kind = 'same' | 'within' | 'over' | 'broken'

function image(index: number, kind: Kind, pathLength = 60): MeasuredImage {
  const base = 10_000_000 + index
  const head = { same: base, within: base + 100_000, over: base * 2, broken: 0 }[kind]
  const name = `services/${String(index).padStart(3, '0')}-${'x'.repeat(Math.max(0, pathLength - 30))}/Dockerfile`
  const measurement = (size: number) => ({ size, id: `sha256:${'0'.repeat(64)}`, layers: 3 })
  return {
    target: {
      dockerfile: name,
      context: name.replace(/\/Dockerfile$/, ''),
      baseDockerfile: name,
      baseContext: name.replace(/\/Dockerfile$/, ''),
      change: 'modified',
      reason: 'Dockerfile modified'
    },
    base: measurement(base),
    head: kind === 'broken' ? null : measurement(head),
    failedBuilds:
      kind === 'broken'
        ? [
            {
              side: 'head',
              ok: false,
              durationMs: 1,
              error: 'failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
              logTail: Array.from(
                { length: 20 },
                (_, line) => `#12 ${line}.${index} make[2]: *** [all] Error 2 ${'.'.repeat(60)}`
              ).join('\n')
            }
          ]
        : []
  }
}

function pr(kinds: Array<[Kind, number]>, pathLength?: number): Comparison {
  let index = 0
  const images = kinds.flatMap(([kind, count]) => Array.from({ length: count }, () => image(index++, kind, pathLength)))
  return compareImages(revisions, images, limits)
}

function rowsOf(text: string): string[] {
  return asRead(text)
    .split('\n')
    .filter(line => line.startsWith('| `'))
}

describe('fitCommentBody on a 400-image PR', () => {
  it('keeps a report that fits as it is', () => {
    const comparison = pr([
      ['within', 20],
      ['same', 20]
    ])
    const fitted = fitCommentBody(comparison, context, SUMMARY_URL)
    expect(fitted.level).toBe('full')
    expect(fitted.text).toBe(renderMarkdown(comparison, context))
  })

  it('first folds the unchanged rows into a count', () => {
    const comparison = pr(
      [
        ['same', 300],
        ['within', 80],
        ['over', 20]
      ],
      140
    )
    expect(renderMarkdown(comparison, context).length).toBeGreaterThan(COMMENT_ROOM)
    const fitted = fitCommentBody(comparison, context, SUMMARY_URL)
    expect(fitted.level).toBe('folded')
    expect(fitted.text.length).toBeLessThanOrEqual(COMMENT_ROOM)
    expect(rowsOf(fitted.text)).toHaveLength(100)
    expect(fitted.text).toContain('300 unchanged images are not listed here.')
    expect(fitted.text).toContain(`[job summary](${SUMMARY_URL})`)
    // The why of each image over the limit is still there.
    expect(fitted.text.match(/^❌ over limit `/gm)).toHaveLength(20)
  })

  it('keeps the pull-size columns and the "Why … changed" sections when it folds', () => {
    const images = [
      ...Array.from({ length: 300 }, (_, index) => image(index, 'same', 140)),
      ...Array.from({ length: 20 }, (_, index) => image(300 + index, 'over', 140))
    ].map(measured => {
      const explained = (side: MeasuredImage['base']) =>
        side && {
          ...side,
          compressedSize: Math.round(side.size / 3),
          instructions: [
            { keyword: 'FROM', args: 'busybox:local', line: 1, endLine: 1, size: 10_000_000 },
            { keyword: 'RUN', args: 'make all', line: 2, endLine: 2, size: side.size - 10_000_000 }
          ]
        }
      return { ...measured, base: explained(measured.base), head: explained(measured.head) }
    })
    const comparison = compareImages(revisions, images, limits)
    expect(renderMarkdown(comparison, context).length).toBeGreaterThan(COMMENT_ROOM)
    const fitted = fitCommentBody(comparison, context, SUMMARY_URL)
    expect(fitted.level).toBe('folded')
    expect(fitted.text).toContain('| Dockerfile | Base | Head | Δ | % | Pull base | Pull head | Pull Δ | Status |')
    expect(fitted.text.match(/<summary>Why <code>services\/3\d\d-x+\/Dockerfile<\/code> changed/g)).toHaveLength(20)
  })

  it('then drops the explanations and build output, keeping every changed row', () => {
    const comparison = pr([
      ['same', 100],
      ['within', 150],
      ['broken', 150]
    ])
    const fitted = fitCommentBody(comparison, context, SUMMARY_URL)
    expect(fitted.level).toBe('brief')
    expect(fitted.text.length).toBeLessThanOrEqual(COMMENT_ROOM)
    expect(rowsOf(fitted.text)).toHaveLength(300)
    expect(fitted.text).not.toContain('<pre>')
    expect(fitted.text).toContain('Why each image failed, warned or changed, and its build output, are left out.')
    expect(fitted.text.split('\n')[0]).toContain('150 images failed to build')
  })

  it('then keeps the most important rows: failures first, then the largest changes', () => {
    const comparison = pr(
      [
        ['within', 300],
        ['over', 60],
        ['broken', 40]
      ],
      200
    )
    const fitted = fitCommentBody(comparison, context, SUMMARY_URL)
    expect(fitted.level).toBe('rows')
    expect(fitted.text.length).toBeLessThanOrEqual(COMMENT_ROOM)
    const rows = rowsOf(fitted.text)
    expect(rows.length).toBeGreaterThan(100)
    expect(rows.length).toBeLessThan(400)
    expect(rows.slice(0, 40).every(row => row.endsWith('💥 build failed |'))).toBe(true)
    expect(rows.slice(40, 100).every(row => row.endsWith('❌ over limit |'))).toBe(true)
    expect(fitted.text).toContain(`${400 - rows.length} other images are not listed here.`)
    // The footer (commits, units, limits) stays.
    expect(fitted.text).toContain('Limits: max-increase 10%.')
  })

  it('cuts a run error longer than the comment in the outcome line, inside its code span', () => {
    const comparison = pr([['over', 3]])
    const fitted = fitCommentBody(
      comparison,
      { limits, runError: `The engine said: ${'no space left on device @octocat '.repeat(5000)}` },
      SUMMARY_URL
    )
    expect(fitted.text.length).toBeLessThanOrEqual(COMMENT_ROOM)
    const outcome = nth(fitted.text.split('\n'), 0)
    expect(outcome).toMatch(
      /^\*\*Docker image sizes\*\* · ❌ The check could not finish: The engine said: `no space left/
    )
    // The error's code span is closed: the rest of it cannot stand outside code.
    expect(outcome).toMatch(/ no…` · ❌ 3 images grew past the limit/)
    expect(outcome.length).toBeLessThan(2200)
  })
})

describe('fitJobSummary', () => {
  it('stays under 1 MiB for 1,000 failed builds, in bytes, not characters', () => {
    const comparison = pr([['broken', 1000]], 400)
    expect(Buffer.byteLength(renderMarkdown(comparison, context))).toBeGreaterThan(MAX_SUMMARY_BYTES)
    const fitted = fitJobSummary(comparison, context, '/tmp/report.json')
    expect(Buffer.byteLength(fitted.text)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES)
    expect(fitted.level).toBe('brief')
    expect(rowsOf(fitted.text)).toHaveLength(1000)
    expect(fitted.text).toContain('The whole report is the JSON file `/tmp/report.json`')
  })

  it('writes the whole report when it fits', () => {
    const comparison = pr([
      ['broken', 100],
      ['same', 300]
    ])
    expect(fitJobSummary(comparison, context, '/tmp/r.json')).toEqual({
      text: renderMarkdown(comparison, context),
      level: 'full'
    })
  })
})
