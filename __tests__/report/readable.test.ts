// The comment as a reviewer reads it: rendered by cmark-gfm as GitHub renders it (issue 17).
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { calculatorRegression, measuredImage, REVISIONS } from '../../__fixtures__/images.js'
import { compareImages, Limits, MeasuredImage } from '../../src/judge/judge.js'
import { cleanLog } from '../../src/serialized/fields.js'
import { MarkdownContext, renderMarkdown, summarizeOutcome } from '../../src/report/markdown.js'
import { repositoryUrl } from '../../src/report/links.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { asRead, liveParts, renderGfm } from '../support/gfm.js'
import { nth } from '../support/lists.js'

const limits: Limits = {
  maxIncrease: parseGrowthThreshold('max-increase', '10%'),
  warnIncrease: parseGrowthThreshold('warn-increase', '5%'),
  maxSize: null
}
const REPO = 'https://github.com/octo/app'
const PR_HEAD = '3333333ccccccccccccccccccccccccccccccccc'
const context: MarkdownContext = {
  limits,
  links: { url: REPO, fileSha: PR_HEAD },
  pullHeadSha: PR_HEAD
}
const buildkitLog = cleanLog(
  readFileSync(
    join(import.meta.dirname, '..', '..', '__fixtures__', 'build-output', 'buildkit-excerpt.documented.txt'),
    'utf8'
  )
)

/** The calculator's regression, its head build failed: the base measured, no head. */
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
        logTail: `#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n${buildkitLog}`
      }
    ]
  }
}

const hrefs = (html: string) => [...html.matchAll(/<a href="([^"]*)"/g)].map(match => match[1])

describe('a failed head build', () => {
  it('gets no "Why … changed" section and no instruction "gone", and says what failed', () => {
    const markdown = renderMarkdown(compareImages(REVISIONS, [failedHead()], limits), context)
    const html = renderGfm(markdown)
    expect(html).not.toContain('Why ')
    expect(html).not.toContain('gone')
    expect(html).toContain('The head build failed')
    expect(html).toContain('<strong>The failing step</strong> of the head build')
  })

  it("shows the failing step's instruction, line and own output before the rest of the log", () => {
    const html = renderGfm(renderMarkdown(compareImages(REVISIONS, [failedHead()], limits), context))
    const step = html.indexOf('<code>RUN apt-get update &amp;&amp;     apt-get install -y nosuchpackage</code>')
    const own = html.indexOf('<pre>Reading package lists...\nE: Unable to locate package nosuchpackage</pre>')
    const rest = html.indexOf('#1 [internal] load build definition')
    expect(step).toBeGreaterThan(0)
    expect(own).toBeGreaterThan(step)
    expect(rest).toBeGreaterThan(own)
    // The rest is folded.
    expect(html.lastIndexOf('<details>', rest)).toBeGreaterThan(own)
    expect(hrefs(html)).toContain(`${REPO}/blob/${PR_HEAD}/calculator/Dockerfile#L3`)
    expect(liveParts(html, [REPO])).toEqual([])
  })

  it('links the line the build step found where the builder quotes none (BuildKit 0.13, the legacy builder)', () => {
    const image = failedHead()
    const recorded = readFileSync(
      join(import.meta.dirname, '..', '..', '__fixtures__', 'build-output', 'buildkit-0.13-run-failed.txt'),
      'utf8'
    )
    image.failedBuilds = [{ ...nth(image.failedBuilds, 0), logTail: cleanLog(recorded), failedLine: 7 }]
    const html = renderGfm(renderMarkdown(compareImages(REVISIONS, [image], limits), context))
    expect(html).toContain(
      `(step <code>3/4</code>, <a href="${REPO}/blob/${PR_HEAD}/calculator/Dockerfile#L7">line 7</a>)`
    )
  })

  it('shows no growth section for a new image either, whose every instruction would read new', () => {
    const image = calculatorRegression()
    const added: MeasuredImage = { ...image, base: null, target: { ...image.target, change: 'added' } }
    const html = asRead(renderGfm(renderMarkdown(compareImages(REVISIONS, [added], limits), context)))
    expect(html).toContain('🆕 new')
    expect(html).not.toContain('Why ')
  })
})

