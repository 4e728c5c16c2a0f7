// Two projects: `unit` tests are pure and fast; `integration` tests drive the real
// Docker engine, real git and the local GitHub API stand-in, and the bundled dist/.
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
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/__tests__/**/*.test.ts'], testPathIgnorePatterns: ['\\.itg\\.test\\.ts$'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/__tests__/**/*.itg.test.ts'] }
  ],
  testTimeout: 300000
}
