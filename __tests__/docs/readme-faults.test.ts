import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

// Every row of docs/faults.md, "Faults and what happens", names the test that backs it: the
// file must exist and hold a test whose name contains the words after `›`.
const root = join(import.meta.dirname, '..', '..')
const page = readFileSync(join(root, 'docs', 'faults.md'), 'utf8')

function faultRows(): Array<{ fault: string; tests: Array<{ file: string; name: string }> }> {
  const start = page.indexOf('# Faults and what happens')
  // The section ends where the next one starts, if another follows.
  const end = page.indexOf('\n## ', start + 1)
  const section = page.slice(start, end === -1 ? undefined : end)
  return section
    .split('\n')
    .filter(line => line.startsWith('| ') && !line.startsWith('| Fault') && !line.startsWith('| :--'))
    .map(line => {
      const cells = line.split(/(?<!\\)\|/).map(cell => cell.trim())
      const tests = (cells[3] ?? '').split(/;\s*(?=`)/).map(ref => {
        const match = /`([\w./-]+\.ts)` › (.+)/.exec(ref.trim())
        return { file: match?.[1] ?? '', name: match?.[2]?.trim() ?? '' }
      })
      return { fault: cells[1] ?? '', tests }
    })
}

describe('the table of faults in docs/faults.md', () => {
  it('has a row for each fault the action handles', () => {
    expect(faultRows().length).toBeGreaterThanOrEqual(20)
  })

  it.each(faultRows().map(row => [row.fault, row.tests] as const))('backs %p with a test', (_, tests) => {
    expect(tests.length).toBeGreaterThan(0)
    for (const { file, name } of tests) {
      expect(file).not.toBe('')
      const source = readFileSync(join(root, '__tests__', file), 'utf8')
      expect(source).toContain(name)
    }
  })
})
