import { InputError } from '../shared/errors.js'
import { DEFAULT_BUILD_TIMEOUT, parseDuration } from './duration.js'
import { parseExplain } from './explain-input.js'
import { IMAGES_FROM } from './images-from.js'
import { parseImagesInput } from './images-config.js'
import { parseSecrets, secretsFromEnvironment } from './secrets.js'
import { parseShard } from './shard.js'
import { parseGrowthThreshold, parseSizeBudget } from './thresholds.js'
import {
  BASELINE_MODES,
  COMMENT_MODES,
  DEFAULT_RECORDS_DEPTH,
  DEFAULT_REPORTS,
  parseBoolean,
  parseBuilderName,
  parseChoice,
  parseCommentAuthor,
  parseCommentKey,
  parseDockerfileGlobs,
  parseList,
  parseParallel,
  parseRecordsDepth,
  parseRecordsRef,
  parseRevision,
  RUN_MODES
} from './parse.js'
import { DEFAULT_RECORDS_REF } from './records-ref.js'
import { parseCacheInput } from './cache-input.js'

/**
 * One input of the action: everything about it in one place. From this table come the
 * action's reading of its inputs (`getInputs`), the command's flags and `--help`
 * (`cli/args.ts`), action.yml's `inputs:` and the README's inputs table (`npm run docs`),
 * and the unit test that holds action.yml to it. A new input is one more entry.
 */
export interface InputSpec<Name extends string, T> {
  /** The input's name in action.yml (`max-increase`). */
  name: Name
  /** What users read: action.yml's description and the README's table. */
  description: string
  /** action.yml's default, as text: what an input the runner did not pass takes. */
  default: string
  /**
   * action.yml's default when it is an expression only the runner evaluates (`${{ github.token }}`);
   * without the runner there is no value, and `default` stands.
   */
  runnerDefault?: string
  /** Read the value with its surrounding blanks (a secret's trailing space is part of it). */
  untrimmed?: true
  /**
   * The text (the input's, or the flag's) to the setting. `label` is the name the user
   * gave it by, for the errors: the input's name in the action, `--flag` in the command.
   */
  parse: (text: string, label: string) => T
  /** The command's flag for this input, or why there is none. */
  flag: FlagSpec<T> | { none: string }
}

/** How the command takes an input. */
export interface FlagSpec<T> {
  /** Without the dashes: `max-increase` for --max-increase. */
  name: string
  /** What --help shows for the value (`LIMIT`); absent: a switch, which sets the input to `true`. */
  value?: string
  /** The line of --help. */
  help: string
  /** Repeatable; the values are read as the input's lines. */
  multiple?: true
  /**
   * Reads the flag where it differs from the input (null: not given); without it, the flag's
   * value is parsed as the input's text, and a flag not given takes the input's default.
   */
  read?: (values: string[] | null, label: string, env: NodeJS.ProcessEnv) => T
}

function input<const Name extends string, T>(spec: InputSpec<Name, T>): InputSpec<Name, T> {
  return spec
}

const choice =
  <T extends string>(choices: readonly T[], fallback: T) =>
  (text: string, label: string): T =>
    parseChoice(label, text, choices, fallback)

const boolean = (text: string, label: string) => parseBoolean(label, text, false)

const asIs = (text: string) => text

