/**
 * Every input's default, as action.yml declares it. The runner passes action.yml's defaults
 * as INPUT_* variables, but not every runner does (GitHub's local runner and some others
 * pass none, or pass them unevaluated), and a run without them must not mean "no limit":
 * an input whose variable is absent takes its default from here. A unit test compares this
 * table with action.yml.
 *
 * `github-token` is the one exception: action.yml's default is the expression
 * `${{ github.token }}`, which only the runner can evaluate; without it there is no token.
 */
export const INPUT_DEFAULTS = {
  'github-token': '',
  dockerfiles: '',
  images: '',
  config: '',
  shard: '',
  reports: 'docker-size-reports',
  parallel: '1',
  'max-increase': '10%',
  'warn-increase': '',
  'compressed-size': 'false',
  'max-size': '',
  'limits-from': 'base',
  'missing-baseline': 'fail',
  'base-ref': '',
  'head-from': 'worktree',
  comment: 'changed',
  'comment-key': 'default',
  'comment-author': '',
  mode: 'check',
  'artifact-path': '',
  secrets: '',
  'keep-images': 'false',
  'images-from': 'auto',
  baseline: 'auto',
  'records-ref': 'refs/docker-size-check/records',
  'records-depth': '50',
  'records-key': '',
  'cache-from': '',
  'cache-to': '',
  'build-timeout': '30m',
  explain: 'paths,instructions'
} as const

export type InputName = keyof typeof INPUT_DEFAULTS

/** Defaults that action.yml writes as an expression the runner evaluates; the code has none. */
export const EXPRESSION_DEFAULTS: Partial<Record<InputName, string>> = { 'github-token': '${{ github.token }}' }
