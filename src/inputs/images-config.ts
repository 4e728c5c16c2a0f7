import { posix } from 'node:path'
import { parseDocument } from 'yaml'
import { parseGrowthThreshold, parseSizeBudget } from './thresholds.js'
import { GrowthThreshold } from '../shared/types.js'
import { ImageConfigError, ThresholdError } from '../shared/errors.js'

/**
 * One image as the `images` input or the config file describes it. Unset optional fields
 * take the global inputs; a limit set to '' means "no limit" for this image alone (null).
 */
export interface ImageSpec {
  /** Shown in the comment in place of the Dockerfile path. */
  name?: string
  dockerfile: string
  /** Build context from the repository root; default: the Dockerfile's folder. */
  context: string
  target?: string
  buildArgs?: Record<string, string>
  platform?: string
  maxIncrease?: GrowthThreshold | null
  warnIncrease?: GrowthThreshold | null
  maxSize?: number | null
  /** Globs (from the repository root) of other files whose change makes this image affected. */
  watch: string[]
}

/** The config file's default path; read when it exists and the `config` input is empty. */
export const DEFAULT_CONFIG_FILE = '.github/docker-size-check.yml'

const FIELDS = [
  'name',
  'dockerfile',
  'context',
  'target',
  'build-args',
  'platform',
  'max-increase',
  'warn-increase',
  'max-size',
  'watch'
] as const

/**
 * Parses the `images` input: a YAML list of image entries. `source` names where the text
 * came from, at the start of every error.
 */
export function parseImagesInput(text: string, source = 'images'): ImageSpec[] | null {
  if (text.trim() === '') return null
  const value = parseYaml(text, source)
  if (!Array.isArray(value)) {
    throw new ImageConfigError(`${source}: expected a YAML list of images, each with at least a dockerfile.`)
  }
  return parseEntries(value, source)
}

/** Parses the config file: a mapping whose `images` key holds the list. */
export function parseConfigFile(text: string, source: string): ImageSpec[] {
  const value = parseYaml(text, source)
  if (value === null || value === undefined) return []
  if (!isPlainObject(value)) {
    throw new ImageConfigError(
      `${source}: expected a mapping with an 'images' list, such as\nimages:\n  - dockerfile: api/Dockerfile`
    )
  }
  for (const key of Object.keys(value)) {
    if (key !== 'images') throw new ImageConfigError(`${source}: unknown key '${key}'. Expected only 'images'.`)
  }
  if (value.images === undefined || value.images === null) return []
  if (!Array.isArray(value.images)) throw new ImageConfigError(`${source}: 'images' must be a list.`)
  return parseEntries(value.images, source)
}

function parseYaml(text: string, source: string): unknown {
  // The failsafe schema reads every scalar as the string written, so a build arg
  // `VERSION: 1.10` stays "1.10" rather than becoming the number 1.1, and `on` stays "on".
  const document = parseDocument(text, { schema: 'failsafe', uniqueKeys: true })
  if (document.errors.length > 0) {
    const first = document.errors[0]
    const at = first?.linePos?.[0]
    // yaml's message ends with its own "at line L, column C:" and a quote of the text: the
    // position is said once, up front, and the quote left out (it may be long).
    const what = (first?.message.split('\n')[0] ?? 'unknown error').replace(/ at line \d+, column \d+:?$/, '')
    throw new ImageConfigError(
      `${source}: not valid YAML${at ? ` at line ${at.line}, column ${at.col}` : ''}: ${what}. ` +
        'Check the indentation and that every [ and { is closed.'
    )
  }
  return document.toJS()
}

function parseEntries(entries: unknown[], source: string): ImageSpec[] {
  const specs = entries.map((entry, index) => parseEntry(entry, `${source}: images[${index}]`))
  const seen = new Map<string, number>()
  specs.forEach((spec, index) => {
    const key = spec.name ?? `${spec.dockerfile}|${spec.target ?? ''}|${spec.context}`
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      throw new ImageConfigError(
        `${source}: images[${index}]: the same image as images[${earlier}]` +
          `${spec.name ? ` (name '${spec.name}')` : ''}. Give each entry its own name.`
      )
    }
    seen.set(key, index)
  })
  return specs
}

