import { parseArgs } from 'node:util'
import {
  BASELINE_MODES,
  CheckSettings,
  parseChoice,
  parseList,
  parseParallel,
  parseRecordsDepth,
  parseRecordsRef
} from '../inputs/inputs.js'
import { parseImagesInput } from '../inputs/images-config.js'
import { BuildSecret } from '../inputs/secrets.js'
import { parseCacheInput } from '../build/layer-cache.js'
import { errorMessage } from '../shared/errors.js'
import { DEFAULT_DOCKERFILE_GLOBS } from '../inputs/globs.js'
import { IMAGES_FROM } from '../inputs/images-from.js'
import { parseGrowthThreshold, parseSizeBudget, ThresholdError } from '../inputs/thresholds.js'
import { DEFAULT_BUILD_TIMEOUT, parseDuration } from '../inputs/duration.js'
import { ExplainSettings, parseExplain } from '../inputs/explain.js'
import { InputError } from '../shared/errors.js'

/** Bad usage: the message names the flag, the value and the fix. Exit status 2. */
export class UsageError extends Error {}

/** The action's default (action.yml), so that the command is as strict as the check. */
export const DEFAULT_MAX_INCREASE = '10%'

export interface CliOptions {
  settings: CheckSettings
  /** --base: null means the merge-base with the remote's default branch, else main, else master. */
  base: string | null
  /** --head: null means the working tree, uncommitted changes included. */
  head: string | null
  json: string | null
  markdown: string | null
  quiet: boolean
  verbose: boolean
}

export type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'check'; options: CliOptions }

interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  value?: string
  help: string
}

const FLAGS: Record<string, FlagSpec> = {
  base: {
    type: 'string',
    value: 'REF',
    help: 'Compare with the merge-base of the head and REF (branch, tag or commit). Default: the remote default branch, else main, else master.'
  },
  head: {
    type: 'string',
    value: 'REF',
    help: 'Check the commit REF instead of the working tree (which includes uncommitted and untracked files).'
  },
  dockerfile: {
    type: 'string',
    multiple: true,
    value: 'GLOB',
    help: 'Dockerfiles to check, from the repository root; repeatable; a glob starting with ! excludes. Default: the usual names at any depth.'
  },
  'images-from': {
    type: 'string',
    value: 'FROM',
    help: 'Where the images come from: auto (the config file, else docker-bake.hcl, else compose.yaml, else the Dockerfiles), config, bake, compose or dockerfiles. Default: auto.'
  },
  'max-increase': {
    type: 'string',
    value: 'LIMIT',
    help: `How much an image may grow: 25MB, 10%, or both (10%,5MB: fails only past both). '' for no limit. Default: ${DEFAULT_MAX_INCREASE}.`
  },
  'warn-increase': { type: 'string', value: 'LIMIT', help: 'Like --max-increase, but growth past it only warns.' },
  'max-size': { type: 'string', value: 'SIZE', help: "A budget for any image's size at the head (500MB, 1GiB)." },
  'limits-from': {
    type: 'string',
    value: 'SIDE',
    help: 'Whose config file sets the limits: base (the default: a branch cannot loosen its own check) or head.'
  },
  'missing-baseline': {
    type: 'string',
    value: 'POLICY',
    help: 'What an image whose base cannot be built is: fail (an error, the default) or warn.'
  },
  'build-timeout': {
    type: 'string',
    value: 'DURATION',
    help: `How long one build may take (30m, 90s, 1h); past it, it is stopped and its image is an error. Default: ${DEFAULT_BUILD_TIMEOUT}.`
  },
  explain: {
    type: 'string',
    value: 'WHAT',
    help: 'What to explain about an image that changed: paths, instructions, both (paths,instructions: the default) or none.'
  },
  'compressed-size': {
    type: 'boolean',
    help: 'Also measure each image gzip-compressed, as a registry stores it (its pull size).'
  },
  config: {
    type: 'string',
    value: 'FILE',
    help: 'The images config file, from the repository root. Default: .github/docker-size-check.yml when it exists.'
  },
  images: {
    type: 'string',
    value: 'YAML',
    help: 'The images to check, as the images input takes them (a YAML list of dockerfile, context, name, …); replaces the config file.'
  },
  parallel: { type: 'string', value: 'N', help: 'How many builds may run at once. Default: 1.' },
  secret: {
    type: 'string',
    multiple: true,
    value: 'ID=VAR',
    help: 'A build secret for RUN --mount=type=secret,id=ID, its value read from the environment variable VAR (never from the command line); repeatable. BuildKit only.'
  },
  'keep-images': { type: 'boolean', help: 'Keep the images built (removed at the end by default).' },
  baseline: {
    type: 'string',
    value: 'MODE',
    help: 'auto: take the base from a baseline record the repository has (fetched into --records-ref, see the README) when one matches, else build it; record: only records; build: always build. Default: auto.'
  },
  'records-ref': {
    type: 'string',
    value: 'REF',
    help: 'The ref that holds the baseline records. Default: refs/docker-size-check/records.'
  },
  'records-depth': {
    type: 'string',
    value: 'N',
    help: "How many commits of the base's history to search for a record. Default: 50."
  },
  'cache-from': {
    type: 'string',
    multiple: true,
    value: 'SPEC',
    help: 'A buildx cache to read layers from (type=local,src=DIR/{image}); repeatable.'
  },
  'cache-to': {
    type: 'string',
    multiple: true,
    value: 'SPEC',
    help: "A buildx cache to write the head's layers to; repeatable."
  },
  json: { type: 'string', value: 'FILE', help: 'Write the JSON report (the schema of the action) to FILE.' },
  markdown: { type: 'string', value: 'FILE', help: "Write the PR comment's markdown to FILE, for pasting." },
  quiet: { type: 'boolean', short: 'q', help: 'No progress: print the result alone.' },
  verbose: { type: 'boolean', help: 'Stream the build output and every docker and git command line.' },
  help: { type: 'boolean', short: 'h', help: 'Print this help.' },
  version: { type: 'boolean', help: 'Print the version.' }
}