/** The inputs in action.yml's order, each under the name of the setting it becomes. */
export const INPUT_TABLE = {
  githubToken: input({
    name: 'github-token',
    description: "Token to read the PR's files and to post the comment. Needs `pull-requests: write` to comment.",
    default: '',
    runnerDefault: '${{ github.token }}',
    parse: asIs,
    flag: { none: 'the command calls no GitHub API: it reads the repository with git' }
  }),
  dockerfileGlobs: input({
    name: 'dockerfiles',
    description:
      'Globs of the Dockerfiles to check, one a line or separated by commas, from the repository root; ' +
      'a glob starting with `!` excludes. Matched in any case. Empty means the usual names at any ' +
      'depth: Dockerfile, Dockerfile.*, Dockerfile-*, *.Dockerfile, Containerfile, Containerfile.*, ' +
      '*.Containerfile.',
    default: '',
    parse: parseDockerfileGlobs,
    flag: {
      name: 'dockerfile',
      value: 'GLOB',
      multiple: true,
      help: 'Dockerfiles to check, from the repository root; repeatable; a glob starting with ! excludes. Default: the usual names at any depth.',
      read: (values, label) => {
        const text = (values ?? []).join('\n')
        if (values !== null && parseList(text).length === 0) {
          throw new InputError(`Flag ${label} is empty. Give a glob such as ${label} 'services/*/Dockerfile'.`)
        }
        return parseDockerfileGlobs(text, label)
      }
    }
  }),
  images: input({
    name: 'images',
    description:
      'The images to check, as a YAML list: each entry a `dockerfile` with optional `name`, `context`, ' +
      '`target`, `build-args`, `platform`, `max-increase`, `warn-increase`, `max-size` and `watch` (see ' +
      'docs/monorepos.md). When set, only these images are checked and `dockerfiles` is ' +
      'not used. Empty: the config file if there is one, else every Dockerfile that `dockerfiles` ' +
      'matches, its folder as the context.',
    default: '',
    parse: (text, label) => parseImagesInput(text, label),
    flag: {
      name: 'images',
      value: 'YAML',
      help: 'The images to check, as the images input takes them (a YAML list of dockerfile, context, name, …); replaces the config file.'
    }
  }),
  configFile: input({
    name: 'config',
    description:
      'Path of a config file (from the repository root) whose `images` key lists the images, as the ' +
      '`images` input does. Empty: `.github/docker-size-check.yml` when it exists.',
    default: '',
    parse: asIs,
    flag: {
      name: 'config',
      value: 'FILE',
      help: 'The images config file, from the repository root. Default: .github/docker-size-check.yml when it exists.',
      read: (values, label) => {
        const file = values?.[0]?.trim() ?? ''
        if (values !== null && file === '') {
          throw new InputError(`Flag ${label} needs a file name: ${label} .github/docker-size-check.yml.`)
        }
        return file
      }
    }
  }),
  imagesFrom: input({
    name: 'images-from',
    description:
      'Where the images to check come from: `auto` (the `images` input or config file, else a bake file ' +
      '`docker-bake.hcl`/`docker-bake.json`/`docker-bake.override.hcl`, else a compose file ' +
      '`compose.yaml`/`compose.yml`/`docker-compose.yaml`/`docker-compose.yml`, in any folder, each ' +
      "folder's bake files before its compose file, else every Dockerfile the `dockerfiles` globs match), " +
      'or one of `config`, `bake`, `compose`, `dockerfiles` alone. Compose and bake files are read by ' +
      "`docker buildx bake --print` from their own folder at each side's commit, with no token or runner " +
      'variable in its environment (see docs/compose-and-bake.md).',
    default: 'auto',
    parse: choice(IMAGES_FROM, 'auto'),
    flag: {
      name: 'images-from',
      value: 'FROM',
      help: 'Where the images come from: auto (the config file, else the bake and compose files in any folder, else the Dockerfiles), config, bake, compose or dockerfiles. Default: auto.'
    }
  }),
  shard: input({
    name: 'shard',
    description:
      'Check only one slice of the affected images, INDEX/TOTAL (`2/4`), for a matrix of jobs; a shard ' +
      'writes its JSON report and leaves the comment and the verdict to a `mode: merge` job. Empty: ' +
      'every affected image.',
    default: '',
    parse: parseShard,
    flag: { none: 'splits the images between the jobs of a workflow matrix; one machine checks them all' }
  }),
  reports: input({
    name: 'reports',
    description:
      "For `mode: merge`: a folder (searched at any depth for `.json` files) or a glob of the shards' " +
      'reports, from the workspace, as `actions/download-artifact` left them.',
    default: DEFAULT_REPORTS,
    parse: text => text || DEFAULT_REPORTS,
    flag: { none: 'for mode: merge, which joins the reports of a workflow’s shards' }
  }),
  parallel: input({
    name: 'parallel',
    description:
      'How many images may be built at once (1 to 32). More than 1 helps when builds wait on the ' +
      'network or one core; a hosted runner has 2 to 4 cores. With BuildKit the head and base of one ' +
      'image build side by side, sharing the steps they have in common; with the legacy builder the ' +
      'base waits for the head.',
    default: '1',
    parse: parseParallel,
    flag: { name: 'parallel', value: 'N', help: 'How many builds may run at once. Default: 1.' }
  }),
  buildTimeoutMs: input({
    name: 'build-timeout',
    description:
      'How long one build may take: whole hours, minutes or seconds (30m, 90s, 1h, 1h30m). A build past ' +
      'it is stopped, its image is an error with the reason, and the rest of the run is still reported.',
    default: DEFAULT_BUILD_TIMEOUT,
    parse: (text, label) => parseDuration(label, text),
    flag: {
      name: 'build-timeout',
      value: 'DURATION',
      help: `How long one build may take (30m, 90s, 1h); past it, it is stopped and its image is an error. Default: ${DEFAULT_BUILD_TIMEOUT}.`
    }
  }),
  maxIncrease: input({
    name: 'max-increase',
    description:
      'How much an image may grow before the check fails: a size (25MB, 1.5GiB, 512kB, plain bytes), a ' +
      'share of the base size (10%), or both (10%, 5MB: fails only when the growth passes both). Empty: ' +
      'no limit.',
    default: '10%',
    parse: (text, label) => parseGrowthThreshold(label, text),
    flag: {
      name: 'max-increase',
      value: 'LIMIT',
      help: "How much an image may grow: 25MB, 10%, or both (10%,5MB: fails only past both). '' for no limit. Default: 10%."
    }
  }),
  warnIncrease: input({
    name: 'warn-increase',
    description:
      'Like max-increase, but growth past it only warns (a warning annotation and a warn verdict). Empty: none.',
    default: '',
    parse: (text, label) => parseGrowthThreshold(label, text),
    flag: { name: 'warn-increase', value: 'LIMIT', help: 'Like --max-increase, but growth past it only warns.' }
  }),
  compressedSize: input({
    name: 'compressed-size',
    description:
      'Also measure each image as a registry stores it and show that pull size beside the uncompressed ' +
      "size, with its own delta: on the containerd image store the stored layers' sizes (read in the " +
      'pass that measures the image), on overlay2 a gzip estimate from a streamed `docker save`, which ' +
      'costs about a second per 50 MB of image on 2 cores.',
    default: 'false',
    parse: boolean,
    flag: {
      name: 'compressed-size',
      help: 'Also measure each image gzip-compressed, as a registry stores it (its pull size).'
    }
  }),
  explain: input({
    name: 'explain',
    description:
      'What the comment explains about an image whose size changed, beyond the sizes: `paths` (the ' +
      'folders and files that grew or shrank, with the instruction that put them there and hints such ' +
      'as a package cache left in the image; it reads the layers the two images do not share from a ' +
      'streamed `docker save`), `instructions` (the Dockerfile instructions that moved the most bytes), ' +
      "both (the default), or `none`. With `mode: record`, `paths` also keeps each image's layers, " +
      'summed by folder, in its record, for the PRs whose base it is.',
    default: 'paths,instructions',
    parse: parseExplain,
    flag: {
      name: 'explain',
      value: 'WHAT',
      help: 'What to explain about an image that changed: paths, instructions, both (paths,instructions: the default) or none.'
    }
  }),
  maxSize: input({
    name: 'max-size',
    description: "A budget for any image's absolute size at the head (500MB, 1GiB); new images are held only to it.",
    default: '',
    parse: (text, label) => parseSizeBudget(label, text),
    flag: { name: 'max-size', value: 'SIZE', help: "A budget for any image's size at the head (500MB, 1GiB)." }
  }),
  limitsFrom: input({
    name: 'limits-from',
    description:
      "Whose config file sets the limits a PR is judged by: `base` (the base commit's, so a PR that " +
      'raises its own limit is held to the old one until it is merged; the comment says what it ' +
      "changes) or `head` (the PR's own). Each side is built as its own commit's config defines it " +
      'either way.',
    default: 'base',
    parse: choice(['base', 'head'] as const, 'base'),
    flag: {
      name: 'limits-from',
      value: 'SIDE',
      help: 'Whose config file sets the limits: base (the default: a branch cannot loosen its own check) or head.'
    }
  }),
  missingBaseline: input({
    name: 'missing-baseline',
    description:
      'What an image is when it exists at the base but its base build fails (there is nothing to ' +
      'compare with): `fail` makes it an error, and the check fails; `warn` makes it a warning, held ' +
      'only to max-size. A Dockerfile the PR adds has no base by nature and is never one of these.',
    default: 'fail',
    parse: choice(['fail', 'warn'] as const, 'fail'),
    flag: {
      name: 'missing-baseline',
      value: 'POLICY',
      help: 'What an image whose base cannot be built is: fail (an error, the default) or warn.'
    }
  }),
  baseRef: input({
    name: 'base-ref',
    description:
      'Branch, tag or commit to compare against; the baseline is its merge-base with the head. Empty: ' +
      "the PR's base branch.",
    default: '',
    parse: asIs,
    flag: {
      name: 'base',
      value: 'REF',
      help: 'Compare with the merge-base of the head and REF (branch, tag or commit). Default: the remote default branch, else main, else master.',
      read: (values, label) => (values === null ? '' : parseRevision(values[0] ?? '', label))
    }
  }),
  headFrom: input({
    name: 'head-from',
    description:
      '`worktree` builds the head from a clean checkout of its commit; `workspace` builds it from the ' +
      'workspace as it stands (for workflows whose earlier steps generate build inputs); `working-tree` ' +
      "from git's view of the workspace: tracked files as they stand and untracked files that are not " +
      'ignored, never `.git` or an ignored file (what the command does without `--head`).',
    default: 'worktree',
    parse: choice(['worktree', 'workspace', 'working-tree'] as const, 'worktree'),
    flag: {
      name: 'head',
      value: 'REF',
      help: "Check the commit REF instead of the working tree. The working tree is taken as git sees it: tracked files with their uncommitted changes and untracked files that are not ignored, never .git or an ignored file, as the base's clean checkout holds neither.",
      // The working tree as git sees it, copied; a named commit from a clean worktree.
      read: (values, label) => (values === null ? 'working-tree' : (parseRevision(values[0] ?? '', label), 'worktree'))
    }
  }),
  comment: input({
    name: 'comment',
    description:
      '`changed` posts a comment when an image changed size or failed (an earlier comment is always ' +
      'brought up to date); `always` posts on every run; `never` posts nothing.',
    default: 'changed',
    parse: choice(COMMENT_MODES, 'changed'),
    flag: { none: 'there is no pull request to comment on; --markdown writes the comment to a file' }
  }),
  commentKey: input({
    name: 'comment-key',
    description: 'Names the sticky comment, so that two workflows on one PR keep two comments.',
    default: 'default',
    parse: parseCommentKey,
    flag: { none: 'names a sticky comment, and the command posts none' }
  }),
  commentAuthor: input({
    name: 'comment-author',
    description:
      "Login that posts the comment, for a GitHub App token (`my-app[bot]`). Empty means the token's " +
      'own identity.',
    default: '',
    parse: parseCommentAuthor,
    flag: { none: 'names whose sticky comment to update, and the command posts none' }
  }),
  mode: input({
    name: 'mode',
    description:
      '`check` builds, measures and comments in one job. For pull requests from forks, whose token ' +
      'cannot comment: `measure` (on `pull_request`) writes the measurements to `artifact-path` for ' +
      'upload, and `comment` (on `workflow_run`) reads that downloaded artifact as untrusted data, ' +
      "judges it with its own limits and the base branch's images config, posts the comment and sets " +
      "the commit status `docker-size-check/<comment-key>` on the PR's head (needs `statuses: write`). " +
      'See docs/forks.md. `merge` builds nothing and publishes the JSON ' +
      'reports of every shard (see `reports` and docs/monorepos.md) as one comment, summary and ' +
      'verdict. `record` (on `push` to the default branch, with `contents: write`) measures the ' +
      "branch's images and stores them as baseline records in the repository, so that PR runs build " +
      'only the head (see `baseline` and docs/records.md).',
    default: 'check',
    parse: choice(RUN_MODES, 'check'),
    flag: { none: 'the command is the check; measure, comment, merge and record are steps of a workflow' }
  }),
  baseline: input({
    name: 'baseline',
    description:
      "Where a PR run takes the base's figures from. `auto`: a baseline record that matches what the " +
      'base build would be (same Dockerfile, context, build settings, FROM images, size method), else a ' +
      'build of the base. `record`: only a record; an image without one has no baseline. `build`: ' +
      'always build the base.',
    default: 'auto',
    parse: choice(BASELINE_MODES, 'auto'),
    flag: {
      name: 'baseline',
      value: 'MODE',
      help: 'auto: take the base from a baseline record the repository has (fetched into --records-ref, see docs/records.md) when one matches, else build it; record: only records; build: always build. Default: auto.'
    }
  }),
  recordsRef: input({
    name: 'records-ref',
    description:
      'The ref that holds the baseline records, outside branches and tags. `mode: record` pushes to it; ' +
      'PR runs fetch it read-only.',
    default: DEFAULT_RECORDS_REF,
    parse: parseRecordsRef,
    flag: {
      name: 'records-ref',
      value: 'REF',
      help: `The ref that holds the baseline records. Default: ${DEFAULT_RECORDS_REF}.`
    }
  }),
  cacheFrom: input({
    name: 'cache-from',
    description:
      'buildx caches to read layers from, one a line (`--cache-from`), such as `type=gha` or ' +
      "`type=registry,ref=ghcr.io/owner/repo:cache-{image}`. `{image}` becomes the image's name as a " +
      'slug; a `type=gha` cache without a `scope` gets one per image.',
    default: '',
    parse: (text, label) => parseCacheInput(label, text),
    flag: {
      name: 'cache-from',
      value: 'SPEC',
      multiple: true,
      help: 'A buildx cache to read layers from (type=local,src=DIR/{image}); repeatable.'
    }
  }),
  cacheTo: input({
    name: 'cache-to',
    description:
      "buildx caches to write the head's layers to, one a line (`--cache-to`), such as " +
      '`type=gha,mode=max`. A cache that cannot be written (the read-only cache of a run from a fork) ' +
      'never fails the build: `ignore-error=true` is added unless the line says otherwise. The docker ' +
      'driver of buildx exports caches only on the containerd image store; elsewhere use ' +
      'docker/setup-buildx-action.',
    default: '',
    parse: (text, label) => parseCacheInput(label, text),
    flag: {
      name: 'cache-to',
      value: 'SPEC',
      multiple: true,
      help: "A buildx cache to write the head's layers to; repeatable."
    }
  }),
  builder: input({
    name: 'builder',
    description:
      'The buildx builder to build with, by name (`docker buildx build --builder NAME`), such as the one ' +
      'docker/setup-buildx-action made (its `name` output). Empty: the current builder. Needs BuildKit; ' +
      'each image is loaded into the engine (`--load`) and measured there, whichever builder built it.',
    default: '',
    parse: parseBuilderName,
    flag: {
      name: 'builder',
      value: 'NAME',
      help: 'The buildx builder to build with (docker buildx build --builder NAME). Default: the current builder.'
    }
  }),
  recordsDepth: input({
    name: 'records-depth',
    description:
      "How many commits of the base branch's first-parent history, from the merge-base back, are " +
      'searched for a matching record.',
    default: String(DEFAULT_RECORDS_DEPTH),
    parse: parseRecordsDepth,
    flag: {
      name: 'records-depth',
      value: 'N',
      help: `How many commits of the base's history to search for a record. Default: ${DEFAULT_RECORDS_DEPTH}.`
    }
  }),
  recordsKey: input({
    name: 'records-key',
    description:
      'For `mode: record`: the Ed25519 private key (PEM) that signs the records, from a secret of a GitHub ' +
      'environment that only the default branch may deploy to. Its public half must be committed at ' +
      '`.github/docker-size-check-records.pub`; PR runs count only records that key signed (docs/trust-model.md).',
    default: '',
    parse: asIs,
    flag: {
      none: 'signs what mode: record writes, a workflow step on the default branch; the command only reads records'
    }
  }),
  artifactPath: input({
    name: 'artifact-path',
    description:
      'Folder that `mode: measure` writes its artifact to and `mode: comment` reads it from. Empty: ' +
      '`$RUNNER_TEMP/docker-size-check-artifact` (the `artifact-path` output names it).',
    default: '',
    parse: asIs,
    flag: { none: 'the artifact passes a measure run to a comment run, both in a workflow' }
  }),
  secrets: input({
    name: 'secrets',
    description:
      "Build secrets, one `id=value` a line, or `id<<EOT`, the value's lines, `EOT` for a value of " +
      'several lines (see docs/secrets.md), passed to every build with `--secret ' +
      'id=…,env=…` for `RUN --mount=type=secret,id=…`; never as build args, masked in the log, and ' +
      'replaced by `***` in what a build prints before it reaches the comment, the summary, the report ' +
      'or the artifact. Needs BuildKit (buildx).',
    default: '',
    untrimmed: true,
    parse: text => parseSecrets(text),
    flag: {
      name: 'secret',
      value: 'ID=VAR',
      multiple: true,
      help: 'A build secret for RUN --mount=type=secret,id=ID, its value read from the environment variable VAR (never from the command line); repeatable. BuildKit only.',
      read: (values, label, env) => secretsFromEnvironment(values ?? [], label, env)
    }
  }),
  keepImages: input({
    name: 'keep-images',
    description: 'Keep the images this run built (they are removed at the end by default).',
    default: 'false',
    parse: boolean,
    flag: { name: 'keep-images', help: 'Keep the images built (removed at the end by default).' }
  })
}

