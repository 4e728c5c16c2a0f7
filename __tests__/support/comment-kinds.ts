// One comment of each kind a reviewer meets, made by the renderer as it is now: the seed's
// regression and improvement from the JSON reports of a real run of the calculator end to end
// (`__fixtures__/reports/`, measured on Docker 28.5 with overlay2), and from typed inputs the
// kinds no such run keeps: a failed build, many images, a trend from baseline records.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { calculatorRegression, measuredImage, REVISIONS } from '../../__fixtures__/images.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { compareImages, Limits, MeasuredImage } from '../../src/judge/judge.js'
import { MarkdownContext, renderMarkdown } from '../../src/report/markdown.js'
import { reportSchema } from '../../src/serialized/schema.js'
import { measuredFromReport } from '../../src/serialized/run-file.js'
import { cleanLog } from '../../src/serialized/fields.js'
import { EngineInfo } from '../../src/tools/docker.js'

export const REPO = 'https://github.com/octo/app'
const PR_HEAD = '3333333ccccccccccccccccccccccccccccccccc'
const FIXTURES = join(import.meta.dirname, '..', '..', '__fixtures__')

export type CommentKind = 'regression' | 'improvement' | 'failed-build' | 'many-images' | 'trend'
export const COMMENT_KINDS: CommentKind[] = ['regression', 'improvement', 'failed-build', 'many-images', 'trend']

const tenPercent: Limits = {
  maxIncrease: parseGrowthThreshold('max-increase', '10%'),
  warnIncrease: parseGrowthThreshold('warn-increase', '5%'),
  maxSize: null
}
const noLimits: Limits = { maxIncrease: null, warnIncrease: null, maxSize: null }

function context(limits: Limits, engine: EngineInfo | null = null): MarkdownContext {
  return { limits, links: { url: REPO, fileSha: PR_HEAD }, pullHeadSha: PR_HEAD, engine }
}

/** A recorded JSON report, read as `mode: merge` reads one, judged and rendered again. */
function fromReport(name: string): string {
  const json: unknown = JSON.parse(readFileSync(join(FIXTURES, 'reports', `${name}.json`), 'utf8'))
  const report = reportSchema('read').parse(json)
  const images = report.images.map((image, i) => measuredFromReport(image, `images[${i}]`))
  const limits = images[0]?.target.limits
  const judged: Limits = {
    maxIncrease: limits?.maxIncrease ?? null,
    warnIncrease: limits?.warnIncrease ?? null,
    maxSize: limits?.maxSize ?? null
  }
  const revisions = { baseSha: report.base.sha, headSha: report.head.sha }
  return renderMarkdown(compareImages(revisions, images, judged), context(judged, report.engine))
}

const buildkitLog = () =>
  cleanLog(readFileSync(join(FIXTURES, 'build-output', 'buildkit-excerpt.documented.txt'), 'utf8'))

/** The calculator's regression whose head build failed (newer BuildKit's output). */
function failedHead(): MeasuredImage {
  const image = calculatorRegression()
  return {
    ...image,
    head: null,
    failedBuilds: [
      {
        side: 'head',
        ok: false,
        durationMs: 1,
        error: 'process "/bin/sh -c apt-get update" did not complete successfully: exit code: 100',
        logTail: `#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n${buildkitLog()}`
      }
    ]
  }
}

/** Twenty images of a monorepo: one failed, two past the limit, two warned, fourteen grew a little, one unchanged. */
function manyImages(): MeasuredImage[] {
  const images: MeasuredImage[] = []
  for (let i = 0; i < 13; i++) {
    images.push(measuredImage(`services/svc-${i}/Dockerfile`, 120_000_000, 120_000_000 + (i + 1) * 1_000))
  }
  images.push(measuredImage('services/unchanged/Dockerfile', 80_000_000, 80_000_000))
  images.push(measuredImage('services/warn-small/Dockerfile', 1_000_000, 1_060_000))
  images.push(measuredImage('services/fail-small/Dockerfile', 1_000_000, 1_110_000))
  images.push(measuredImage('services/warn-big/Dockerfile', 10_000_000, 10_900_000))
  images.push(measuredImage('services/fail-big/Dockerfile', 1_000_000_000, 3_000_000_000))
  const broken = failedHead()
  broken.target = {
    ...broken.target,
    dockerfile: 'services/broken/Dockerfile',
    baseDockerfile: 'services/broken/Dockerfile'
  }
  images.push(broken)
  images.push(calculatorRegression())
  return images
}

/**
 * A PR on a repository with records: its base from the record at the merge-base, its head
 * built, the image's last two records on the default branch 100 kB and 120 kB (as the
 * records end to end has them), no limits set.
 */
function trendImage(): MeasuredImage {
  const instructions = (bytes: number) => [
    { keyword: 'FROM', args: 'scratch', line: 1, endLine: 1, size: 0 },
    { keyword: 'COPY', args: `payload-${bytes}.bin /payload.bin`, line: 2, endLine: 2, size: bytes }
  ]
  const side = (bytes: number) => ({
    size: bytes,
    id: `sha256:${String(bytes).padStart(64, '0')}`,
    layers: 1,
    instructions: instructions(bytes)
  })
  const older = 'a89af9a0000000000000000000000000000000aa'
  const merge = '494b5620000000000000000000000000000000bb'
  return {
    target: {
      dockerfile: 'app/Dockerfile',
      context: 'app',
      baseDockerfile: 'app/Dockerfile',
      baseContext: 'app',
      change: 'modified',
      reason: 'Dockerfile modified',
      baseline: { source: 'record', commit: merge, behind: 0 },
      trend: [
        { commit: older, recordedAt: '2026-12-01T10:00:00Z', bytes: 100_000 },
        { commit: merge, recordedAt: '2026-12-02T10:00:00Z', bytes: 120_000 }
      ]
    },
    base: side(120_000),
    head: side(150_000),
    failedBuilds: []
  }
}

/** The comment's body for `kind`, as the action posts it (without its marker). */
export function commentOf(kind: CommentKind): string {
  switch (kind) {
    case 'regression':
      return fromReport('calculator-regression')
    case 'improvement':
      return fromReport('calculator-improvement')
    case 'failed-build':
      return renderMarkdown(compareImages(REVISIONS, [failedHead()], tenPercent), context(tenPercent))
    case 'many-images':
      return renderMarkdown(compareImages(REVISIONS, manyImages(), tenPercent), context(tenPercent))
    case 'trend':
      return renderMarkdown(compareImages(REVISIONS, [trendImage()], noLimits), context(noLimits))
  }
}