/** The width --help fits: a terminal's default. */
export const HELP_WIDTH = 80
const LABEL_WIDTH = 28

/** Words on lines of at most `width` characters, each line after `indent` spaces (the first after `first`). */
export function wrapText(text: string, width: number, indent = 0, first = indent): string {
  const lines: string[] = []
  let line = ''
  let room = width - first
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line)
      line = word
      room = width - indent
    } else line = line ? `${line} ${word}` : word
  }
  if (line) lines.push(line)
  return lines.map((text, i) => (i === 0 ? text : `${' '.repeat(indent)}${text}`)).join('\n')
}

function flagLines(name: string, spec: FlagSpec): string {
  const label = `  ${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`
  // A label longer than its column puts the help on the next line.
  if (label.length >= LABEL_WIDTH - 1) {
    return `${label}\n${' '.repeat(LABEL_WIDTH)}${wrapText(spec.help, HELP_WIDTH, LABEL_WIDTH)}`
  }
  return `${label.padEnd(LABEL_WIDTH)}${wrapText(spec.help, HELP_WIDTH, LABEL_WIDTH)}`
}

const paragraph = (text: string) => wrapText(text, HELP_WIDTH)

export const HELP_TEXT = `Usage: docker-size-check [flags]

${paragraph(
  'Builds each Dockerfile that your branch changes at the head and at the base, and prints how much each image grew or shrank. Run it inside a git repository.'
)}

${paragraph(
  'The head is the working tree (uncommitted changes included) unless --head names a commit; the base is the merge-base of the head with --base.'
)}

Flags:
${Object.entries(FLAGS)
  .map(([name, spec]) => flagLines(name, spec))
  .join('\n')}

${paragraph(
  'Exit status: 0 pass, 1 an image broke a limit or a head build failed (or the check could not finish), 2 bad usage, 3 no Docker engine answers.'
)}
${paragraph('Colour only on a terminal; NO_COLOR turns it off, FORCE_COLOR on.')}
`

/**
 * Each input of action.yml and the flag that stands for it in the command. The inputs that
 * have none are in NOT_LOCAL, with the reason; a unit test checks that the two lists cover
 * action.yml exactly, so a new input needs a flag or a reason.
 */
export const INPUT_FLAGS: Record<string, string> = {
  dockerfiles: '--dockerfile',
  images: '--images',
  config: '--config',
  'images-from': '--images-from',
  parallel: '--parallel',
  'max-increase': '--max-increase',
  'warn-increase': '--warn-increase',
  'compressed-size': '--compressed-size',
  'max-size': '--max-size',
  'limits-from': '--limits-from',
  'missing-baseline': '--missing-baseline',
  'build-timeout': '--build-timeout',
  explain: '--explain',
  'base-ref': '--base',
  'head-from': '--head',
  baseline: '--baseline',
  'records-ref': '--records-ref',
  'records-depth': '--records-depth',
  'cache-from': '--cache-from',
  'cache-to': '--cache-to',
  secrets: '--secret',
  'keep-images': '--keep-images'
}

