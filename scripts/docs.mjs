// Writes the generated parts of the documentation: action.yml's inputs and the inputs table
// from the input table (src/inputs/table.ts), the outputs table from action.yml, so that none
// of them disagree, and (with flags) the comments, the demo's output and the benchmark pasted
// from runs. Each part sits between `<!-- name:start -->` and `<!-- name:end -->` markers in
// one of the documentation files (README.md, CONTRIBUTING.md, docs/*.md); unit tests fail
// when action.yml or a file is behind the table.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { register } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Document, parse } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const cell = text => String(text).replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim()

/** `inputs`: the input table's ACTION_INPUTS (name, default, description); the outputs come from action.yml. */
export function renderTables(actionYaml, inputs) {
  const action = parse(actionYaml)
  const rows = [
    '| Input | Default | Description |',
    '| :-- | :-- | :-- |',
    ...inputs.map(
      input =>
        `| \`${input.name}\` | ${input.default === '' ? '' : `\`${cell(input.default)}\``} | ${cell(input.description)} |`
    )
  ]
  const outputs = [
    '| Output | Description |',
    '| :-- | :-- |',
    ...Object.entries(action.outputs).map(([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`)
  ]
  return { inputs: rows.join('\n'), outputs: outputs.join('\n') }
}

/** action.yml with its `inputs:` written from the input table's ACTION_INPUTS; the rest stays as it is. */
export function updateActionInputs(actionYaml, inputs) {
  const document = new Document({ inputs: {} })
  const block = document.get('inputs')
  for (const input of inputs) {
    const description = document.createNode(input.description)
    // Folded over lines, as a person writes a long one: it reads better and diffs by line.
    if (input.description.length > 100) description.type = 'BLOCK_FOLDED'
    block.set(input.name, document.createNode({ description, required: false, default: input.default }))
  }
  const section = /^inputs:\n(?:[ \t].*\n|\n)*/m
  if (!section.test(actionYaml)) throw new Error('action.yml has no inputs: section')
  const text = document.toString({ lineWidth: 116, minContentWidth: 60, singleQuote: true })
  return actionYaml.replace(section, () => `${text}\n`)
}

/** The documentation files, relative to the repository root: README.md first. */
export function docFiles() {
  const docs = readdirSync(join(root, 'docs'))
    .filter(name => name.endsWith('.md'))
    .sort()
    .map(name => `docs/${name}`)
  return ['README.md', 'CONTRIBUTING.md', ...docs]
}

const markers = name => new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`)

/** `text` with each of `sections` that it has markers for written between them. */
export function updateSections(text, sections) {
  let updated = text
  for (const [name, body] of Object.entries(sections)) {
    updated = updated.replace(markers(name), (_, start, end) => `${start}\n${body}\n${end}`)
  }
  return updated
}

/** Writes each section into the one documentation file that has its markers. */
function writeSections(sections) {
  const texts = new Map(docFiles().map(file => [file, readFileSync(join(root, file), 'utf8')]))
  for (const name of Object.keys(sections)) {
    const holders = [...texts].filter(([, text]) => markers(name).test(text))
    if (holders.length !== 1) {
      throw new Error(
        `<!-- ${name}:start --> … <!-- ${name}:end --> must be in exactly one of ${[...texts.keys()].join(', ')}; found in ${holders.length}`
      )
    }
  }
  for (const [file, text] of texts) {
    const updated = updateSections(text, sections)
    if (updated !== text) writeFileSync(join(root, file), updated)
  }
}

/**
 * A comment as a test run posted it, quoted for the documentation: the hidden marker line goes,
 * and commit links become plain short SHAs (the test's repository exists nowhere).
 */
export function quoteComment(body) {
  return (
    body
      .split('\n')
      .filter(line => !line.startsWith('<!-- docker-size-check:'))
      .join('\n')
      // The links point into the test's own repository, which no reader can open.
      .replace(/\[(`[0-9a-f]{7}`)\]\([^)]*\)/g, '$1')
      .replace(/\[(`[^`]+`|L\d+|line \d+)\]\(https:\/\/github\.com\/octo\/app\/blob\/[^)\s]*\)/g, '$1')
      .replace(/<a href="https:\/\/github\.com\/octo\/app\/blob\/[^"]*">([\s\S]*?)<\/a>/g, '$1')
      // apt names its lists after the mirror's host: the documentation names no package registry's host.
      .replace(/(\/var\/lib\/apt\/lists\/)[A-Za-z0-9.-]+?_/g, '$1<mirror>_')
      .split('\n')
      .map(line => (line ? `> ${line}` : '>'))
      .join('\n')
  )
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // The table is TypeScript, which Node 20 does not run: these hooks transpile it on import.
  register('./typescript-hooks.mjs', import.meta.url)
  const { ACTION_INPUTS } = await import('../src/inputs/table.ts')
  const actionPath = join(root, 'action.yml')
  writeFileSync(actionPath, updateActionInputs(readFileSync(actionPath, 'utf8'), ACTION_INPUTS))
  const sections = renderTables(readFileSync(actionPath, 'utf8'), ACTION_INPUTS)
  // --comments DIR: the comments that `DSC_SAVE_COMMENTS=DIR` made the calculator test keep.
  const commentsAt = process.argv.indexOf('--comments')
  if (commentsAt > 0) {
    const dir = process.argv[commentsAt + 1]
    sections['comment-regression'] = quoteComment(readFileSync(join(dir, 'calculator-regression.md'), 'utf8'))
    sections['comment-improvement'] = quoteComment(readFileSync(join(dir, 'calculator-improvement.md'), 'utf8'))
    sections['comment-trend'] = quoteComment(readFileSync(join(dir, 'records-trend.md'), 'utf8'))
  }
  // --demo FILE: what `npm run --silent demo` printed, kept as it was.
  const demoAt = process.argv.indexOf('--demo')
  if (demoAt > 0) {
    // apt names its lists after the mirror's host: the documentation names no package registry's host.
    const output = readFileSync(process.argv[demoAt + 1], 'utf8')
      .trimEnd()
      .replace(/(\/var\/lib\/apt\/lists\/)[A-Za-z0-9.-]+?_/g, '$1<mirror>_')
    sections.demo = `\`\`\`console\n$ npm run --silent demo\n${output}\n\`\`\``
  }
  // --bench FILE: what `npm run --silent bench` printed (the table and its JSON line).
  const benchAt = process.argv.indexOf('--bench')
  if (benchAt > 0) {
    const output = readFileSync(process.argv[benchAt + 1], 'utf8').trim()
    sections.bench = `\`\`\`text\n$ npm run --silent bench\n${output}\n\`\`\``
  }
  writeSections(sections)
  console.log(`action.yml's inputs and documentation sections written: ${Object.keys(sections).join(', ')}`)
}
