import { posix } from 'node:path'
import { parse as parseYaml } from 'yaml'

/**
 * Reading what `docker buildx bake --print` says about a repository's compose or bake files.
 * Pure: the command is run elsewhere (bake.ts). Everything here comes from files a PR's
 * author wrote, so every value is checked before it names a path to build.
 */

export type BakeKind = 'compose' | 'bake'

/** The names `docker compose` looks for at the root, in its order. */
export const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml']
/** The bake files read by default, in bake's order (an override after the file it overrides). */
export const BAKE_FILES = ['docker-bake.json', 'docker-bake.hcl', 'docker-bake.override.hcl']

/**
 * The files of a kind that a commit has in a folder (`.` for the root), as paths from the
 * root, in the order bake reads them.
 */
export function definitionFiles(kind: BakeKind, has: (path: string) => boolean, folder = '.'): string[] {
  const names = (kind === 'compose' ? COMPOSE_FILES : BAKE_FILES)
    .map(name => (folder === '.' ? name : `${folder}/${name}`))
    .filter(has)
  // `docker compose` reads the first name it finds (and warns of the others); so do we.
  return kind === 'compose' ? names.slice(0, 1) : names
}

/** Folders that hold other projects' code (Go's and PHP's `vendor`, npm's `node_modules`): their files declare no image of this repository. */
const DEPENDENCY_FOLDER = /(?:^|\/)(?:vendor|node_modules)\//

/**
 * The folders of a tree that hold a compose or bake file, root first, then by path: each is
 * evaluated from its own folder, as `docker compose` and `docker buildx bake` run there.
 * Vendored dependencies are left out.
 */
export function definitionFolders(paths: Iterable<string>, kinds: BakeKind[]): string[] {
  const names = new Set(kinds.flatMap(kind => (kind === 'compose' ? COMPOSE_FILES : BAKE_FILES)))
  const folders = new Set<string>()
  for (const path of paths) {
    if (names.has(posix.basename(path)) && !DEPENDENCY_FOLDER.test(path)) folders.add(posix.dirname(path))
  }
  return [...folders].sort((a, b) => (a === '.' ? -1 : b === '.' ? 1 : a.localeCompare(b)))
}

/** An image's name: the service or target, after the folder of its file where that is not the root. */
function qualifiedName(folder: string, name: string): string {
  return folder === '.' ? name : `${folder}/${name}`
}

/** One image as bake resolved it, with paths from the repository root. */
export interface BakeImage {
  /** The compose service or the bake target. */
  name: string
  dockerfile: string
  context: string
  target?: string
  buildArgs?: Record<string, string>
  platform?: string
  /**
   * Named contexts (bake `contexts`, compose `additional_contexts`), by name: a folder from
   * the repository root, `docker-image://<reference>`, or `target:<image name>` (another
   * image declared beside it, built first on the same side).
   */
  contexts?: Record<string, string>
  /** Added by discovery: the Dockerfile's last stage, measured beside a service's other target. */
  lastStage?: boolean
  /** The names it is tagged with (compose `image:`, bake `tags`): another image built FROM one is built on it. */
  tags?: string[]
  /** The files that declare it (`app/compose.yaml`), and their kind, where not the run's one source. */
  source?: string
  kind?: BakeKind
}

/** A definition the check will not build: the message names the target, the value and the fix. */
export class BakeDefinitionError extends Error {}

interface PrintedTarget {
  context?: unknown
  contexts?: unknown
  tags?: unknown
  dockerfile?: unknown
  'dockerfile-inline'?: unknown
  args?: unknown
  target?: unknown
  platforms?: unknown
}

/**
 * The JSON `bake --print` writes on stdout. Its stderr starts with a progress block
 * (`#1 [internal] load local bake definitions`), which is why only stdout is given here.
 */
