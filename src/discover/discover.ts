import { posix } from 'node:path'
import picomatch from 'picomatch'
import { contextFilter, dockerignorePathFor, pathInContext } from './dockerignore.js'
import { globMatcher } from '../inputs/globs.js'
import { ImageSpec } from '../inputs/images-config.js'
import { ChangedFile, Limits, ImageChange, ImageTarget, labelOf, Side, SideTree } from '../shared/types.js'
import { limitChangeNotes } from './limit-changes.js'

/**
 * Which images the PR affects: every Dockerfile (by the `dockerfiles` globs) that the PR
 * adds, modifies, removes or renames. The build context is the Dockerfile's folder.
 */
export function discoverImages(changed: ChangedFile[], globs: string[]): ImageTarget[] {
  const isDockerfile = globMatcher(globs)
  const targets: ImageTarget[] = []
  for (const file of changed) {
    const target = targetFor(file, isDockerfile)
    if (target) targets.push(target)
  }
  return targets.sort((a, b) => a.dockerfile.localeCompare(b.dockerfile))
}

function targetFor(file: ChangedFile, isDockerfile: (path: string) => boolean): ImageTarget | null {
  const headMatches = isDockerfile(file.path)
  const previous = file.previousPath
  if (file.status === 'renamed' && previous) {
    const baseMatches = isDockerfile(previous)
    if (headMatches) return makeTarget(file.path, previous, 'renamed', `Dockerfile renamed from ${previous}`)
    // Renamed to a name that is no Dockerfile any more: the image is gone from the head.
    if (baseMatches) return makeTarget(previous, previous, 'removed', `Dockerfile renamed to ${file.path}`)
    return null
  }
  if (!headMatches) return null
  const change = changeOf(file)
  return makeTarget(file.path, file.path, change, `Dockerfile ${change}`)
}

function changeOf(file: ChangedFile): ImageChange {
  switch (file.status) {
    case 'added':
    case 'copied':
      return 'added'
    case 'removed':
      return 'removed'
    case 'unchanged':
      return 'unchanged'
    default:
      return 'modified'
  }
}

function makeTarget(dockerfile: string, baseDockerfile: string, change: ImageChange, reason: string): ImageTarget {
  return {
    dockerfile,
    context: posix.dirname(dockerfile),
    baseDockerfile,
    baseContext: posix.dirname(baseDockerfile),
    change,
    reason
  }
}

/** Whether a side of the comparison has this image's Dockerfile at all. */
export function existsOn(target: ImageTarget, side: 'base' | 'head'): boolean {
  return side === 'base' ? target.change !== 'added' : target.change !== 'removed'
}

export interface DiscoveryInput {
  changed: ChangedFile[]
  dockerfileGlobs: string[]
  /** The images config; null checks every Dockerfile the globs match, each with its folder as context. */
  images: ImageSpec[] | null
  /**
   * The base commit's images config, by which each image's base is built (and, with
   * limits-from: base, judged); null: the base has none. Absent: the same as `images`
   * (the `images` input, which is the workflow's and the same for both sides).
   */
  baseImages?: ImageSpec[] | null
  /** Whose config sets each image's limits; default base. */
  limitsFrom?: 'base' | 'head'
  /** The inputs' limits, which an image's own replace: to say what a PR changes in them. */
  globalLimits?: Limits
  head: SideTree
  base: SideTree
  /** The images a compose or bake file declares (bake-images.ts), in place of `images` and the globs. */
  candidates?: Candidate[]
}

/** How many changed paths a reason names before "(+N more)". */
const REASON_PATHS = 3

/**
 * Which images the PR affects, and why. An image is affected when its Dockerfile changes,
 * when a file of its build context changes and `.dockerignore` (or `<Dockerfile>.dockerignore`)
 * does not exclude it at either commit, when that dockerignore file itself changes, or when a
 * file matches one of its `watch` globs. Pure: the caller reads git.
 */
export function discoverAffectedImages(input: DiscoveryInput): ImageTarget[] {
  const touched = input.changed.flatMap(file => (file.previousPath ? [file.path, file.previousPath] : [file.path]))
  const filters = { head: new FilterCache(input.head), base: new FilterCache(input.base) }
  const targets: ImageTarget[] = []
  for (const candidate of input.candidates ?? candidatesOf(input)) {
    const { target, watch } = candidate
    const contextHits =
      target.change === 'added' || target.change === 'removed' ? [] : contextChanges(target, touched, filters)
    const isWatched = watch.length ? picomatch(watch, { dot: true }) : () => false
    const watchHits = [...new Set(touched.filter(path => isWatched(path)))].sort()
    if (target.trigger === 'dockerfile') {
      if (contextHits.length) target.reason += `, build context changed: ${listPaths(contextHits)}`
    } else if (contextHits.length) {
      target.trigger = 'context'
      target.reason = withNote(`build context changed: ${listPaths(contextHits)}`, target.reason)
    } else if (watchHits.length) {
      target.trigger = 'watch'
      target.reason = withNote(`watched files changed: ${listPaths(watchHits)}`, target.reason)
    } else {
      continue
    }
    markIdentical(input, filters, candidate)
    targets.push(target)
  }
  return withDependencies(input, filters, targets).sort((a, b) => labelOf(a).localeCompare(labelOf(b)))
}

