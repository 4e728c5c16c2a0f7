// The comment as a reviewer reads it on GitHub (issue 25): each kind rendered by cmark-gfm,
// shown in Debian's Chromium with GitHub-like light and dark styles at a PR comment's width,
// Mermaid drawing the chart from its own bundle, then checked as a reviewer checks it.
// `npm run docs:screenshots` runs this file with DSC_SCREENSHOTS set to keep a picture of each.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import {
  BACKGROUND,
  Browser,
  commentBox,
  contrast,
  dimmedQuotes,
  drawnCharts,
  openAllDetails,
  openBrowser,
  Theme,
  visibleText,
  wrappedCells,
  wrappedSummaries
} from '../support/browser.js'
import { COMMENT_KINDS, commentOf, CommentKind, REPO } from '../support/comment-kinds.js'
import { liveParts, renderGfm } from '../support/gfm.js'

/** WCAG's minimum for the parts of a graphic a reader must see (1.4.11, non-text contrast). */
const GRAPHIC_CONTRAST = 3

let browser: Browser
beforeAll(async () => {
  browser = await openBrowser()
})
afterAll(async () => {
  await browser?.close()
})

/** Keeps a picture of the comment when DSC_SCREENSHOTS names a folder (scripts/screenshots.mjs). */
async function screenshot(kind: CommentKind, theme: Theme, page: Awaited<ReturnType<Browser['show']>>, what = '') {
  const folder = process.env.DSC_SCREENSHOTS
  if (!folder) return
  mkdirSync(folder, { recursive: true })
  await commentBox(page).screenshot({ path: join(folder, `comment-${kind}${what}-${theme}.png`) })
}

describe.each(COMMENT_KINDS)('the %s comment in Chromium at 880 px', kind => {
  it.each<Theme>(['light', 'dark'])('reads right in the %s theme', async theme => {
    const markdown = commentOf(kind)
    const page = await browser.show(markdown, theme)
    try {
      if (theme === 'light' && (kind === 'regression' || kind === 'many-images')) {
        await screenshot(kind, theme, page, '-folded')
      }
      await openAllDetails(page)
      await screenshot(kind, theme, page)
      const links = await page.evaluate(() =>
        [...document.querySelectorAll('a')].map(a => a.getAttribute('href') ?? '')
      )
      // All at once, so that a failure lists everything a reviewer would stumble on.
      expect({
        'number cells that wrap': await wrappedCells(page),
        'summaries over one line': await wrappedSummaries(page),
        'hints shown as dimmed quotes': await dimmedQuotes(page),
        // Every link is one the report makes, to the repository; nothing else GitHub would make live.
        'live text outside code': liveParts(renderGfm(markdown), [REPO]),
        'links elsewhere': links.filter(href => !href.startsWith(`${REPO}/`))
      }).toEqual({
        'number cells that wrap': [],
        'summaries over one line': [],
        'hints shown as dimmed quotes': [],
        'live text outside code': [],
        'links elsewhere': []
      })
      await page.close()
    } catch (error) {
      await page.close()
      throw error
    }
  })
})

describe('the trend chart', () => {
  it.each<Theme>(['light', 'dark'])(
    'draws its line and points with enough contrast in the %s theme, from 0',
    async theme => {
      const page = await browser.show(commentOf('trend'), theme)
      await openAllDetails(page)
      const charts = await drawnCharts(page)
      await page.close()
      expect(charts).toHaveLength(1)
      const [chart] = charts
      const lines = chart?.lines ?? []
      expect(lines.length).toBeGreaterThan(0)
      const faint = (colours: string[]) =>
        colours
          .map(colour => ({ colour, contrast: Math.round(contrast(colour, BACKGROUND[theme]) * 100) / 100 }))
          .filter(drawn => drawn.contrast < GRAPHIC_CONTRAST)
      expect({ 'faint lines': faint(lines) }).toEqual({ 'faint lines': [] })
      // Each point is marked (a bar per point), as visible as the line.
      expect(chart?.bars).toHaveLength(3)
      expect({ 'faint points': faint(chart?.bars ?? []) }).toEqual({ 'faint points': [] })
      // The y axis starts at 0, so 100 kB → 150 kB reads as half again, not as the whole height.
      expect(chart?.yLabels[0]).toBe('0')
    }
  )
})

describe('what the reviewer reads first', () => {
  it("says the regression's cause without opening anything", async () => {
    const page = await browser.show(commentOf('regression'), 'light')
    const seen = await visibleText(page)
    await page.close()
    expect(seen).toMatch(/FROM scratch[\s\S]*FROM debian:bookworm[^\n]*the build stage now ships/)
  })

  it('does not speak of a limit where none is set', async () => {
    const page = await browser.show(commentOf('trend'), 'light')
    const seen = await visibleText(page)
    await page.close()
    expect(seen).toContain('No limits set')
    expect(seen).not.toMatch(/within the limit/)
  })

  it("keeps the records' words about the records, this PR named apart", async () => {
    const page = await browser.show(commentOf('trend'), 'light')
    await openAllDetails(page)
    const seen = await visibleText(page)
    await page.close()
    // The records are 100 kB and 120 kB; 150 kB is this PR's head.
    expect(seen).toMatch(/\+20% over the last 2 records \(100\skB → 120\skB\)/)
    expect(seen).toMatch(/this PR:? 150\skB/)
  })
})
