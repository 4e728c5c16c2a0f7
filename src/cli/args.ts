import { parseArgs } from 'node:util'
import { BASELINE_MODES, CheckSettings, parseChoice, parseList, parseRecordsRef } from '../inputs/inputs.js'
import { parseCacheInput } from '../build/layer-cache.js'
import { errorMessage } from '../shared/errors.js'
import { DEFAULT_DOCKERFILE_GLOBS } from '../inputs/globs.js'
import { IMAGES_FROM, ImagesFrom } from '../inputs/images-from.js'
import { INPUT_DEFAULTS } from '../inputs/defaults.js'
import { ExplainSettings, parseExplain } from '../inputs/explain.js'
import { parseGrowthThreshold, parseSizeBudget, ThresholdError } from '../inputs/thresholds.js'
import { DEFAULT_BUILD_TIMEOUT, parseDuration } from '../inputs/duration.js'
import { InputError } from '../shared/errors.js'

/** Bad usage: the message names the flag, the value and the fix. Exit status 2. */
export class UsageError extends Error {}

/** The action's default (action.yml, kept in code too), so that the command is as strict as the check. */
export const DEFAULT_MAX_INCREASE: string = INPUT_DEFAULTS['max-increase']

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
  'keep-images': { type: 'boolean', help: 'Keep the images built (removed at the end by default).' },
  baseline: {
    type: 'string',
    value: 'MODE',
    help: 'auto: take the base from a baseline record the repository has (git fetch origin refs/docker-size-check/records:refs/docker-size-check/records) when one matches, else build it; record: only records; build: always build. Default: auto.'
  },
  'records-ref': {
    type: 'string',
    value: 'REF',
    help: 'The ref that holds the baseline records. Default: refs/docker-size-check/records.'
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

export const HELP_TEXT = `Usage: docker-size-check [flags]

Builds each Dockerfile that your branch changes at the head and at the base, and prints
how much each image grew or shrank. Run it inside a git repository.

The head is the working tree (uncommitted changes included) unless --head names a commit;
the base is the merge-base of the head with --base.

Flags:
${Object.entries(FLAGS)
  .map(([name, spec]) => {
    const label = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.value ? ` ${spec.value}` : ''}`
    return `  ${label.padEnd(26)}${spec.help}`
  })
  .join('\n')}

Exit status: 0 pass, 1 an image broke a limit or a head build failed (or the check could
not finish), 2 bad usage, 3 no Docker engine answers.
Colour only on a terminal; NO_COLOR turns it off, FORCE_COLOR on.
`

/** Reads the command line. Pure: throws a UsageError that names the flag for anything wrong. */
export function parseCommandLine(argv: string[]): Command {
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

  const imagesFrom = parseImagesFrom(one('images-from'))

  let thresholds: Pick<CheckSettings, 'maxIncrease' | 'warnIncrease' | 'maxSize'>
  let records: Pick<CheckSettings, 'baseline' | 'recordsRef' | 'cacheFrom' | 'cacheTo'>
  try {
    records = {
      baseline: parseChoice('--baseline', one('baseline') ?? '', BASELINE_MODES, 'auto'),
      recordsRef: parseRecordsRef(one('records-ref') ?? ''),
      cacheFrom: parseCacheInput('cache-from', (strings['cache-from'] ?? []).join('\n')),
      cacheTo: parseCacheInput('cache-to', (strings['cache-to'] ?? []).join('\n'))
    }
  } catch (error) {
    throw new UsageError(errorMessage(error).replace(/^Invalid (cache-from|cache-to|records-ref) /, 'Invalid --$1 '))
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
  try {
    buildTimeoutMs = parseDuration('--build-timeout', one('build-timeout') ?? DEFAULT_BUILD_TIMEOUT)
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message)
    throw error
  }
  let explain: ExplainSettings
  try {
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
        ...records,
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

function parseImagesFrom(value: string | null): ImagesFrom {
  if (value === null) return 'auto'
  const match = IMAGES_FROM.find(choice => choice === value.trim().toLowerCase())
  if (!match) throw new UsageError(`Invalid --images-from '${value}'. Expected one of: ${IMAGES_FROM.join(', ')}.`)
  return match
}

/** One of `choices`; the first when the flag is not given. */
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