/** Whether the image is built from the same inputs at both sides (then one build stands for both). */
function markIdentical(input: DiscoveryInput, filters: Record<Side, FilterCache>, candidate: Candidate): void {
  const { target } = candidate
  if (target.change === 'added' || target.change === 'removed') return
  const baseBuild = target.baseBuild ?? target.build
  const head = fingerprint(input.head, filters.head, target.dockerfile, target.context, target.build?.contexts)
  const base = fingerprint(input.base, filters.base, target.baseDockerfile, target.baseContext, baseBuild?.contexts)
  // The same files built with other options (a target, a build arg) are another image; one
  // built on another image of the run is the same only where that one is, which is not known here.
  target.identical =
    head !== null &&
    head === base &&
    !candidate.differs &&
    sameBuild(target.build, baseBuild) &&
    !Object.values(target.build?.contexts ?? {}).some(source => source.startsWith('target:'))
}

/** The images of the run that an image's named contexts name (`target:<name>`), at one side. */
export function dependenciesOf(target: ImageTarget, side: Side): string[] {
  const build = side === 'base' ? (target.baseBuild ?? target.build) : target.build
  return Object.values(build?.contexts ?? {})
    .filter(source => source.startsWith('target:'))
    .map(source => source.slice('target:'.length))
}

/**
 * The affected images with what their named contexts need: an image built on another
 * (`contexts = { base = "target:base" }`) is affected when that one is, and the one it is
 * built on is built too (on both sides, before it), though nothing of its own changed.
 */
function withDependencies(
  input: DiscoveryInput,
  filters: Record<Side, FilterCache>,
  affected: ImageTarget[]
): ImageTarget[] {
  const candidates = input.candidates ?? []
  if (
    !candidates.some(candidate =>
      (['head', 'base'] as const).some(side => dependenciesOf(candidate.target, side).length)
    )
  ) {
    return affected
  }
  const byName = new Map(candidates.map(candidate => [candidate.target.name ?? '', candidate]))
  const chosen = new Set(affected)
  const result = [...affected]
  // Dependents first: an image built on an affected one is affected.
  for (let grew = true; grew;) {
    grew = false
    for (const candidate of candidates) {
      if (chosen.has(candidate.target)) continue
      const on = dependenciesOf(candidate.target, 'head').find(name => {
        const dependency = byName.get(name)?.target
        return dependency !== undefined && chosen.has(dependency) && !dependency.identical
      })
      if (on === undefined) continue
      const { target } = candidate
      target.trigger ??= 'context'
      target.reason = withNote(`built on image ${on}, which is affected`, target.reason)
      markIdentical(input, filters, candidate)
      chosen.add(target)
      result.push(target)
      grew = true
    }
  }
  // Then what they are built on, whether it changed or not.
  for (let index = 0; index < result.length; index++) {
    const dependent = result[index] as ImageTarget
    for (const side of ['head', 'base'] as const) {
      for (const name of dependenciesOf(dependent, side)) {
        const candidate = byName.get(name)
        if (!candidate || chosen.has(candidate.target)) continue
        const { target } = candidate
        target.trigger ??= 'context'
        target.reason = withNote(`built for ${labelOf(dependent)}, which is built on it`, target.reason)
        markIdentical(input, filters, candidate)
        chosen.add(target)
        result.push(target)
      }
    }
  }
  return result
}

/** A reason with what discovery already noted (where the base declares the image) after it. */
function withNote(reason: string, note: string): string {
  return note ? `${reason}, ${note}` : reason
}

export interface Candidate {
  target: ImageTarget
  watch: string[]
  /** Built otherwise at the two sides (target, build args, platform): never the same image. */
  differs?: boolean
  /** The head config's entry, when there is a config. */
  spec?: ImageSpec
  /** The base config's entry, where discovery already matched it (a move found by name). */
  baseSpec?: ImageSpec
}