export function parseBakePrint(stdout: string): Map<string, PrintedTarget> {
  let value: unknown
  try {
    value = JSON.parse(stdout)
  } catch {
    throw new BakeDefinitionError(`docker buildx bake --print did not print JSON: ${stdout.trim().slice(0, 200)}`)
  }
  const targets = isObject(value) ? value.target : undefined
  if (targets === undefined || targets === null) return new Map()
  if (!isObject(targets)) throw new BakeDefinitionError("docker buildx bake --print: 'target' is not a mapping.")
  const result = new Map<string, PrintedTarget>()
  for (const [name, target] of Object.entries(targets)) {
    if (isObject(target)) result.set(name, target)
  }
  return result
}

export interface ResolveOptions {
  /** The files bake read, to name in messages: `compose.yaml`. */
  source: string
  kind: BakeKind
  /** The absolute folder that stands for the repository root in absolute paths. */
  runDir: string
  /** The folder bake ran in, from the root (`.`): relative paths start there. Default the root. */
  folder?: string
}

/**
 * The images of bake's targets, with paths from the repository root. Throws for a remote or
 * inline definition and for a path that leaves the repository.
 */
export function toBakeImages(targets: Map<string, PrintedTarget>, options: ResolveOptions): BakeImage[] {
  const images: BakeImage[] = []
  for (const [name, printed] of [...targets].sort(([a], [b]) => a.localeCompare(b))) {
    images.push(toBakeImage(name, printed, options))
  }
  return images
}

