// Writes action.yml's inputs and the inputs and outputs tables of README.md from the input
// table (src/inputs/table.ts) and action.yml's outputs, so that none of them disagree.
// `npm run docs` rewrites action.yml's `inputs:` and the README between its table markers;
// unit tests fail when either is behind the table.
import { readFileSync, writeFileSync } from 'node:fs'
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

export function updateReadme(readme, sections) {
  let text = readme
  for (const [name, table] of Object.entries(sections)) {
    const pattern = new RegExp(`(<!-- ${name}:start -->)[\\s\\S]*?(<!-- ${name}:end -->)`)
    if (!pattern.test(text)) throw new Error(`README.md has no <!-- ${name}:start --> … <!-- ${name}:end --> markers`)
    text = text.replace(pattern, (_, start, end) => `${start}\n${table}\n${end}`)
  }
  return text
}

/**
 * A comment as a test run posted it, quoted for the README: the hidden marker line goes,
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
      // apt names its lists after the mirror's host: the README names no package registry's host.
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
  const readmePath = join(root, 'README.md')
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
    // apt names its lists after the mirror's host: the README names no package registry's host.
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
  writeFileSync(readmePath, updateReadme(readFileSync(readmePath, 'utf8'), sections))
  console.log(`action.yml inputs and README.md sections written: ${Object.keys(sections).join(', ')}`)
}
