// ESLint with typescript-eslint's type-checked rules, run by `npm test` (`npm run lint`).
// The type-checked rules read the types through tsconfig.json: they catch what tsc allows
// but an action must not do, above all a promise nobody awaits (`no-floating-promises`),
// which in a run of awaited steps loses an error or lets the process exit mid-step.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

// The pipeline's order: a folder of src/ imports only the folders before it, so a step never
// reaches forward into a later one (to get a type, say: types and errors live in shared/,
// which imports nothing of the project). `npm run lint` fails on a backward import
// (__tests__/ci/boundaries.test.ts lints one and checks the message). main.ts and index.ts
// at the top call the modes; cli/ is the command's front end, beside them.
export const PIPELINE_ORDER = [
  'shared',
  'tools',
  'registry',
  'inputs',
  'revisions',
  'discover',
  'measure',
  'explain',
  'records',
  'scheduler',
  'judge',
  'report',
  'serialized',
  'publish',
  'modes',
  'cli'
]

function pipelineBoundaries() {
  const order = PIPELINE_ORDER.join(' → ')
  return PIPELINE_ORDER.map((folder, index) => {
    const later = PIPELINE_ORDER.slice(index + 1)
    const patterns =
      folder === 'shared'
        ? [
            {
              regex: '^\\.\\./',
              message: 'src/shared/ is the leaf every step imports: it imports nothing of the project.'
            }
          ]
        : [
            {
              // Any import that climbs out of src/<folder>/ into a later folder, or up to main.ts/index.ts.
              regex: `^(?:\\.\\./)+(?:${later.join('|')}|main|index)(?:/|\\.js$|$)`,
              message: `src/${folder}/ may import only the folders before it in the pipeline (${order}): move what both need into src/shared/, or the code into the later folder.`
            }
          ]
    return {
      files: [`src/${folder}/**/*.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns }] }
    }
  })
}

export default defineConfig(
  { ignores: ['dist/', 'build/', 'coverage/', 'node_modules/', '.tmp/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error'
    }
  },
  ...pipelineBoundaries(),
  {
    // The few plain modules jest loads as they are (its global setup and teardown).
    files: ['**/*.mjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } }
  }
)
