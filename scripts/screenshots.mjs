// `npm run docs:screenshots`: the pictures of the comment in docs/images/, from the browser
// test (__tests__/report/comment-browser.itg.test.ts), which renders each kind of comment as
// GitHub does in Debian's Chromium and keeps a PNG of each when DSC_SCREENSHOTS names a
// folder. The test runs without the integration project's bundle step: it needs no bundle.
// Chromium and its fonts: bash scripts/browser.sh.
import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import config from '../jest.config.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const target = join(root, 'docs', 'images')

/** The pictures the docs show: each kind once in the light theme, the trend in the dark one too. */
const KEPT = [
  'comment-regression-folded-light.png',
  'comment-regression-light.png',
  'comment-improvement-light.png',
  'comment-failed-build-light.png',
  'comment-many-images-folded-light.png',
  'comment-trend-light.png',
  'comment-trend-dark.png'
]

const integration = config.projects.find(project => project.displayName === 'integration')
// eslint-disable-next-line no-unused-vars -- the bundle step is what is left out
const { globalSetup: bundle, ...project } = integration
const runConfig = {
  ...project,
  rootDir: root,
  testTimeout: config.testTimeout,
  globalSetup: config.globalSetup,
  globalTeardown: config.globalTeardown
}

const shots = mkdtempSync(join(tmpdir(), 'dsc-screenshots-'))
try {
  const run = spawnSync(
    'npx',
    [
      'jest',
      '--config',
      JSON.stringify(runConfig),
      '__tests__/report/comment-browser.itg.test.ts',
      '-t',
      'reads right'
    ],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules', DSC_SCREENSHOTS: shots }
    }
  )
  if (run.status !== 0) {
    console.error('[screenshots] the browser test failed: the pictures are not updated.')
    process.exit(run.status ?? 1)
  }
  mkdirSync(target, { recursive: true })
  const made = new Set(readdirSync(shots))
  for (const name of KEPT) {
    if (!made.has(name)) throw new Error(`The browser test made no ${name}; it made ${[...made].join(', ')}.`)
    copyFileSync(join(shots, name), join(target, name))
    console.log(`[screenshots] docs/images/${name}: ${Math.round(statSync(join(target, name)).size / 1024)} KiB`)
  }
} finally {
  rmSync(shots, { recursive: true, force: true })
}