/** Every image that could be affected, with what is already known from its Dockerfile's own change. */
function candidatesOf(input: DiscoveryInput): Candidate[] {
  const candidates = [...headCandidatesOf(input), ...droppedCandidatesOf(input)]
  for (const candidate of candidates) applyBaseSpec(candidate, input)
  return candidates
}

/**
 * With limits-from: base, the base's config also says which images are checked: an entry the
 * PR drops from its config (or a config it deletes) is still checked, as the base's entry
 * defines it, until the merge. Otherwise dropping the entry would be the way past the limit.
 */
function droppedCandidatesOf(input: DiscoveryInput): Candidate[] {
  if ((input.limitsFrom ?? 'base') !== 'base' || !input.baseImages) return []
  const headSpecs = input.images
  const isDockerfile = globMatcher(input.dockerfileGlobs)
  const kept = (base: ImageSpec) =>
    headSpecs
      ? headSpecs.some(head =>
          base.name ? head.name === base.name : head.dockerfile === base.dockerfile && head.target === base.target
        )
      : // Without a head config, a Dockerfile the globs match is a candidate already.
        isDockerfile(base.dockerfile) && base.watch.length === 0
  const dropped: Candidate[] = []
  input.baseImages.forEach((base, index) => {
    if (kept(base)) return
    const candidate = fromSpec(base, index, { ...input, images: input.baseImages ?? null })
    candidate.baseSpec = base
    const label = base.name ?? base.dockerfile
    candidate.target.limitNotes = [
      `This PR drops ${label} from the config; it is still checked as the base's config lists it, until the merge.`
    ]
    dropped.push(candidate)
  })
  return dropped
}

/**
 * Builds each candidate's base as the base commit's config defines it, and sets the limits
 * it is judged by: the base's (limits-from: base, the default: a PR cannot loosen its own
 * check) or the head's. An image the base's config does not list is built there with the
 * defaults (its Dockerfile's folder, no target, no build args) and held to the inputs' limits.
 */
function applyBaseSpec(candidate: Candidate, input: DiscoveryInput): void {
  const { target, spec } = candidate
  const baseImages = input.baseImages === undefined ? input.images : input.baseImages
  const baseSpec = candidate.baseSpec ?? (baseImages ? matchBaseSpec(baseImages, spec, target.baseDockerfile) : null)
  const headOwn = spec ? limitsOf(spec) : {}
  const baseOwn = baseSpec ? limitsOf(baseSpec) : {}
  if (target.change !== 'added') {
    target.baseBuild = baseSpec ? buildOptions(baseSpec) : {}
    const defaultContext = posix.dirname(target.baseDockerfile)
    // A context the base's entry gives is kept; one left to its default follows the Dockerfile.
    const ownContext = baseSpec && baseSpec.context !== posix.dirname(baseSpec.dockerfile)
    target.baseContext =
      baseSpec && (ownContext || baseSpec.dockerfile === target.baseDockerfile) ? baseSpec.context : defaultContext
  }
  const limitsFrom = input.limitsFrom ?? 'base'
  const limits = limitsFrom === 'base' ? baseOwn : headOwn
  if (Object.keys(limits).length) target.limits = limits
  else delete target.limits
  if (input.globalLimits && input.baseImages !== undefined) {
    const notes = limitChangeNotes(labelOf(target), baseOwn, headOwn, input.globalLimits, limitsFrom)
    if (notes.length) target.limitNotes = [...(target.limitNotes ?? []), ...notes]
  }
}

/** The base config's entry for an image: the same name, else the same Dockerfile (and target). */
function matchBaseSpec(baseImages: ImageSpec[], spec: ImageSpec | undefined, baseDockerfile: string): ImageSpec | null {
  if (spec?.name) {
    const named = baseImages.find(base => base.name === spec.name)
    if (named) return named
  }
  const sameFile = baseImages.filter(base => base.dockerfile === baseDockerfile)
  return sameFile.find(base => (base.target ?? '') === (spec?.target ?? '')) ?? sameFile[0] ?? null
}

function sameBuild(a: ImageTarget['build'], b: ImageTarget['build']): boolean {
  const canonical = (options: ImageTarget['build']) =>
    JSON.stringify([
      options?.target ?? '',
      options?.platform ?? '',
      Object.entries(options?.buildArgs ?? {}).sort(([x], [y]) => x.localeCompare(y)),
      Object.entries(options?.contexts ?? {}).sort(([x], [y]) => x.localeCompare(y))
    ])
  return canonical(a) === canonical(b)
}

