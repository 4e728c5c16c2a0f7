import { parseArgs } from 'node:util'
import { CheckSettings } from '../inputs/inputs.js'
import { FlagSpec, INPUT_ENTRIES, INPUT_TABLE, InputName, readSettings } from '../inputs/table.js'
import { InputError } from '../shared/errors.js'
import { ReferenceSpec } from '../inputs/images-config.js'
import { parseReference, ReferenceError } from '../registry/reference.js'

/** Bad usage: the message names the flag, the value and the fix. Exit status 2. */
export class UsageError extends Error {}

/** The action's default (action.yml), so that the command is as strict as the check. */
export const DEFAULT_MAX_INCREASE = INPUT_TABLE.maxIncrease.default

export interface CliOptions {
  settings: CheckSettings
  /** --base: null means the merge-base with the remote's default branch, else main, else master. */
  base: string | null
  /** --head: null means the working tree, uncommitted changes included. */
  head: string | null
  /** --image and --base-image: registry images compared where they are, nothing built; empty without --image. */
  references: ReferenceSpec[]
  json: string | null
  markdown: string | null
  quiet: boolean
  verbose: boolean
}

export type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'check'; options: CliOptions }

/** A flag of --help: the inputs' flags (from the input table) and the command's own. */
type HelpFlag = Pick<FlagSpec<unknown>, 'value' | 'help' | 'multiple'> & { short?: string }

/** Flags of the command alone, which no input stands behind. */
const COMMAND_FLAGS: Record<string, HelpFlag> = {
  // An images config's image and base-image, for one image: no input stands behind them.
  image: {
    value: 'REF',
    help: 'Compare the image REF (ghcr.io/owner/app:pr-12) in its registry instead of building: every platform, its pull size, no layer fetched, no git repository needed. Credentials from docker login.'
  },
  'base-image': { value: 'REF', help: 'The image --image is compared with (ghcr.io/owner/app:latest).' },
  json: { value: 'FILE', help: 'Write the JSON report (the schema of the action) to FILE.' },
  markdown: { value: 'FILE', help: "Write the PR comment's markdown to FILE, for pasting." },
  quiet: { short: 'q', help: 'No progress: print the result alone.' },
  verbose: { help: 'Stream the build output and every docker and git command line.' },
  help: { short: 'h', help: 'Print this help.' },
  version: { help: 'Print the version.' }
}

/** Each input's flag (in the input table's order, but the two sides first, as the help explains them first). */
const INPUT_FLAG_SPECS = INPUT_ENTRIES.flatMap(([, entry]) => ('none' in entry.flag ? [] : [entry.flag])).sort(
  (a, b) => leading(a.name) - leading(b.name)
)

function leading(flag: string): number {
  const at = ['base', 'head'].indexOf(flag)
  return at === -1 ? 2 : at
}

const FLAGS: Record<string, HelpFlag> = {
  ...Object.fromEntries(INPUT_FLAG_SPECS.map(flag => [flag.name, flag])),
  ...COMMAND_FLAGS
}

/** The width --help fits: a terminal's default. */
export const HELP_WIDTH = 80
const LABEL_WIDTH = 28

/** Words on lines of at most `width` characters, each line after `indent` spaces (the first after `first`). */
function wrapText(text: string, width: number, indent = 0, first = indent): string {
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

function flagLines(name: string, spec: HelpFlag): string {
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
  'Builds each Dockerfile that your branch changes at the head and at the base, and prints how much each image grew or shrank. Run it inside a git repository; with --image and --base-image it compares two registry images instead, anywhere.'
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

/** Each input of action.yml that the command has, and its flag. */
export const INPUT_FLAGS: Partial<Record<InputName, string>> = Object.fromEntries(
  INPUT_ENTRIES.flatMap(([, entry]) => ('none' in entry.flag ? [] : [[entry.name, `--${entry.flag.name}`]]))
)

/** The inputs the command has no flag for, each with the reason (the input table holds both). */
export const NOT_LOCAL: Partial<Record<InputName, string>> = Object.fromEntries(
  INPUT_ENTRIES.flatMap(([, entry]) => ('none' in entry.flag ? [[entry.name, entry.flag.none]] : []))
)

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
        {
          type: spec.value ? 'string' : 'boolean',
          ...(spec.short ? { short: spec.short } : {}),
          ...(spec.multiple ? { multiple: true } : {})
        }
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
    if (!spec.value) {
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

  const references = referenceFlags(one('image'), one('base-image'), strings, booleans)
  for (const name of ['json', 'markdown']) {
    if (one(name) === '') throw new UsageError(`Flag --${name} needs a file name: --${name} ${FLAGS[name]?.value}.`)
  }
  let settings: CheckSettings
  try {
    // Each input's own parser, so that a value means the same in both places; its errors
    // name the flag, as the action's name the input.
    settings = readSettings(entry => {
      if ('none' in entry.flag) return entry.parse(entry.default, entry.name)
      const flag = entry.flag
      const label = `--${flag.name}`
      const values = flag.value ? (strings[flag.name] ?? null) : booleans.has(flag.name) ? ['true'] : null
      if (flag.read) return flag.read(values, label, env)
      return entry.parse(values === null ? entry.default : values.join('\n'), label)
    })
  } catch (error) {
    if (error instanceof InputError) throw new UsageError(error.message)
    throw error
  }

  return {
    kind: 'check',
    options: {
      settings,
      base: one('base'),
      head: one('head'),
      references,
      json: one('json'),
      markdown: one('markdown'),
      quiet: booleans.has('quiet'),
      verbose: booleans.has('verbose')
    }
  }
}

/** --image and --base-image: checked as references here, so that a typo fails before any request. */
function referenceFlags(
  image: string | null,
  baseImage: string | null,
  strings: Record<string, string[]>,
  booleans: Set<string>
): ReferenceSpec[] {
  if (image === null) {
    if (baseImage !== null) {
      throw new UsageError(
        'Flag --base-image needs --image: give the image to compare with it, such as --image ghcr.io/owner/app:pr-12.'
      )
    }
    return []
  }
  // The other flags choose what to build; an image is read, never built.
  for (const flag of ['base', 'head', 'dockerfile', 'images', 'config', 'images-from', 'keep-images']) {
    if (strings[flag] || booleans.has(flag)) {
      throw new UsageError(
        `Flags --image and --${flag} contradict each other: --image compares registry images and builds nothing. Give one of them.`
      )
    }
  }
  for (const [flag, value] of [
    ['--image', image],
    ['--base-image', baseImage]
  ] as const) {
    if (value === null) continue
    try {
      parseReference(value, flag)
    } catch (error) {
      if (error instanceof ReferenceError) throw new UsageError(error.message)
      throw error
    }
  }
  return [{ image: image.trim(), baseImage: baseImage?.trim() ?? null }]
}