function toBakeImage(name: string, printed: PrintedTarget, options: ResolveOptions): BakeImage {
  const what = `${options.source}: ${options.kind === 'compose' ? 'service' : 'target'} '${name}'`
  // Newer buildx writes a path from where bake ran as `cwd://path`: that is our folder.
  const contextText = (
    printed.context === undefined || printed.context === null ? '.' : text(what, 'context', printed.context)
  ).replace(/^cwd:\/\//, '')
  if (isRemote(contextText)) {
    throw new BakeDefinitionError(
      `${what}: the build context '${contextText}' is not a folder of the repository (a remote context). ` +
        'The check builds from the checked-out commits only: build it from a folder of the repository, ' +
        'or list the images to check in .github/docker-size-check.yml, or set images-from: dockerfiles.'
    )
  }
  if (printed['dockerfile-inline'] !== undefined && printed['dockerfile-inline'] !== null) {
    throw new BakeDefinitionError(
      `${what}: an inline Dockerfile (dockerfile_inline) is not a file the check can compare between commits. ` +
        'Move it to a file and name it with dockerfile, or list the images in .github/docker-size-check.yml.'
    )
  }
  const folder = options.folder ?? '.'
  const context = repoPath(what, 'context', contextText, folder, options.runDir)
  const dockerfileText =
    printed.dockerfile === undefined || printed.dockerfile === null
      ? 'Dockerfile'
      : text(what, 'dockerfile', printed.dockerfile)
  if (dockerfileText === '-') {
    throw new BakeDefinitionError(`${what}: a Dockerfile read from stdin ('-') cannot be checked. Name a file.`)
  }
  // Bake's dockerfile is relative to the context (as `docker build -f` is not).
  const dockerfile = repoPath(what, 'dockerfile', dockerfileText, context, options.runDir)
  const image: BakeImage = { name: qualifiedName(folder, name), dockerfile, context }
  if (folder !== '.') {
    image.source = options.source
    image.kind = options.kind
  }
  if (typeof printed.target === 'string' && printed.target.trim()) image.target = printed.target.trim()
  const contexts = namedContexts(what, printed.contexts, folder, options.runDir)
  if (contexts) image.contexts = contexts
  const tags = Array.isArray(printed.tags)
    ? printed.tags.filter((tag): tag is string => typeof tag === 'string' && tag.trim() !== '').map(tag => tag.trim())
    : []
  if (tags.length) image.tags = tags
  const args = buildArgs(printed.args)
  if (args) image.buildArgs = args
  const platform = platformOf(what, printed.platforms)
  if (platform) image.platform = platform
  return image
}

/** What a named context may be called: BuildKit's names, and image names a context stands for (`docker.io/library/alpine:3`). */
const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/

/**
 * A target's named contexts with paths from the root: a local folder (relative to the folder
 * bake ran in, checked to stay inside the repository), an image (`docker-image://`), or
 * another target of the same files (`target:`, named as discovery names it). Any other
 * source (a git URL, an `https://` tarball, an OCI layout) is not of the checked-out commits,
 * and refused.
 */
function namedContexts(what: string, value: unknown, folder: string, runDir: string): Record<string, string> | null {
  if (!isObject(value)) return null
  const contexts: Record<string, string> = {}
  for (const [name, raw] of Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) {
    if (!CONTEXT_NAME.test(name)) {
      throw new BakeDefinitionError(`${what}: the named context ${JSON.stringify(name)} is not a context name.`)
    }
    const source = text(what, `named context '${name}'`, raw).replace(/^cwd:\/\//, '')
    const image = /^docker-image:\/\/(\S+)$/i.exec(source)?.[1]
    const target = /^target:([A-Za-z0-9_.-]+)$/i.exec(source)?.[1]
    if (image !== undefined) contexts[name] = `docker-image://${image}`
    else if (target !== undefined) contexts[name] = `target:${qualifiedName(folder, target)}`
    else if (isRemote(source)) {
      throw new BakeDefinitionError(
        `${what}: the named context '${name}' is '${source}', not a folder of the repository, an image ` +
          '(docker-image://) or another target (target:). The check builds from the checked-out commits only: ' +
          'make it a folder of the repository, or list the images in .github/docker-size-check.yml.'
      )
    } else contexts[name] = repoPath(what, `named context '${name}'`, source, folder, runDir)
  }
  return Object.keys(contexts).length ? contexts : null
}

/** Whether a named context's source (as BakeImage.contexts holds it) is a folder of the repository. */
export function isLocalContext(source: string): boolean {
  return !/^docker-image:\/\//i.test(source) && !/^target:/i.test(source)
}

/**
 * A context that is no local folder: a git URL (`https://…`, `git@…`, `….git#ref`), an
 * `https://` tarball, `github.com/…` (which BuildKit reads as git), another target's output
 * (`target:`), an image (`docker-image://`) or an OCI layout (`oci-layout://`).
 */
export function isRemote(context: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(context) ||
    /^git@/i.test(context) ||
    /^github\.com\//i.test(context) ||
    /^target:/i.test(context) ||
    /\.git(?:#.*)?$/i.test(context) ||
    /\.git#/i.test(context)
  )
}

/**
 * A path from the repository root, normalized. `base` is the folder a relative path starts
 * from; an absolute one counts only inside `runDir` (where bake made it absolute).
 */
function repoPath(what: string, field: string, value: string, base: string, runDir: string): string {
  const slashed = value.replace(/\\/g, '/')
  let fromRoot: string | null
  if (posix.isAbsolute(slashed)) {
    const root = runDir.replace(/\\/g, '/').replace(/\/+$/, '')
    const normalized = posix.normalize(slashed).replace(/\/+$/, '')
    fromRoot = normalized === root ? '.' : normalized.startsWith(`${root}/`) ? normalized.slice(root.length + 1) : null
  } else {
    fromRoot = posix.normalize(posix.join(base, slashed)).replace(/\/+$/, '') || '.'
  }
  if (fromRoot === null || posix.isAbsolute(fromRoot) || fromRoot === '..' || fromRoot.startsWith('../')) {
    throw new BakeDefinitionError(
      `${what}: ${field} '${value}' leaves the repository. Give a path inside the repository ` +
        '(relative to the file, or for a dockerfile to the context), or set images-from: dockerfiles.'
    )
  }
  return fromRoot
}

function buildArgs(value: unknown): Record<string, string> | null {
  if (!isObject(value)) return null
  const args: Record<string, string> = {}
  for (const [name, argValue] of Object.entries(value)) {
    // An arg without a value (compose's `args: [NAME]`) takes one from the environment,
    // which is empty here: it is left to the Dockerfile's default, as docker build would.
    if (argValue === null || argValue === undefined) continue
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue
    args[name] = typeof argValue === 'string' ? argValue : JSON.stringify(argValue)
  }
  return Object.keys(args).length ? args : null
}

/** The one platform to build: the image is loaded into the engine's store, which holds one. */
function platformOf(what: string, value: unknown): string | null {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : []
  const platforms = list.filter((item): item is string => typeof item === 'string' && item.trim() !== '')
  const first = platforms[0]?.trim()
  // bake's `local` is the platform of the builder: a build with no --platform makes that.
  if (!first || first.toLowerCase() === 'local') return null
  if (!/^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/i.test(first)) {
    throw new BakeDefinitionError(
      `${what}: platform '${first}' is not one platform such as linux/amd64. Fix it, or set images-from: dockerfiles.`
    )
  }
  return first
}

function text(what: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new BakeDefinitionError(`${what}: ${field} must be a non-empty string, got ${JSON.stringify(value)}.`)
  }
  return value.trim()
}

/**
 * The targets a bake file declares, for when it has no `default` group (then `bake --print`
 * alone fails with "failed to find target default"): HCL blocks `target "name" {` and the
 * keys of a JSON file's `target` mapping, less those that other targets inherit from.
 */
export function declaredTargets(files: Array<{ path: string; text: string }>): string[] {
  const names = new Set<string>()
  const inherited = new Set<string>()
  for (const file of files) {
    if (file.path.endsWith('.json')) {
      try {
        const value: unknown = JSON.parse(file.text)
        if (isObject(value) && isObject(value.target)) {
          for (const [name, target] of Object.entries(value.target)) {
            names.add(name)
            if (isObject(target) && Array.isArray(target.inherits)) {
              for (const parent of target.inherits) if (typeof parent === 'string') inherited.add(parent)
            }
          }
        }
      } catch {
        // Bake says what is wrong with it.
      }
      continue
    }
    for (const [, name = ''] of file.text.matchAll(/^\s*target\s+"([A-Za-z0-9_-]+)"\s*\{/gm)) names.add(name)
    for (const [, list = ''] of file.text.matchAll(/\binherits\s*=\s*\[([^\]]*)\]/g)) {
      for (const [, name = ''] of list.matchAll(/"([A-Za-z0-9_-]+)"/g)) inherited.add(name)
    }
  }
  // A target others inherit from is a block of shared settings, not an image of its own.
  return [...names].filter(name => !inherited.has(name)).sort()
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** What a compose file makes bake read besides itself, from the repository root. */
export interface ComposeReferences {
  inside: string[]
  /**
   * The `env_file`s among `inside`: they set a container's environment at run time, never a
   * build, so one that is not committed (a developer's own, ignored by git) is read as empty.
   */
  envFiles: string[]
  /** Paths that leave the repository (absolute, or above the root), as written: refused before bake runs. */
  outside: string[]
}

/**
 * The other files a compose file makes bake read: `include`d compose files, `extends.file`,
 * services' `env_file`s and `label_file`s (bake fails on a missing one). Bake runs over a copy
 * of the files it reads, so these are copied too; a path that leaves the repository would be
 * read from the runner's disk, and is refused. A path that holds a variable is read as bake
 * would read it, with `variables` (bake's whole environment and the `.env` file): so
 * `${HOME}/../outside.env` is refused as well, as the folder it names.
 */
export function composeReferences(
  path: string,
  text: string,
  variables: Readonly<Record<string, string>> = {}
): ComposeReferences {
  const result: ComposeReferences = { inside: [], envFiles: [], outside: [] }
  let document: unknown
  try {
    document = parseYaml(text)
  } catch {
    return result
  }
  if (!isObject(document)) return result
  const dir = posix.dirname(path)
  const add = (value: unknown, isEnvFile = false) => {
    if (typeof value !== 'string' || value.trim() === '') return
    const resolved = value.includes('$') ? interpolate(value, variables) : value
    const written = resolved.trim().replace(/\\/g, '/')
    if (written === '') return
    const joined = posix.normalize(posix.join(dir, written))
    const leaves =
      posix.isAbsolute(written) || /^[A-Za-z]:/.test(written) || joined === '..' || joined.startsWith('../')
    if (leaves) {
      if (!result.outside.includes(value.trim())) result.outside.push(value.trim())
      return
    }
    if (!result.inside.includes(joined)) result.inside.push(joined)
    if (isEnvFile && !result.envFiles.includes(joined)) result.envFiles.push(joined)
  }
  const addEach = (value: unknown, key?: string, isEnvFile = false) => {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isObject(item) && key) addEach(item[key], undefined, isEnvFile)
      else add(item, isEnvFile)
    }
  }
  for (const item of Array.isArray(document.include) ? document.include : [document.include]) {
    if (isObject(item)) {
      addEach(item.path)
      // An include's env_file sets the variables of the files it includes: a build's too.
      addEach(item.env_file)
      add(item.project_directory)
    } else add(item)
  }
  if (isObject(document.services)) {
    for (const service of Object.values(document.services)) {
      if (!isObject(service)) continue
      addEach(service.env_file, 'path', true)
      addEach(service.label_file, undefined, true)
      if (isObject(service.extends)) add(service.extends.file)
    }
  }
  return result
}

