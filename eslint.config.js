// ESLint with typescript-eslint's type-checked rules, run by `npm test` (`npm run lint`).
// The type-checked rules read the types through tsconfig.json: they catch what tsc allows
// but an action must not do, above all a promise nobody awaits (`no-floating-promises`),
// which in a run of awaited steps loses an error or lets the process exit mid-step.
import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

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
  {
    // The few plain modules jest loads as they are (its global setup and teardown).
    files: ['**/*.mjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } }
  }
)
