import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Keeps a comment a test run produced, for the README (set DSC_SAVE_COMMENTS to a folder; see npm run docs:comments). */
export function saveComment(name: string, body: string): void {
  const folder = process.env.DSC_SAVE_COMMENTS
  if (!folder) return
  mkdirSync(folder, { recursive: true })
  writeFileSync(join(folder, `${name}.md`), body)
}

/**
 * Keeps the JSON report of the same run beside its comment: the browser test renders the
 * comment again from such a report (`__fixtures__/reports/`), so a renderer change shows on
 * figures measured on a real engine.
 */
export function saveReport(name: string, report: unknown): void {
  const folder = process.env.DSC_SAVE_COMMENTS
  if (!folder) return
  mkdirSync(folder, { recursive: true })
  writeFileSync(join(folder, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`)
}