function parseEntry(entry: unknown, where: string): ImageSpec {
  if (typeof entry === 'string') entry = { dockerfile: entry }
  if (!isPlainObject(entry)) {
    throw new ImageConfigError(
      `${where}: expected a mapping with at least a dockerfile, such as {dockerfile: api/Dockerfile}.`
    )
  }
  for (const key of Object.keys(entry)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new ImageConfigError(`${where}: unknown field '${key}'. Expected one of: ${FIELDS.join(', ')}.`)
    }
  }
  if (entry.dockerfile === undefined || entry.dockerfile === null) {
    throw new ImageConfigError(`${where}: missing 'dockerfile'.`)
  }
  const dockerfile = repoPath(where, 'dockerfile', entry.dockerfile)
  if (dockerfile === '.') throw new ImageConfigError(`${where}.dockerfile: expected a file path, got '.'.`)
  const spec: ImageSpec = {
    dockerfile,
    context: entry.context === undefined ? posix.dirname(dockerfile) : repoPath(where, 'context', entry.context),
    watch: entry.watch === undefined ? [] : stringList(where, 'watch', entry.watch)
  }
  if (entry.name !== undefined) spec.name = nonEmptyString(where, 'name', entry.name)
  if (entry.target !== undefined) spec.target = nonEmptyString(where, 'target', entry.target)
  if (entry.platform !== undefined) {
    const platform = nonEmptyString(where, 'platform', entry.platform)
    // The image is loaded into the engine's store to be measured, which holds one platform.
    if (!/^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/i.test(platform)) {
      throw new ImageConfigError(
        `${where}.platform: Invalid platform '${platform}'. Expected one platform such as linux/amd64 or linux/arm64/v8.`
      )
    }
    spec.platform = platform
  }
  if (entry['build-args'] !== undefined) spec.buildArgs = buildArgs(where, entry['build-args'])
  if (entry['max-increase'] !== undefined) spec.maxIncrease = threshold(where, 'max-increase', entry['max-increase'])
  if (entry['warn-increase'] !== undefined)
    spec.warnIncrease = threshold(where, 'warn-increase', entry['warn-increase'])
  if (entry['max-size'] !== undefined) {
    spec.maxSize = withField(where, 'max-size', () =>
      parseSizeBudget('max-size', scalarText(where, 'max-size', entry['max-size']))
    )
  }
  return spec
}

function threshold(where: string, field: string, value: unknown): GrowthThreshold | null {
  return withField(where, field, () => parseGrowthThreshold(field, scalarText(where, field, value)))
}

function withField<T>(where: string, field: string, read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof ThresholdError) throw new ImageConfigError(`${where}.${field}: ${error.message}`)
    throw error
  }
}

/** A path from the repository root, normalized; never absolute and never above the root. */
function repoPath(where: string, field: string, value: unknown): string {
  const text = nonEmptyString(where, field, value)
  const normalized = posix.normalize(text.replace(/\\/g, '/')).replace(/\/+$/, '') || '.'
  if (posix.isAbsolute(normalized) || normalized === '..' || normalized.startsWith('../')) {
    throw new ImageConfigError(
      `${where}.${field}: '${text}' leaves the repository. Give a path from the repository root, such as services/api.`
    )
  }
  return normalized
}

function nonEmptyString(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ImageConfigError(`${where}.${field}: expected a non-empty string, got ${describe(value)}.`)
  }
  return value.trim()
}

/** A limit as written; '' (an empty value) means no limit for this image. */
function scalarText(where: string, field: string, value: unknown): string {
  if (value === null) return ''
  if (typeof value === 'string') return value
  throw new ImageConfigError(`${where}.${field}: expected a size or a share such as 10%, got ${describe(value)}.`)
}

function stringList(where: string, field: string, value: unknown): string[] {
  const items = typeof value === 'string' ? [value] : value
  if (!Array.isArray(items))
    throw new ImageConfigError(`${where}.${field}: expected a glob or a list of globs, got ${describe(value)}.`)
  return items.map((item, index) => nonEmptyString(where, `${field}[${index}]`, item))
}

/** `build-args` as a mapping (NAME: value) or a list of NAME=value strings. */
function buildArgs(where: string, value: unknown): Record<string, string> {
  const args: Record<string, string> = {}
  const add = (name: string, argValue: unknown, field: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ImageConfigError(
        `${where}.${field}: Invalid build arg name '${name}'. Expected letters, digits and underscores.`
      )
    }
    // YAML and JSON give a string, a number, a boolean, null, a list or a mapping: only the
    // scalars are build args (null as the empty string).
    if (argValue === null) args[name] = ''
    else if (typeof argValue === 'string' || typeof argValue === 'number' || typeof argValue === 'boolean') {
      args[name] = String(argValue)
    } else {
      throw new ImageConfigError(
        `${where}.${field}: the value of '${name}' must be a string, got ${describe(argValue)}.`
      )
    }
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const field = `build-args[${index}]`
      if (typeof item !== 'string' || !item.includes('=')) {
        throw new ImageConfigError(`${where}.${field}: expected NAME=value, got ${describe(item)}.`)
      }
      const at = item.indexOf('=')
      add(item.slice(0, at).trim(), item.slice(at + 1), field)
    })
    return args
  }
  if (!isPlainObject(value)) {
    throw new ImageConfigError(
      `${where}.build-args: expected a mapping (VERSION: "1.2") or a list of NAME=value, got ${describe(value)}.`
    )
  }
  for (const [name, argValue] of Object.entries(value)) add(name, argValue, `build-args.${name}`)
  return args
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `${typeof value} ${JSON.stringify(value)}`
}
