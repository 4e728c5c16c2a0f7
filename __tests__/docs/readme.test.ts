import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { renderTables, updateReadme } from '../../scripts/docs.mjs'

const root = join(import.meta.dirname, '..', '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const actionYaml = readFileSync(join(root, 'action.yml'), 'utf8')

describe('the README', () => {
  it('opens with the demo and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    expect(firstBlock.split('\n')[0]).toMatch(/^npm run demo\b/)
    expect(firstBlock.split('\n')[1]).toMatch(/^npm test\b/)
  })

  it('documents every input and output of action.yml, as `npm run docs` writes them', () => {
    expect(updateReadme(readme, renderTables(actionYaml))).toBe(readme)
    const action = parse(actionYaml) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> }
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
      expect(readme).toContain(`| \`${name}\` |`)
    }
  })

  it('quotes comments that a test run posted', () => {
    expect(readme).toContain(
      '<!-- comment-regression:start -->\n> **Docker image sizes** · ❌ 1 image grew past the limit'
    )
    expect(readme).toContain('<!-- comment-improvement:start -->\n> **Docker image sizes** · ✅ 1 image shrank')
  })
})
