// The comment as a reviewer sees it: rendered by cmark-gfm as GitHub renders it, shown in a
// page with GitHub-like light and dark styles at a PR comment's width, Mermaid drawing its
// charts from its own bundle, GitHub's alerts made from their blockquotes, in Debian's
// Chromium (scripts/browser.sh installs it) driven by playwright-core. No browser is
// downloaded and the page loads nothing from outside: the comment's links are never followed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { renderGfm } from './gfm.js'

export const CHROMIUM = '/usr/bin/chromium'
/** The width of a comment in a PR's conversation on a desktop screen, its border included. */
export const COMMENT_WIDTH = 880
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]
const MERMAID = join(import.meta.dirname, '..', '..', 'node_modules', 'mermaid', 'dist', 'mermaid.min.js')

export type Theme = 'light' | 'dark'

/** The page backgrounds the chart is read against: GitHub's canvas in each theme. */
export const BACKGROUND: Record<Theme, string> = { light: '#ffffff', dark: '#0d1117' }

export interface Browser {
  /** A new page holding `markdown` as a rendered comment, every chart drawn. */
  show(markdown: string, theme: Theme): Promise<Page>
  close(): Promise<void>
}

export async function openBrowser(): Promise<Browser> {
  // An empty profile of its own, removed after: nothing of an earlier run is reused.
  const profile = mkdtempSync(join(tmpdir(), 'dsc-chromium-'))
  let context: BrowserContext
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: COMMENT_WIDTH + 40, height: 900 },
      deviceScaleFactor: 1
    })
  } catch (error) {
    rmSync(profile, { recursive: true, force: true })
    throw new Error(
      `Chromium did not start from ${CHROMIUM} (${String(error)}). Install Debian's chromium and its fonts: ` +
        'bash scripts/browser.sh.',
      { cause: error }
    )
  }
  // Nothing leaves the page: a link or image in a comment is not fetched.
  await context.route(/^(?!data:|about:)/, route => route.abort())
  return {
    async show(markdown, theme) {
      const page = await context.newPage()
      await page.setContent(pageHtml(renderGfm(markdown), theme))
      await page.addScriptTag({ path: MERMAID })
      await page.evaluate(
        async (mermaidTheme: string) => {
          // GitHub's alerts: a top-level blockquote whose first line is `[!TIP]` (and the like).
          for (const quote of document.querySelectorAll('.markdown-body > blockquote')) {
            const first = quote.firstElementChild
            const match =
              first?.tagName === 'P' ? /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*\n/.exec(first.innerHTML) : null
            if (!first || !match) continue
            const kind = (match[1] ?? '').toLowerCase()
            first.innerHTML = first.innerHTML.slice(match[0].length)
            const alert = document.createElement('div')
            alert.className = `markdown-alert markdown-alert-${kind}`
            const title = document.createElement('p')
            title.className = 'markdown-alert-title'
            title.textContent = kind[0]?.toUpperCase() + kind.slice(1)
            alert.append(title, ...quote.childNodes)
            quote.replaceWith(alert)
          }
          // GitHub draws a ```mermaid block as its chart.
          const blocks = [...document.querySelectorAll('pre > code.language-mermaid')]
          for (const code of blocks) {
            const chart = document.createElement('div')
            chart.className = 'mermaid'
            chart.textContent = code.textContent
            code.parentElement?.replaceWith(chart)
          }
          const mermaid = (
            window as unknown as { mermaid: { initialize(c: object): void; run(o: object): Promise<void> } }
          ).mermaid
          mermaid.initialize({ startOnLoad: false, theme: mermaidTheme })
          if (blocks.length) await mermaid.run({ querySelector: '.mermaid' })
        },
        theme === 'dark' ? 'dark' : 'default'
      )
      return page
    },
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
}

/** Opens every `<details>`, as a reviewer who reads all of it does. */
export async function openAllDetails(page: Page): Promise<void> {
  await page.evaluate(() => document.querySelectorAll('details').forEach(details => (details.open = true)))
}

