// Two projects: `unit` tests are pure and fast; `integration` tests drive the real
// Docker engine, real git and the local GitHub API stand-in, and a bundle of src/ that the
// integration project's globalSetup makes first (scripts/fresh-bundle.mjs), so end-to-end
// tests run the code as it is now, not the dist/ last committed.
const shared = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }]
  }
}

export default {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/__tests__/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.itg\\.test\\.ts$']
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/__tests__/**/*.itg.test.ts'],
      globalSetup: '<rootDir>/scripts/fresh-bundle.mjs'
    }
  ],
  testTimeout: 300000,
  // One temporary folder for the run, which must be empty at its end (temp-root.mjs).
  globalSetup: '<rootDir>/__tests__/support/temp-root-setup.mjs',
  globalTeardown: '<rootDir>/__tests__/support/temp-root-teardown.mjs'
}
