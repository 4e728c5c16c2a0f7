import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'

// Tests mirror the source: `src/<folder>/<name>.ts` has `__tests__/<folder>/<name>.test.ts`
// (pure) or `.itg.test.ts` (a real engine, git or HTTP), so a reader finds a module's tests by
// its name. The files below have none of their own, each for the reason given: they are
// exercised through the module named, or hold only types or the entry's one call. A new
// source file either gets a test file of its name or a line here that says why not; a file
// that gets its test leaves the list. Paths are from src/, without `.ts`.
const EXERCISED_THROUGH_OTHERS: Record<string, string> = {
  index: "the action's entry, one call of run(): end-to-end/action.itg.test.ts runs the bundle",
  main: "run(), the action's orchestration: the end-to-end tests run it as the runner does",
  'cli/index': "the command's entry, one call: end-to-end/cli.itg.test.ts runs the bundled command",
  'cli/version': 'the version line cli/main prints: end-to-end/cli.itg.test.ts runs the command',
  'discover/bake-definition': 'parsing `bake --print`: discover/bake.test.ts, which tests bake discovery through it',
  'discover/bake-images': 'compose and bake targets at the two sides: discover/bake.test.ts',
  'discover/tree-paths': 'paths resolved in a commit tree: discover/bake.test.ts (symbolic links in a commit)',
  'discover/from-repository': 'images-from on a real repository: discover/images-source.itg.test.ts',
  'discover/pull-files': "the PR's changed files from the API: publish/sticky-comment.itg.test.ts, end-to-end tests",
  'explain/cause': 'the cause line of a grown image: report/markdown.test.ts and end-to-end/explain.itg.test.ts',
  'explain/instruction-growth': 'per-instruction growth: report/growth.test.ts through the comment it renders',
  'explain/path-tree': 'the path rows: explain/path-breakdown.test.ts and explain/layer-summary.test.ts',
  'inputs/comment-key':
    'the comment-key input: inputs/table.test.ts through the input table, publish/sticky-comment.itg.test.ts',
  'inputs/event-guard': "the event checks of the action's entry: end-to-end/fork*.itg.test.ts run it",
  'inputs/event': 'the event payload: inputs/inputs.test.ts through getInputs',
  'inputs/globs': 'the Dockerfile globs: discover/discover.test.ts and inputs/inputs.test.ts',
  'inputs/images-from': 'the images-from input: discover/images-source.itg.test.ts',
  'inputs/parse': "the table's value parsers: inputs/table.test.ts and inputs/inputs.test.ts",
  'inputs/records-ref': 'the records branch name: records/store.itg.test.ts',
  'measure/measure-image':
    'one image measured on a real engine: tools/docker.itg.test.ts, end-to-end/stores.itg.test.ts',
  'modes/merge-engines': 'merged runs of several engines, through modes/merge: modes/merge.test.ts',
  'modes/pipeline': 'the check from inputs to publish: serialized/artifact.test.ts and every end-to-end test',
  'modes/record': 'mode: record: end-to-end/records.itg.test.ts',
  'modes/workflow-run': 'the workflow_run half of a fork check: end-to-end/fork*.itg.test.ts',
  'publish/outputs': "the step's outputs: report/markdown.test.ts, report/fit.test.ts, end-to-end/faults.itg.test.ts",
  'publish/publish': 'comment, summary, outputs and status together: the end-to-end action tests',
  'records/baseline': 'a recorded base standing in for a build: end-to-end/records.itg.test.ts',
  'records/describe':
    "a record's description, through records/baseline and report/target: end-to-end/records.itg.test.ts",
  'records/references':
    "records of the config's registry images, and a PR's base from them: end-to-end/registry-records.itg.test.ts",
  'records/schema': 'the record format: records/fingerprint.test.ts and records/store.itg.test.ts',
  'records/signature': 'signed records: end-to-end/records.itg.test.ts (support/records-key.ts)',
  'registry/credentials': 'registry logins from the docker config: end-to-end/registry-*.itg.test.ts',
  'registry/image': 'an image measured from its registry manifests: end-to-end/registry-*.itg.test.ts',
  'report/cause': 'the cause row of the comment: report/markdown.test.ts, report/growth.test.ts',
  'report/failure-section': 'the failed-build section: report/readable.test.ts (a failed head build)',
  'report/growth-section': 'the per-instruction details: report/growth.test.ts',
  'report/links': 'links in the comment: report/readable.test.ts (links)',
  'report/order': 'the order of rows: report/markdown.test.ts and report/fit.test.ts',
  'report/size-meaning': "the footer's word on sizes: report/growth.test.ts (what size means)",
  'report/target': "an image's name in the comment: report/markdown.test.ts, report/hostile.test.ts",
  'serialized/run-file': 'the run file written and read: serialized/artifact.test.ts, modes/merge.test.ts',
  'serialized/schema': 'the run file schema: serialized/artifact.test.ts',
  'shared/errors': 'error classes, thrown and caught across every test of the steps',
  'shared/fields':
    'bounded log fields: scheduler/failed-step.test.ts, report/readable.test.ts, serialized/artifact.test.ts',
  'shared/forbidden-characters': 'the characters refused in fields, through shared/fields: report/hostile.test.ts',
  'shared/sizes': 'size formatting: inputs/thresholds.test.ts (formatting) and every report test',
  'shared/types': 'types only, and labelOf: every test of the steps',
  'tools/inside-repository':
    'symlinks out of the checkout: scheduler/confine.test.ts, discover/images-source.itg.test.ts',
  'tools/layer-entries': 'layer entries: explain/path-breakdown.test.ts, explain/layer-summary.test.ts',
  'tools/log': "the run's logger: every test of a step that logs, and the end-to-end logs",
  'tools/octokit': 'the GitHub client on the HTTP stand-in: publish/*.itg.test.ts, end-to-end tests',
  'tools/save-pair': 'two archives read in step: explain/path-breakdown.test.ts',
  'tools/tar': 'tar headers read from a saved image: measure/unpacked.test.ts, measure/compressed.test.ts'
}

const root = join(import.meta.dirname, '..', '..')

function sourceModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceModules(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')
      ? [relative(join(root, 'src'), path).slice(0, -3)]
      : []
  })
}

function hasOwnTest(module: string): boolean {
  return ['test.ts', 'itg.test.ts'].some(suffix => existsSync(join(root, '__tests__', `${module}.${suffix}`)))
}

const modules = sourceModules(join(root, 'src')).sort()
const untested = modules.filter(module => !hasOwnTest(module))

describe('tests that mirror src/', () => {
  it('give every source file a test file of its name, or a reason here why not', () => {
    const unexplained = untested.filter(module => !(module in EXERCISED_THROUGH_OTHERS))
    expect(unexplained).toEqual([])
  })

  it('list only source files that exist and still have no test of their own', () => {
    const stale = Object.keys(EXERCISED_THROUGH_OTHERS).filter(
      module => !modules.includes(module) || hasOwnTest(module)
    )
    expect(stale).toEqual([])
  })

  it('give each a reason of one line', () => {
    for (const reason of Object.values(EXERCISED_THROUGH_OTHERS)) expect(reason).toMatch(/^[^\n]{10,}$/)
  })
})
