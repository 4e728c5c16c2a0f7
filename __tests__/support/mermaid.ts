// Mermaid's own parser, for tests that check a chart the comment holds. Mermaid sanitizes
// text through DOMPurify, which needs a DOM: a jsdom window is set up before mermaid is
// imported, and taken away after the tests (DOMPurify keeps the one it found). Left on the
// global, jest's cleanup between files walks the window's setters until the stack overflows.
import { afterAll, beforeAll } from '@jest/globals'
import { JSDOM } from 'jsdom'

export interface Mermaid {
  parse(text: string): Promise<unknown>
}

/** Call at the top of a test file; the returned function gives the parser once set up. */
export function useMermaid(): () => Mermaid {
  let mermaid: Mermaid | undefined
  beforeAll(async () => {
    const { window } = new JSDOM('')
    Object.assign(globalThis, { window, document: window.document })
    mermaid = ((await import('mermaid')) as unknown as { default: Mermaid }).default
  })
  afterAll(() => {
    const global = globalThis as { window?: { close(): void }; document?: unknown }
    global.window?.close()
    delete global.window
    delete global.document
  })
  return () => {
    if (!mermaid) throw new Error('useMermaid: the parser is set up in beforeAll')
    return mermaid
  }
}

/** The chart's text inside a fenced ```mermaid block. */
export function mermaidBody(fenced: string): string {
  return fenced.replace(/^```mermaid\n/, '').replace(/\n```$/, '')
}

/** Every ```mermaid block of a markdown text, without its fences. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```mermaid\n([\s\S]*?)\n```$/gm)].map(match => match[1] as string)
}