type Table = typeof INPUT_TABLE
type AnyInput = Table[keyof Table]

/** An input's name in action.yml. */
export type InputName = AnyInput['name']

/** Every setting the inputs make, as getInputs gives them. */
export type Inputs = { [K in keyof Table]: ReturnType<Table[K]['parse']> }

/** The inputs only a workflow has: the GitHub API, the comment, the modes of a workflow. */
type WorkflowSetting =
  'githubToken' | 'comment' | 'commentKey' | 'commentAuthor' | 'mode' | 'artifactPath' | 'reports' | 'recordsKey'

/** The settings every caller gives; the others came later, and where absent mean their default. */
type CoreSetting =
  'dockerfileGlobs' | 'maxIncrease' | 'warnIncrease' | 'maxSize' | 'baseRef' | 'headFrom' | 'keepImages'

/** What to check and how strictly: shared by the action and the local command. */
export type CheckSettings = Pick<Inputs, CoreSetting> & Partial<Omit<Inputs, CoreSetting | WorkflowSetting>>

/** The table's entries, in action.yml's order, each with the name of its setting. */
export const INPUT_ENTRIES = Object.entries(INPUT_TABLE) as Array<[keyof Table, AnyInput]>

/**
 * Every setting, each read by its own entry: `read(entry)` gives the value of that entry's
 * setting (the action reads the input, the command the flag).
 */
