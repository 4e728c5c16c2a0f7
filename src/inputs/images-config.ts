import { posix } from 'node:path'
import { parseDocument } from 'yaml'
import { parseGrowthThreshold, parseSizeBudget } from './thresholds.js'
import { GrowthThreshold } from '../shared/types.js'
import { parseReference, ReferenceError } from '../registry/reference.js'
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

/**
 * An image the workflow built and pushed (or loaded), read where it is and built by nobody:
 * `image` is the head, `base-image` the baseline (absent: a baseline record of `image`).
 */
export interface ReferenceSpec {
  name?: string
  image: string
  baseImage: string | null
  /** The Dockerfile it was built from, for links; from the repository root. */
  dockerfile?: string
  maxIncrease?: GrowthThreshold | null
  warnIncrease?: GrowthThreshold | null
  maxSize?: number | null
}

/** An images list as written: the entries to build, and the image references to read. */
export interface ImageList {
  specs: ImageSpec[]
  references: ReferenceSpec[]
}

/** The fields that build an image, which an `image` entry (built by nobody here) does not take. */
const BUILD_FIELDS = ['context', 'target', 'build-args', 'platform', 'watch'] as const

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
  'watch',
  'image',
  'base-image'
] as const

/**
 * Parses the `images` input: a YAML list of image entries. `source` names where the text
 * came from, at the start of every error.
 */
export function parseImagesInput(text: string, source = 'images'): ImageSpec[] | null {
  const list = parseImagesList(text, source)
  if (list?.references.length) {
    throw new ImageConfigError(
      `${source}: an entry with 'image' is read from the images config file (the config input, ${DEFAULT_CONFIG_FILE} by default); ` +
        'this list takes the dockerfile entries. Move the image entries there (the command takes --image and --base-image).'
    )
  }
  return list?.specs ?? null
}

/** The `images` input with its image references (`image`, `base-image` entries); null when empty. */
export function parseImagesList(text: string, source = 'images'): ImageList | null {
  if (text.trim() === '') return null
  const value = parseYaml(text, source)
  if (!Array.isArray(value)) {
    throw new ImageConfigError(
      `${source}: expected a YAML list of images, each with at least a dockerfile or an image.`
    )
  }
  return parseEntries(value, source)
}

/** Parses the config file: a mapping whose `images` key holds the list. */
export function parseConfigFile(text: string, source: string): ImageSpec[] {
  return parseConfigList(text, source).specs
}

/** The config file with its image references. */
export function parseConfigList(text: string, source: string): ImageList {
  const value = parseYaml(text, source)
  if (value === null || value === undefined) return { specs: [], references: [] }
  if (!isPlainObject(value)) {
    throw new ImageConfigError(
      `${source}: expected a mapping with an 'images' list, such as\nimages:\n  - dockerfile: api/Dockerfile`
    )
  }
  for (const key of Object.keys(value)) {
    if (key !== 'images') throw new ImageConfigError(`${source}: unknown key '${key}'. Expected only 'images'.`)
  }
  if (value.images === undefined || value.images === null) return { specs: [], references: [] }
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

function parseEntries(entries: unknown[], source: string): ImageList {
  const parsed = entries.map((entry, index) => parseEntry(entry, `${source}: images[${index}]`))
  const seen = new Map<string, number>()
  parsed.forEach((spec, index) => {
    const key =
      spec.name ?? ('image' in spec ? `image|${spec.image}` : `${spec.dockerfile}|${spec.target ?? ''}|${spec.context}`)
    const earlier = seen.get(key)
    if (earlier !== undefined) {
      throw new ImageConfigError(
        `${source}: images[${index}]: the same image as images[${earlier}]` +
          `${spec.name ? ` (name '${spec.name}')` : ''}. Give each entry its own name.`
      )
    }
    seen.set(key, index)
  })
  return {
    specs: parsed.filter((spec): spec is ImageSpec => !('image' in spec)),
    references: parsed.filter((spec): spec is ReferenceSpec => 'image' in spec)
  }
}

function parseEntry(entry: unknown, where: string): ImageSpec | ReferenceSpec {
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
  if (entry.image !== undefined || entry['base-image'] !== undefined) return referenceEntry(entry, where)
  if (entry.dockerfile === undefined || entry.dockerfile === null) {
    throw new ImageConfigError(`${where}: missing 'dockerfile' (or 'image', for an image built elsewhere).`)
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
  return { ...spec, ...entryLimits(entry, where) }
}

/** An `image` entry: its references checked here, so a typo fails before anything is read. */
function referenceEntry(entry: Record<string, unknown>, where: string): ReferenceSpec {
  if (entry.image === undefined || entry.image === null) {
    throw new ImageConfigError(
      `${where}: 'base-image' without 'image'. Give the head's reference too, such as image: ghcr.io/owner/app:pr-12.`
    )
  }
  for (const field of BUILD_FIELDS) {
    if (entry[field] !== undefined) {
      throw new ImageConfigError(
        `${where}.${field}: an entry with 'image' is read from where it is, built by nobody here, so '${field}' does not apply. ` +
          'Remove it, or remove image to have the check build the dockerfile.'
      )
    }
  }
  const reference = (field: 'image' | 'base-image'): string => {
    const text = nonEmptyString(where, field, entry[field])
    try {
      parseReference(text, field)
    } catch (error) {
      if (error instanceof ReferenceError)
        throw new ImageConfigError(`${where}.${error.message.replace(/^Invalid /, '')}`)
      throw error
    }
    return text
  }
  const spec: ReferenceSpec = {
    image: reference('image'),
    baseImage: entry['base-image'] === undefined || entry['base-image'] === null ? null : reference('base-image')
  }
  if (entry.name !== undefined) spec.name = nonEmptyString(where, 'name', entry.name)
  if (entry.dockerfile !== undefined && entry.dockerfile !== null) {
    spec.dockerfile = repoPath(where, 'dockerfile', entry.dockerfile)
  }
  return { ...spec, ...entryLimits(entry, where) }
}

/** An entry's own limits, the same for an image built here and one named by reference. */
function entryLimits(
  entry: Record<string, unknown>,
  where: string
): Pick<ImageSpec, 'maxIncrease' | 'warnIncrease' | 'maxSize'> {
  const limits: Pick<ImageSpec, 'maxIncrease' | 'warnIncrease' | 'maxSize'> = {}
  if (entry['max-increase'] !== undefined) limits.maxIncrease = threshold(where, 'max-increase', entry['max-increase'])
  if (entry['warn-increase'] !== undefined) {
    limits.warnIncrease = threshold(where, 'warn-increase', entry['warn-increase'])
  }
  if (entry['max-size'] !== undefined) {
    limits.maxSize = withField(where, 'max-size', () =>
      parseSizeBudget('max-size', scalarText(where, 'max-size', entry['max-size']))
    )
  }
  return limits
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