function headCandidatesOf(input: DiscoveryInput): Candidate[] {
  if (input.images) return input.images.map((spec, index) => fromSpec(spec, index, input))
  const changedDockerfiles = new Map(
    discoverImages(input.changed, input.dockerfileGlobs).map(target => [target.dockerfile, target])
  )
  const candidates: Candidate[] = [...changedDockerfiles.values()].map(target => ({
    target: { ...target, trigger: 'dockerfile' },
    watch: []
  }))
  const isDockerfile = globMatcher(input.dockerfileGlobs)
  for (const path of input.head.files.keys()) {
    if (changedDockerfiles.has(path) || !isDockerfile(path) || !input.base.files.has(path)) continue
    candidates.push({ target: makeTarget(path, path, 'unchanged', ''), watch: [] })
  }
  return candidates
}

function fromSpec(spec: ImageSpec, index: number, input: DiscoveryInput): Candidate {
  const { dockerfile } = spec
  const inherits = { ...(spec.name ? { name: spec.name } : {}), build: buildOptions(spec), from: 'config' as const }
  const candidate = (target: ImageTarget, baseSpec?: ImageSpec): Candidate => ({
    target: { ...target, ...inherits },
    watch: spec.watch,
    spec,
    ...(baseSpec ? { baseSpec } : {})
  })
  if (!input.head.files.has(dockerfile)) {
    const gone = input.changed.find(
      file =>
        (file.status === 'removed' && file.path === dockerfile) ||
        (file.status === 'renamed' && file.previousPath === dockerfile)
    )
    if (!gone && !input.base.files.has(dockerfile)) {
      throw new Error(
        `images[${index}]${spec.name ? ` (${spec.name})` : ''}: dockerfile '${dockerfile}' is not in the repository ` +
          'at the head commit. Give its path from the repository root, or remove the entry.'
      )
    }
    const reason = gone?.status === 'renamed' ? `Dockerfile renamed to ${gone.path}` : 'Dockerfile removed'
    return candidate({ ...specTarget(spec, dockerfile, 'removed', reason), trigger: 'dockerfile' })
  }
  const renamed = input.changed.find(file => file.status === 'renamed' && file.path === dockerfile)
  const baseDockerfile = renamed?.previousPath ?? dockerfile
  if (!input.base.files.has(baseDockerfile)) {
    // A Dockerfile that moved, however rewritten, is still the image the base config gives
    // the same name: compared with its old self, not let in as a new image.
    const baseImages = input.baseImages === undefined ? input.images : input.baseImages
    const named = spec.name ? baseImages?.find(base => base.name === spec.name) : undefined
    if (named && named.dockerfile !== dockerfile && input.base.files.has(named.dockerfile)) {
      const moved = specTarget(spec, named.dockerfile, 'renamed', '')
      moved.baseContext = named.context
      moved.reason = `Dockerfile moved from ${named.dockerfile} (the same name, '${spec.name}', in the config on both sides)`
      moved.trigger = 'dockerfile'
      return candidate(moved, named)
    }
    return candidate({ ...specTarget(spec, dockerfile, 'added', 'Dockerfile added'), trigger: 'dockerfile' })
  }
  const target = specTarget(spec, baseDockerfile, renamed ? 'renamed' : 'unchanged', '')
  if (renamed) {
    target.reason = `Dockerfile renamed from ${baseDockerfile}`
    target.trigger = 'dockerfile'
  } else if (input.changed.some(file => file.path === dockerfile)) {
    target.change = 'modified'
    target.reason = 'Dockerfile modified'
    target.trigger = 'dockerfile'
  }
  return candidate(target)
}

function specTarget(spec: ImageSpec, baseDockerfile: string, change: ImageChange, reason: string): ImageTarget {
  // A context left to its default follows the Dockerfile when it moves.
  const defaultContext = spec.context === posix.dirname(spec.dockerfile)
  return {
    dockerfile: spec.dockerfile,
    context: spec.context,
    baseDockerfile,
    baseContext: defaultContext ? posix.dirname(baseDockerfile) : spec.context,
    change,
    reason
  }
}

function buildOptions(spec: ImageSpec): NonNullable<ImageTarget['build']> {
  return {
    ...(spec.target ? { target: spec.target } : {}),
    ...(spec.buildArgs ? { buildArgs: spec.buildArgs } : {}),
    ...(spec.platform ? { platform: spec.platform } : {})
  }
}

/** An image's own limits from its images-config entry (each unset one: the run's). */
export function limitsOf(spec: ImageSpec): NonNullable<ImageTarget['limits']> {
  return {
    ...(spec.maxIncrease !== undefined ? { maxIncrease: spec.maxIncrease } : {}),
    ...(spec.warnIncrease !== undefined ? { warnIncrease: spec.warnIncrease } : {}),
    ...(spec.maxSize !== undefined ? { maxSize: spec.maxSize } : {})
  }
}

