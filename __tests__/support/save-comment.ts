import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Keeps a comment a test run produced, for the README (set DSC_SAVE_COMMENTS to a folder; see npm run docs:comments). */
export function saveComment(name: string, body: string): void {
  const folder = process.env.DSC_SAVE_COMMENTS
  if (!folder) return
  mkdirSync(folder, { recursive: true })
  writeFileSync(join(folder, `${name}.md`), body)
}