export const NOT_LOCAL: Record<string, string> = {
  'github-token': 'the command calls no GitHub API: it reads the repository with git',
  comment: 'there is no pull request to comment on; --markdown writes the comment to a file',
  'comment-key': 'names a sticky comment, and the command posts none',
  'comment-author': 'names whose sticky comment to update, and the command posts none',
  mode: 'the command is the check; measure, comment, merge and record are steps of a workflow',
  'records-key':
    'signs what mode: record writes, a workflow step on the default branch; the command only reads records',
  'artifact-path': 'the artifact passes a measure run to a comment run, both in a workflow',
  reports: 'for mode: merge, which joins the reports of a workflow’s shards',
  shard: 'splits the images between the jobs of a workflow matrix; one machine checks them all'
}

/**
 * Reads the command line. Pure but for `env`, which --secret reads its values from: throws a
 * UsageError that names the flag for anything wrong.
 */
export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = {}): Command {
  // Non-strict with tokens, so that each mistake gets a message of our own naming the flag,
  // rather than Node's wording (which differs between versions).
  const { tokens } = parseArgs({
    args: argv,
    options: Object.fromEntries(
      Object.entries(FLAGS).map(([name, spec]) => [
        name,
        { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) }
      ])
    ),
    strict: false,
    allowPositionals: true,
    tokens: true
  })

  const strings: Record<string, string[]> = {}
  const booleans = new Set<string>()
  for (const token of tokens) {
    if (token.kind === 'positional') {
      throw new UsageError(
        `Unexpected argument '${token.value}'. Flags take their values as --flag VALUE or --flag=VALUE.`
      )
    }
    if (token.kind !== 'option') continue
    const spec = FLAGS[token.name]
    if (!spec) {
      throw new UsageError(`Unknown flag '${token.rawName}'. Run docker-size-check --help for the flags.`)
    }
    const flag = `--${token.name}`
    if (spec.type === 'boolean') {
      if (token.inlineValue) throw new UsageError(`Flag ${flag} takes no value (got '${token.value}').`)
      booleans.add(token.name)
      continue
    }
    if (token.value === undefined) {
      throw new UsageError(`Flag ${flag} needs a value: ${flag} ${spec.value}.`)
    }
    if (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1) {
      throw new UsageError(
        `Flag ${flag} needs a value, but is followed by '${token.value}'. Write ${flag}=VALUE for a value that starts with '-'.`
      )
    }
    if (!spec.multiple && strings[token.name]) throw new UsageError(`Flag ${flag} is given twice.`)
    ;(strings[token.name] ??= []).push(token.value)
  }

  if (booleans.has('help')) return { kind: 'help' }
  if (booleans.has('version')) return { kind: 'version' }
  const one = (name: string): string | null => strings[name]?.[0] ?? null
  if (booleans.has('quiet') && booleans.has('verbose')) {
    throw new UsageError('Flags --quiet and --verbose contradict each other: give one of them.')
  }

  const base = one('base')
  const head = one('head')
  if (base !== null) validateRef(base, '--base')
  if (head !== null) validateRef(head, '--head')
  const globs = (strings.dockerfile ?? []).flatMap(parseList)
  if (strings.dockerfile && globs.length === 0) {
    throw new UsageError("Flag --dockerfile is empty. Give a glob such as --dockerfile 'services/*/Dockerfile'.")
  }

  const imagesFrom = choice('--images-from', one('images-from'), IMAGES_FROM)

  let thresholds: Pick<CheckSettings, 'maxIncrease' | 'warnIncrease' | 'maxSize'>
  let records: Pick<
    CheckSettings,
    'baseline' | 'recordsRef' | 'recordsDepth' | 'cacheFrom' | 'cacheTo' | 'parallel' | 'images'
  >
  try {
    records = {
      baseline: parseChoice('--baseline', one('baseline') ?? '', BASELINE_MODES, 'auto'),
      recordsRef: parseRecordsRef(one('records-ref') ?? ''),
      recordsDepth: parseRecordsDepth(one('records-depth') ?? ''),
      cacheFrom: parseCacheInput('cache-from', (strings['cache-from'] ?? []).join('\n')),
      cacheTo: parseCacheInput('cache-to', (strings['cache-to'] ?? []).join('\n')),
      parallel: parseParallel(one('parallel') ?? ''),
      images: one('images') === null ? null : parseImagesInput(one('images') as string, '--images')
    }
  } catch (error) {
    // The action's parsers name the input; here it is a flag.
    const message = errorMessage(error).replace(
      /^Invalid (cache-from|cache-to|records-ref|records-depth|parallel|images) /,
      'Invalid --$1 '
    )
    throw new UsageError(message)
  }
  const secrets = parseSecretFlags(strings.secret ?? [], env)
  const config = one('config')
  if (config !== null && config.trim() === '') {
    throw new UsageError('Flag --config needs a file name: --config .github/docker-size-check.yml.')
  }
  try {
    // The action's own parsers, so a value means the same in both places.
    thresholds = {
      maxIncrease: parseGrowthThreshold('--max-increase', one('max-increase') ?? DEFAULT_MAX_INCREASE),
      warnIncrease: parseGrowthThreshold('--warn-increase', one('warn-increase') ?? ''),
      maxSize: parseSizeBudget('--max-size', one('max-size') ?? '')
    }
  } catch (error) {
    if (error instanceof ThresholdError) throw new UsageError(error.message)
    throw error
  }
  let buildTimeoutMs: number
  let explain: ExplainSettings
  try {
    buildTimeoutMs = parseDuration('--build-timeout', one('build-timeout') ?? DEFAULT_BUILD_TIMEOUT)
    explain = parseExplain(one('explain') ?? '')
  } catch (error) {
    if (error instanceof InputError)
      throw new UsageError(error.message.replace(/^Invalid explain/, 'Invalid --explain'))
    throw error
  }
  for (const name of ['json', 'markdown']) {
    if (one(name) === '') throw new UsageError(`Flag --${name} needs a file name: --${name} ${FLAGS[name]?.value}.`)
  }

  return {
    kind: 'check',
    options: {
      settings: {
        dockerfileGlobs: globs.length ? globs : DEFAULT_DOCKERFILE_GLOBS,
        ...thresholds,
        baseRef: base ?? '',
        // The working tree is built where it stands; a named commit from a clean worktree.
        headFrom: head === null ? 'workspace' : 'worktree',
        keepImages: booleans.has('keep-images'),
        compressedSize: booleans.has('compressed-size'),
        ...records,
        ...(secrets.length ? { secrets } : {}),
        ...(config !== null ? { configFile: config.trim() } : {}),
        imagesFrom,
        limitsFrom: choice('--limits-from', one('limits-from'), ['base', 'head'] as const),
        missingBaseline: choice('--missing-baseline', one('missing-baseline'), ['fail', 'warn'] as const),
        buildTimeoutMs,
        explain
      },
      base,
      head,
      json: one('json'),
      markdown: one('markdown'),
      quiet: booleans.has('quiet'),
      verbose: booleans.has('verbose')
    }
  }
}

