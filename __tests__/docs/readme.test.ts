import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { renderTables, updateReadme } from '../../scripts/docs.mjs'
import { ACTION_INPUTS } from '../../src/inputs/table.js'

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
    expect(updateReadme(readme, renderTables(actionYaml, ACTION_INPUTS))).toBe(readme)
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

describe("the README's own commands", () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string
    scripts: Record<string, string>
  }

  it('name only scripts package.json has', () => {
    const named = [...readme.matchAll(/\bnpm run (?:--silent )?([\w:-]+)/g)].map(match => match[1])
    expect(named.length).toBeGreaterThan(5)
    expect(named.filter(name => name === undefined || !(name in pkg.scripts))).toEqual([])
    expect(Object.keys(pkg.scripts)).toContain('test')
  })

  it('run scripts whose files exist (a script naming a moved test file finds nothing and fails)', () => {
    const missing: string[] = []
    for (const [name, command] of Object.entries(pkg.scripts)) {
      for (const [path] of command.matchAll(/(?:scripts|__tests__|src)\/[\w./-]+/g)) {
        if (!existsSync(join(root, path))) missing.push(`${name}: ${path}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('install the tarball `npm pack` writes for this version, and keep npx for after publication', () => {
    expect(readme).toContain(`npm install -g ./docker-size-check-${pkg.version}.tgz`)
    const npx = readme.split('\n').filter(line => line.includes('npx docker-size-check'))
    expect(npx).toEqual([expect.stringMatching(/^Once the package is published, `npx docker-size-check`/)])
  })
})

describe('the "Where things are" map', () => {
  const start = readme.indexOf('### Where things are')
  const map = readme.slice(start, readme.indexOf('\n#', start + 1))

  it('names paths that exist, and the functions it names are exported there', () => {
    expect(start).toBeGreaterThan(-1)
    const paths = [...map.matchAll(/`((?:src|__tests__)\/[\w./-]*)`/g)].map(match => match[1] ?? '')
    expect(paths.length).toBeGreaterThan(15)
    expect(paths.filter(path => !existsSync(join(root, path)))).toEqual([])
    const named = [...map.matchAll(/`(src\/[\w./-]+\.ts)` \(`(\w+)`\)/g)]
    expect(named).toHaveLength(4)
    for (const [, path, name] of named) {
      expect({ path, exports: readFileSync(join(root, path ?? ''), 'utf8') }).toMatchObject({
        exports: expect.stringMatching(new RegExp(`^export (async )?function ${name}\\b`, 'm'))
      })
    }
  })

  it('has a row for every folder of src/, and names each file it mentions within its folder', () => {
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true }).filter(entry => entry.isDirectory())
    for (const folder of folders) {
      const row = map.split('\n').find(line => line.startsWith(`| \`src/${folder.name}/\` |`))
      expect({ folder: folder.name, row: row !== undefined }).toEqual({ folder: folder.name, row: true })
      for (const [, file] of (row ?? '').matchAll(/`([\w-]+\.ts)`/g)) {
        expect(existsSync(join(root, 'src', folder.name, file ?? ''))).toBe(true)
      }
    }
  })
})