/** The text a reader sees before opening anything. */
export async function visibleText(page: Page): Promise<string> {
  return page.evaluate(() => (document.querySelector('.markdown-body') as HTMLElement).innerText)
}

export interface DrawnChart {
  /** The stroke colour of each line the chart drew, as the browser computed it (`rgb(…)`). */
  lines: string[]
  /** The fill of each bar (the points). */
  bars: string[]
  /** The y axis's labels, bottom to top. */
  yLabels: string[]
  /** The colour the chart paints behind itself, where it paints one (Mermaid's dark theme does). */
  background: string | null
}

export async function drawnCharts(page: Page): Promise<DrawnChart[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.mermaid svg')].map(svg => ({
      lines: [...svg.querySelectorAll('[class*="line-plot"] path')].map(path => getComputedStyle(path).stroke),
      bars: [...svg.querySelectorAll('[class*="bar-plot"] rect')].map(rect => getComputedStyle(rect).fill),
      yLabels: [...svg.querySelectorAll('.left-axis .label text')]
        .map(text => ({ text: text.textContent ?? '', y: text.getBoundingClientRect().top }))
        .sort((a, b) => b.y - a.y)
        .map(label => label.text),
      background: ((rect: Element | null) => {
        const fill = rect ? getComputedStyle(rect).fill : 'none'
        return fill === 'none' || fill === 'transparent' || /rgba\(.*, 0\)$/.test(fill) ? null : fill
      })(svg.querySelector('rect.background'))
    }))
  )
}

export interface Wrapped {
  text: string
  /** Its height over one line's. */
  lines: number
}

/**
 * The table cells holding a number, a size, a line or a status (short text, no line break of
 * the report's own) whose text takes more than one line at the comment's width.
 */
export async function wrappedCells(page: Page): Promise<Wrapped[]> {
  return page.evaluate(() => {
    const found: { text: string; lines: number }[] = []
    for (const cell of document.querySelectorAll('.markdown-body td, .markdown-body th')) {
      const text = (cell.textContent ?? '').trim()
      if (text === '' || [...text].length > 24 || cell.querySelector('br')) continue
      const range = document.createRange()
      range.selectNodeContents(cell)
      const lineHeight = parseFloat(getComputedStyle(cell).lineHeight)
      const lines = range.getBoundingClientRect().height / lineHeight
      if (lines > 1.5) found.push({ text, lines: Math.round(lines * 10) / 10 })
    }
    return found
  })
}

/** The `<summary>` lines that take more than one line at the comment's width. */
export async function wrappedSummaries(page: Page): Promise<Wrapped[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.markdown-body summary')].flatMap(summary => {
      const range = document.createRange()
      range.selectNodeContents(summary)
      const lines = range.getBoundingClientRect().height / parseFloat(getComputedStyle(summary).lineHeight)
      return lines > 1.5 ? [{ text: (summary.textContent ?? '').trim(), lines: Math.round(lines * 10) / 10 }] : []
    })
  )
}

/** Blockquotes left after the alerts were made: GitHub shows them dimmed. */
export async function dimmedQuotes(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('.markdown-body blockquote')].map(quote => (quote.textContent ?? '').trim())
  )
}

/** The comment's box, for a screenshot cropped to it. */
export function commentBox(page: Page) {
  return page.locator('.comment')
}

/** WCAG's contrast ratio of two colours, each `#rrggbb` or `rgb(r, g, b)`. */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p) as [number, number]
  return (x + 0.05) / (y + 0.05)
}