export function readSettings(read: (entry: AnyInput) => unknown): Inputs {
  // Each value is what its own entry's parse (or read) returned, which Inputs names.
  return Object.fromEntries(INPUT_ENTRIES.map(([setting, entry]) => [setting, read(entry)])) as Inputs
}

/** Every input's default as action.yml declares it (but for a default only the runner evaluates). */
export const INPUT_DEFAULTS = Object.fromEntries(
  INPUT_ENTRIES.map(([, entry]) => [entry.name, entry.default])
) as Record<InputName, string>

/**
 * Defaults that action.yml writes as an expression the runner evaluates; the code has none.
 * The runner passes action.yml's defaults as INPUT_* variables, but not every runner does
 * (GitHub's local runner and some others pass none, or pass them unevaluated), and a run
 * without them must not mean "no limit": an input whose variable is absent takes its
 * `default` from the table, and only these have none.
 */
export const EXPRESSION_DEFAULTS: Partial<Record<InputName, string>> = Object.fromEntries(
  INPUT_ENTRIES.flatMap(([, entry]) => (entry.runnerDefault === undefined ? [] : [[entry.name, entry.runnerDefault]]))
)

/** The inputs as action.yml declares them, in its order: what `npm run docs` writes there and into the README. */
export const ACTION_INPUTS = INPUT_ENTRIES.map(([, entry]) => ({
  name: entry.name,
  description: entry.description,
  default: entry.runnerDefault ?? entry.default
}))
