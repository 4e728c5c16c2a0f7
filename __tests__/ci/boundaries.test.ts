import { describe, expect, it } from '@jest/globals'
import { ESLint } from 'eslint'
import { join } from 'node:path'

// The folders of src/ import only in the pipeline's order, checked by `npm run lint` through
// eslint.config.js. Here a backward import is linted as if it stood in src/, with the
// project's own config; only the boundary rule runs, so no type information is needed.
const root = join(import.meta.dirname, '..', '..')
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports'
})

async function lint(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) })
  return (result?.messages ?? []).map(message => `${message.ruleId ?? 'fatal'}: ${message.message}`)
}

describe('the pipeline order of src/ folders', () => {
  it('refuses an import from a later folder, and says the order', async () => {
    const messages = await lint(
      'src/inputs/backward.ts',
      "import { runPipeline } from '../modes/pipeline.js'\nexport const run = runPipeline\n"
    )
    expect(messages).toEqual([
      expect.stringMatching(
        /^no-restricted-imports: '\.\.\/modes\/pipeline\.js' import is restricted .*src\/inputs\/ may import only the folders before it in the pipeline \(shared → tools → registry → inputs → revisions → discover → measure → explain → records → scheduler → judge → report → serialized → publish → modes → cli\)/
      )
    ])
  })

  it('refuses a type import from a later folder too, and a step reaching up to main.ts', async () => {
    expect(
      await lint(
        'src/tools/backward.ts',
        "import type { Progress } from '../scheduler/progress.js'\nexport type P = Progress\n"
      )
    ).toHaveLength(1)
    expect(
      await lint('src/modes/backward.ts', "import { run } from '../main.js'\nexport const r = run\n")
    ).toHaveLength(1)
  })

  it('keeps shared/ a leaf: it imports nothing of the project', async () => {
    expect(
      await lint('src/shared/leaf.ts', "import { Docker } from '../tools/docker.js'\nexport const d = Docker\n")
    ).toEqual([
      expect.stringContaining('src/shared/ is the leaf every step imports: it imports nothing of the project')
    ])
  })

  it('lets a folder import the folders before it and its own files', async () => {
    const forward =
      "import { labelOf } from '../shared/types.js'\nimport { Docker } from '../tools/docker.js'\n" +
      "import { buildAndMeasure } from '../scheduler/schedule.js'\nimport { runRecord } from './record.js'\n" +
      'export const all = [labelOf, Docker, buildAndMeasure, runRecord]\n'
    expect(await lint('src/modes/forward.ts', forward)).toEqual([])
  })
})