function luminance(colour: string): number {
  const channels = colour.startsWith('#')
    ? [1, 3, 5].map(i => parseInt(colour.slice(i, i + 2), 16))
    : (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number)
  if (channels.length !== 3 || channels.some(Number.isNaN)) throw new Error(`Not a colour: '${colour}'`)
  const [r, g, b] = channels.map(v => {
    const c = v / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/**
 * GitHub's markdown styles, in the parts a comment uses (after github-markdown-css: system
 * font stack at 14 px, tables as blocks no wider than the comment, code spans at 85%,
 * blockquotes dimmed, alerts with a coloured bar), in its light and dark colours.
 */
const COLOURS: Record<Theme, Record<string, string>> = {
  light: {
    canvas: '#ffffff',
    fg: '#1f2328',
    muted: '#59636e',
    border: '#d1d9e0',
    subtle: '#f6f8fa',
    code: 'rgba(129,139,152,0.12)',
    link: '#0969da',
    tip: '#1a7f37',
    warning: '#9a6700',
    note: '#0969da',
    important: '#8250df',
    caution: '#d1242f'
  },
  dark: {
    canvas: '#0d1117',
    fg: '#f0f6fc',
    muted: '#9198a1',
    border: '#3d444d',
    subtle: '#151b23',
    code: 'rgba(101,108,118,0.2)',
    link: '#4493f8',
    tip: '#3fb950',
    warning: '#d29922',
    note: '#4493f8',
    important: '#ab7df8',
    caution: '#f85149'
  }
}

function pageHtml(body: string, theme: Theme): string {
  const c = COLOURS[theme]
  return `<!doctype html>
<html><head><meta charset="utf-8"><style>
html, body { margin: 0; background: ${c.canvas}; }
.comment { width: ${COMMENT_WIDTH}px; box-sizing: border-box; margin: 16px; border: 1px solid ${c.border}; border-radius: 6px; background: ${c.canvas}; }
.markdown-body { padding: 16px; color: ${c.fg}; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"; font-size: 14px; line-height: 1.5; word-wrap: break-word; }
.markdown-body > *:first-child { margin-top: 0 !important; }
.markdown-body > *:last-child { margin-bottom: 0 !important; }
.markdown-body p, .markdown-body blockquote, .markdown-body table, .markdown-body pre, .markdown-body details, .markdown-body .markdown-alert, .markdown-body .mermaid { margin-top: 0; margin-bottom: 16px; }
.markdown-body a { color: ${c.link}; text-decoration: none; }
.markdown-body strong { font-weight: 600; }
.markdown-body code, .markdown-body pre { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 85%; }
.markdown-body code { padding: .2em .4em; margin: 0; white-space: break-spaces; background-color: ${c.code}; border-radius: 6px; }
.markdown-body pre { padding: 16px; overflow: auto; line-height: 1.45; background-color: ${c.subtle}; border-radius: 6px; }
.markdown-body pre code { padding: 0; background: transparent; font-size: 100%; white-space: pre; }
.markdown-body sub { font-size: 75%; line-height: 0; vertical-align: sub; }
.markdown-body table { display: block; width: max-content; max-width: 100%; overflow: auto; border-spacing: 0; border-collapse: collapse; font-variant: tabular-nums; }
.markdown-body table th { font-weight: 600; }
.markdown-body table th, .markdown-body table td { padding: 6px 13px; border: 1px solid ${c.border}; }
.markdown-body table tr { background-color: ${c.canvas}; border-top: 1px solid ${c.border}; }
.markdown-body table tr:nth-child(2n) { background-color: ${c.subtle}; }
.markdown-body blockquote { margin-left: 0; margin-right: 0; padding: 0 1em; color: ${c.muted}; border-left: .25em solid ${c.border}; }
.markdown-body details summary { cursor: pointer; display: list-item; }
.markdown-body .markdown-alert { padding: .5rem 1rem; color: inherit; border-left: .25em solid ${c.border}; }
.markdown-body .markdown-alert > :last-child { margin-bottom: 0; }
.markdown-body .markdown-alert .markdown-alert-title { font-weight: 500; margin-bottom: 4px; }
${['note', 'tip', 'important', 'warning', 'caution']
  .map(
    kind =>
      `.markdown-body .markdown-alert-${kind} { border-left-color: ${c[kind]}; } .markdown-body .markdown-alert-${kind} .markdown-alert-title { color: ${c[kind]}; }`
  )
  .join('\n')}
</style></head>
<body><div class="comment"><div class="markdown-body">
${body}
</div></div></body></html>`
}