/** Dockerignore filters by dockerignore path, parsed once per commit. */
class FilterCache {
  private readonly filters = new Map<string, (relativePath: string) => boolean>()

  constructor(private readonly tree: SideTree) {}

  /** The dockerignore path a build of this Dockerfile and context uses at this commit. */
  ignorePath(dockerfile: string, context: string): string {
    return dockerignorePathFor(dockerfile, context, path => this.tree.files.has(path))
  }

  filter(ignorePath: string): (relativePath: string) => boolean {
    let filter = this.filters.get(ignorePath)
    if (!filter) {
      filter = contextFilter(this.tree.dockerignores.get(ignorePath) ?? null)
      this.filters.set(ignorePath, filter)
    }
    return filter
  }
}

/**
 * The touched paths that the build context holds at either commit (after that commit's
 * dockerignore), and the dockerignore files themselves. The image's own Dockerfile is
 * left out: its change is the Dockerfile's, said apart.
 */
function contextChanges(target: ImageTarget, touched: string[], filters: Record<Side, FilterCache>): string[] {
  const sides = [
    { cache: filters.head, dockerfile: target.dockerfile, context: target.context },
    { cache: filters.base, dockerfile: target.baseDockerfile, context: target.baseContext }
  ].map(side => {
    const ignorePath = side.cache.ignorePath(side.dockerfile, side.context)
    return { context: side.context, ignorePath, filter: side.cache.filter(ignorePath) }
  })
  // A local named context is read as a context of its own: with its own .dockerignore.
  for (const [cache, build] of [
    [filters.head, target.build],
    [filters.base, target.baseBuild ?? target.build]
  ] as const) {
    for (const context of localContexts(build?.contexts)) {
      const ignorePath = posix.join(context, '.dockerignore')
      sides.push({ context, ignorePath, filter: cache.filter(ignorePath) })
    }
  }
  const ownFiles = new Set([target.dockerfile, target.baseDockerfile])
  const hits = new Set<string>()
  for (const path of touched) {
    if (ownFiles.has(path)) continue
    for (const side of sides) {
      const inContext = pathInContext(side.context, path)
      if (path === side.ignorePath || (inContext !== null && side.filter(inContext))) hits.add(path)
    }
  }
  return [...hits].sort()
}

/**
 * What the builder receives at one commit: the Dockerfile's content and every file of the
 * context that the dockerignore lets through, by path inside the context, mode and object
 * id. Two equal fingerprints build the same image. Null when the Dockerfile is missing.
 */
/**
 * What a build of this Dockerfile and context reads at one commit, as one string: the
 * Dockerfile's object id and every file the dockerignore lets through, with its object id.
 * Equal strings: equal builds inputs from the repository. Null when the Dockerfile is absent.
 */
export function sourceFingerprint(tree: SideTree, dockerfile: string, context: string): string | null {
  return fingerprint(tree, new FilterCache(tree), dockerfile, context)
}

function fingerprint(
  tree: SideTree,
  cache: FilterCache,
  dockerfile: string,
  context: string,
  contexts: Record<string, string> = {}
): string | null {
  const dockerfileId = tree.files.get(dockerfile)
  if (dockerfileId === undefined) return null
  const filesOf = (folder: string, filter: (relativePath: string) => boolean) => {
    const entries: string[] = []
    for (const [path, id] of tree.files) {
      const inContext = pathInContext(folder, path)
      if (inContext !== null && filter(inContext)) entries.push(`${inContext}\0${id}`)
    }
    return entries.sort().join('\n')
  }
  const parts = [dockerfileId, filesOf(context, cache.filter(cache.ignorePath(dockerfile, context)))]
  for (const [name, source] of Object.entries(contexts).sort(([a], [b]) => a.localeCompare(b))) {
    const local = localContexts({ [name]: source })[0]
    parts.push(
      `@${name}=${source}`,
      local === undefined ? '' : filesOf(local, cache.filter(posix.join(local, '.dockerignore')))
    )
  }
  return parts.join('\n')
}

/** The named contexts that are folders of the repository. */
function localContexts(contexts: Record<string, string> | undefined): string[] {
  return Object.values(contexts ?? {}).filter(source => !/^(?:docker-image:\/\/|target:)/i.test(source))
}

function listPaths(paths: string[]): string {
  const shown = paths.slice(0, REASON_PATHS).join(', ')
  return paths.length > REASON_PATHS ? `${shown} (+${paths.length - REASON_PATHS} more)` : shown
}