/**
 * --secret ID=VAR: the value from the environment, as `docker build --secret id=ID,env=VAR`
 * takes it, so that no secret is typed on a command line (and kept in a shell's history).
 */
function parseSecretFlags(values: string[], env: NodeJS.ProcessEnv): BuildSecret[] {
  const secrets: BuildSecret[] = []
  for (const value of values) {
    const match = /^([A-Za-z0-9_.-]{1,64})=([A-Za-z_][A-Za-z0-9_]*)$/.exec(value.trim())
    if (!match) {
      throw new UsageError(
        `Invalid --secret '${value}'. Expected ID=VAR: the id your Dockerfile mounts and the environment variable that holds the value, such as --secret npm_token=NPM_TOKEN.`
      )
    }
    const [, id, variable] = match as unknown as [string, string, string]
    const secret = env[variable]
    if (secret === undefined) {
      throw new UsageError(
        `Flag --secret ${id}=${variable}: the environment variable ${variable} is not set. Export it first.`
      )
    }
    if (secrets.some(known => known.id === id)) throw new UsageError(`Flag --secret gives the id '${id}' twice.`)
    secrets.push({ id, value: secret })
  }
  return secrets
}

/** One of `choices` (the flag's value, any case); the first when the flag is not given. */
function choice<T extends string>(flag: string, value: string | null | undefined, choices: readonly T[]): T {
  if (value === undefined || value === null) return choices[0] as T
  const match = choices.find(option => option === value.trim().toLowerCase())
  if (!match) throw new UsageError(`Invalid ${flag} '${value}'. Expected one of: ${choices.join(', ')}.`)
  return match
}

/** Any revision git understands (HEAD~2, a short SHA, origin/main), but nothing git would read as an option. */
function validateRef(ref: string, flag: string): void {
  if (ref.trim() === '' || ref.startsWith('-')) {
    throw new UsageError(`Invalid ${flag} '${ref}': expected a branch, tag or commit (such as main, v1.2.0 or HEAD~1).`)
  }
}