describe('links', () => {
  it("point to the Dockerfile and each instruction's line at the PR's head commit, and the footer to both commits", () => {
    const html = renderGfm(renderMarkdown(compareImages(REVISIONS, [calculatorRegression()], limits), context))
    const links = hrefs(html)
    const file = `${REPO}/blob/${PR_HEAD}/calculator/Dockerfile`
    expect(links).toContain(file)
    expect(links).toContain(`${file}#L4`)
    expect(links).toContain(`${REPO}/commit/${REVISIONS.baseSha}`)
    expect(links).toContain(`${REPO}/commit/${REVISIONS.headSha}`)
    expect(links).toContain(`${REPO}/commit/${PR_HEAD}`)
    expect(html).toMatch(/the merge of the PR's head <a href="[^"]+"><code>3333333<\/code><\/a> into its base/)
    expect(liveParts(html, [REPO])).toEqual([])
  })

  it('are built from the runner context, a hostile path percent-encoded into one inert link', () => {
    const path = 'a) [x](https:evil.example) #1 ?q=1/ spaced/Dockerfile'
    const image = measuredImage(path, 1_000_000, 1_050_000)
    const html = renderGfm(renderMarkdown(compareImages(REVISIONS, [image], limits), context))
    const encoded = 'a%29%20%5Bx%5D%28https%3Aevil.example%29%20%231%20%3Fq%3D1/%20spaced/Dockerfile'
    expect(hrefs(html)).toContain(`${REPO}/blob/${PR_HEAD}/${encoded}`)
    expect(hrefs(html).every(href => href?.startsWith(REPO))).toBe(true)
    expect(liveParts(html, [REPO])).toEqual([])
    expect(new URL(`${REPO}/blob/${PR_HEAD}/${encoded}`).pathname.split('/').map(decodeURIComponent).slice(5)).toEqual(
      path.split('/')
    )
  })

  it('need a plain http(s) server URL and a commit id', () => {
    expect(repositoryUrl('https://github.example.com/', 'octo', 'app')).toBe('https://github.example.com/octo/app')
    expect(repositoryUrl('javascript:alert(1)', 'octo', 'app')).toBeNull()
    expect(repositoryUrl('https://github.com', 'o)c', 'a p')).toBe('https://github.com/o%29c/a%20p')
    const html = renderGfm(
      renderMarkdown(compareImages({ baseSha: 'not a sha', headSha: 'x' }, [calculatorRegression()], limits), {
        limits,
        links: { url: REPO, fileSha: 'main)' }
      })
    )
    expect(hrefs(html)).toEqual([])
  })
})

describe('twenty images', () => {
  function twenty(): MeasuredImage[] {
    const images: MeasuredImage[] = []
    for (let i = 0; i < 14; i++) images.push(measuredImage(`svc${i}/Dockerfile`, 1_000_000, 1_000_000 + (i + 1) * 1000))
    images.push(measuredImage('warn-small/Dockerfile', 1_000_000, 1_060_000)) // 6%: warns
    images.push(measuredImage('fail-small/Dockerfile', 1_000_000, 1_110_000)) // 11%: 1.1x past max-increase
    images.push(measuredImage('warn-big/Dockerfile', 1_000_000, 1_090_000)) // 9%: warns, 1.8x past warn
    images.push(measuredImage('fail-big/Dockerfile', 1_000_000, 3_000_000)) // 200%: 20x past
    const broken = failedHead()
    broken.target = { ...broken.target, dockerfile: 'broken/Dockerfile' }
    images.push(broken)
    images.push(calculatorRegression())
    return images
  }

  it('keep the table first, failures on top, each growth section folded on its own', () => {
    const comparison = compareImages(REVISIONS, twenty(), limits)
    const html = renderGfm(renderMarkdown(comparison, context))
    expect(html.indexOf('<table>')).toBeLessThan(html.indexOf('<details>'))
    expect(html.indexOf('<table>')).toBeLessThan(html.indexOf('The failing step'))
    const table = html.slice(html.indexOf('<table>'), html.indexOf('</table>'))
    const order = [...table.matchAll(/<td align="left"><a href="[^"]+"><code>([^<]+)<\/code>/g)].map(match => match[1])
    expect(order.slice(0, 6)).toEqual([
      'broken/Dockerfile',
      'calculator/Dockerfile',
      'fail-big/Dockerfile',
      'fail-small/Dockerfile',
      'warn-big/Dockerfile',
      'warn-small/Dockerfile'
    ])
    expect(order).toHaveLength(20)
    // One folded section per image that has one, in the table's order.
    const sections = [...html.matchAll(/<details><summary>Why <a href="[^"]+"><code>([^<]+)<\/code>/g)].map(m => m[1])
    expect(sections[0]).toBe('calculator/Dockerfile')
    expect(sections).not.toContain('broken/Dockerfile')
    expect(liveParts(html, [REPO])).toEqual([])
  })
})

describe('a max-size breach', () => {
  it('is summarised as over the budget, not as growth', () => {
    const comparison = compareImages(REVISIONS, [measuredImage('big/Dockerfile', 600_000_000, 550_000_000)], {
      ...limits,
      maxSize: 500_000_000
    })
    expect(summarizeOutcome(comparison)).toBe('❌ 1 image over the max-size budget: 550 MB at the head')
  })
})
