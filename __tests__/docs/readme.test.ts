import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse } from 'yaml'
import { docFiles, renderTables, updateSections } from '../../scripts/docs.mjs'
import { ACTION_INPUTS } from '../../src/inputs/table.js'

const root = join(import.meta.dirname, '..', '..')
const read = (file: string): string => readFileSync(join(root, file), 'utf8')
const readme = read('README.md')
const contributing = read('CONTRIBUTING.md')
const actionYaml = read('action.yml')
/** Every documentation file, README.md first, with its text. */
const docs = docFiles().map(file => ({ file, text: read(file) }))
const allDocs = docs.map(doc => doc.text).join('\n')

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')
}

/** The headings of a markdown text outside code fences. */
function headings(text: string): string[] {
  let fence = false
  const found: string[] = []
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fence = !fence
    const match = fence ? null : /^#+ (.*)$/.exec(line)
    if (match?.[1] !== undefined) found.push(anchor(match[1]))
  }
  return found
}

describe('the README as a front page', () => {
  it('shows the workflow to copy on its first screen', () => {
    const firstUses = readme.split('\n').findIndex(line => /^\s*- uses: docker-size-check\//.test(line))
    expect(firstUses).toBeGreaterThan(-1)
    expect(firstUses + 1).toBeLessThanOrEqual(60)
  })

  it('is under 350 lines, with the depth in docs/', () => {
    expect(readme.split('\n').length).toBeLessThan(350)
  })

  it('links every page under docs/', () => {
    const pages = docs.map(doc => doc.file).filter(file => file.startsWith('docs/'))
    expect(pages.length).toBeGreaterThanOrEqual(8)
    expect(pages.filter(page => !readme.includes(`](${page})`))).toEqual([])
  })

  it('has relative links, in every documentation file, to files and headings that exist', () => {
    const broken: string[] = []
    for (const { file, text } of docs) {
      // Links in prose only: code blocks and code spans show text, not links.
      const prose = text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '')
      for (const [, target = ''] of prose.matchAll(/\]\(((?!https?:|mailto:)[^)\s]+)\)/g)) {
        const [path = '', hash] = target.split('#')
        const resolved = path === '' ? file : join(dirname(file), path)
        if (!existsSync(join(root, resolved))) broken.push(`${file}: ${target} (no file)`)
        else if (hash !== undefined && resolved.endsWith('.md') && !headings(read(resolved)).includes(hash)) {
          broken.push(`${file}: ${target} (no heading)`)
        }
      }
    }
    expect(broken).toEqual([])
  })
})

describe('the README', () => {
  it('opens with the demo and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''
    expect(firstBlock.split('\n')[0]).toMatch(/^npm run demo\b/)
    expect(firstBlock.split('\n')[1]).toMatch(/^npm test\b/)
  })

  it('documents every input and output of action.yml, as `npm run docs` writes them', () => {
    expect(updateSections(readme, renderTables(actionYaml, ACTION_INPUTS))).toBe(readme)
    const action = parse(actionYaml) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> }
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)]) {
      expect(readme).toContain(`| \`${name}\` |`)
    }
  })

  it('quotes comments that a test run posted', () => {
    expect(readme).toContain(
      '<!-- comment-regression:start -->\n> **Docker image sizes** · ❌ 1 image grew past the limit'
    )
    expect(read('docs/comment.md')).toContain(
      '<!-- comment-improvement:start -->\n> **Docker image sizes** · ✅ 1 image shrank'
    )
  })
})

describe("the documentation's own commands", () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string
    scripts: Record<string, string>
  }

  it('name only scripts package.json has', () => {
    const named = [...allDocs.matchAll(/\bnpm run (?:--silent )?([\w:-]+)/g)].map(match => match[1])
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
    const npx = allDocs.split('\n').filter(line => line.includes('npx docker-size-check'))
    expect(npx).toEqual([expect.stringMatching(/^Once the package is published, `npx docker-size-check`/)])
  })
})

describe('the "Where things are" map in CONTRIBUTING.md', () => {
  const start = contributing.indexOf('## Where things are')
  const map = contributing.slice(start, contributing.indexOf('\n#', start + 1))

  it('names paths that exist, and the functions it names are defined there', () => {
    expect(start).toBeGreaterThan(-1)
    const paths = [...map.matchAll(/`((?:src|__tests__)\/[\w./-]*)`/g)].map(match => match[1] ?? '')
    expect(paths.length).toBeGreaterThan(15)
    expect(paths.filter(path => !existsSync(join(root, path)))).toEqual([])
    const named = [...map.matchAll(/`(src\/[\w./-]+\.ts)` \(`(\w+)`\)/g)]
    expect(named.length).toBeGreaterThanOrEqual(10)
    for (const [, path, name] of named) {
      // Exported or not: a function only its own file calls is no export (npm run lint:exports).
      expect({ path, source: readFileSync(join(root, path ?? ''), 'utf8') }).toMatchObject({
        source: expect.stringMatching(new RegExp(`^(export )?(async )?function ${name}\\b`, 'm'))
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