/**
 * A string with compose's variables replaced, as compose-go does: `$$` is a `$`; `$NAME`,
 * `${NAME}`, and `${NAME:-default}`, `${NAME-default}`, `${NAME:+alternative}`,
 * `${NAME+alternative}`, `${NAME:?error}`, `${NAME?error}` (the error forms read as empty),
 * defaults themselves interpolated. A variable that is not set is empty.
 */
export function interpolate(value: string, variables: Readonly<Record<string, string>>): string {
  let out = ''
  let i = 0
  while (i < value.length) {
    const char = value[i]
    if (char !== '$') {
      out += char
      i++
      continue
    }
    const next = value[i + 1]
    if (next === '$') {
      out += '$'
      i += 2
      continue
    }
    if (next === '{') {
      // The matching brace, nested ones counted.
      let depth = 1
      let end = i + 2
      while (end < value.length && depth > 0) {
        if (value[end] === '{') depth++
        else if (value[end] === '}') depth--
        if (depth > 0) end++
      }
      out += expand(value.slice(i + 2, end), variables)
      i = end + 1
      continue
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1))?.[0]
    if (name) {
      out += variables[name] ?? ''
      i += 1 + name.length
      continue
    }
    out += '$'
    i++
  }
  return out
}

function expand(inner: string, variables: Readonly<Record<string, string>>): string {
  const [, name = '', operator = '', rest = ''] = /^([A-Za-z_][A-Za-z0-9_]*)(:?[-+?]|)([\s\S]*)$/.exec(inner) ?? []
  const set = Object.prototype.hasOwnProperty.call(variables, name)
  const current = set ? (variables[name] ?? '') : ''
  switch (operator) {
    case ':-':
      return current !== '' ? current : interpolate(rest, variables)
    case '-':
      return set ? current : interpolate(rest, variables)
    case ':+':
      return current !== '' ? interpolate(rest, variables) : ''
    case '+':
      return set ? interpolate(rest, variables) : ''
    default:
      return current
  }
}

/** `NAME=value` lines of a `.env` file, as compose reads them (comments, `export ` and quotes dropped). */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line)
    if (!match) continue
    const [, name = '', rawValue = ''] = match
    let value = rawValue
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.lastIndexOf(quote) > 0) {
      value = value.slice(1, value.lastIndexOf(quote))
    } else {
      value = value.replace(/\s+#.*$/, '').trim()
    }
    values[name] = value
  }
  return values
}

/**
 * An image reference as BuildKit names a context that stands for it (its familiar form
 * without `:latest`): `docker.io/library/alpine:latest` and `alpine` are `alpine`,
 * `ghcr.io/o/a:1` stays. Null for what is no reference (a variable left unset).
 */
export function familiarReference(reference: string): string | null {
  let name = reference.trim()
  if (!/^[a-z0-9][a-z0-9._\-/:@]*$/i.test(name) || name.includes('${') || name === 'scratch') return null
  name = name.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//i, '')
  if (/^library\/[^/]+$/.test(name)) name = name.slice('library/'.length)
  return name.replace(/:latest$/, '')
}
