// Writes the inputs and outputs tables of README.md from action.yml, so the two never
// disagree. `npm run docs` rewrites the README between its table markers; a unit test
// fails when the README is behind action.yml.
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const cell = text => String(text).replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim()

export function renderTables(actionYaml) {
  const action = parse(actionYaml)
  const inputs = [
    '| Input | Default | Description |',
    '| :-- | :-- | :-- |',
    ...Object.entries(action.inputs).map(
      ([name, spec]) =>
        `| \`${name}\` | ${spec.default === '' || spec.default === undefined ? '' : `\`${cell(spec.default)}\``} | ${cell(spec.description)} |`
    )
  ]
  const outputs = [
    '| Output | Description |',
    '| :-- | :-- |',
    ...Object.entries(action.outputs).map(([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`)
  ]
  return { inputs: inputs.join('\n'), outputs: outputs.join('\n') }
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
  const readmePath = join(root, 'README.md')
  const sections = renderTables(readFileSync(join(root, 'action.yml'), 'utf8'))
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
  console.log(`README.md sections written: ${Object.keys(sections).join(', ')}`)
}
