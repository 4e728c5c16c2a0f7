import { BakeImage, BakeKind } from './bake-definition.js'
import type { Candidate } from './discover.js'
import { ChangedFile, ImageTarget } from '../shared/types.js'

/** An image the base declares in some other way than the head's file: by its config or a Dockerfile the globs match. */
export interface BaseImage extends BakeImage {
  /** What declares it at the base, for the reason: `the images config`, `the dockerfiles globs`. */
  declaredBy?: string
  /** Its own limits from the base's images config (limits-from: base). */
  limits?: ImageTarget['limits']
}

export interface BakeSides {
  kind: BakeKind
  /** The files read at the head, to name in reasons: `compose.yaml`. */
  source: string
  head: BakeImage[]
  /**
   * The base's images: from the same kind of file where the base has one that declares
   * images, else however the base declares them (its config, its Dockerfiles).
   */
  base: BaseImage[]
  changed: ChangedFile[]
  /** Whether the head's tree holds a path (its Dockerfile must be there). */
  headHas(path: string): boolean
}

/**
 * The images the compose or bake files describe at either side, as discovery's candidates.
 * Each side's definition is that side's own; an image's base is found by what it builds, not
 * by its name: the base image with the same Dockerfile (followed through a rename) and, among
 * several, the same context, then the same stage, then the same name. So a service or target
 * the PR renames, or a compose file that takes over from the config or the globs, is the same
 * image compared with its base. Only an image the base builds from no such Dockerfile (and no
 * such name) is new; one whose Dockerfile, context, target, build args or platform the PR
 * changes is checked for that alone. Pure.
 */
export function bakeCandidates(sides: BakeSides): Candidate[] {
  const kindOf = (image: BakeImage) => image.kind ?? sides.kind
  const wordOf = (image: BakeImage) => (kindOf(image) === 'compose' ? 'service' : 'target')
  const sourceOf = (image: BakeImage) => image.source ?? sides.source
  for (const now of sides.head) {
    if (!sides.headHas(now.dockerfile)) {
      throw new Error(
        `${sourceOf(now)}: ${wordOf(now)} '${now.name}': dockerfile '${now.dockerfile}' is not in the repository at the head commit. ` +
          'Fix the path (a dockerfile is relative to the context), or set images-from: dockerfiles.'
      )
    }
  }
  const pairs = pairByIdentity(sides.head, sides.base, sides.changed)
  const changedPaths = new Set(sides.changed.map(file => file.path))
  const candidates: Candidate[] = []
  for (const [now, before] of pairs) {
    if (now && !before) {
      const why = `${wordOf(now)} added in ${sourceOf(now)}`
      candidates.push(candidate(now, now, 'added', why, 'dockerfile', kindOf(now)))
      continue
    }
    if (!now && before) {
      const why = before.declaredBy
        ? `declared by ${before.declaredBy} at the base, by nothing at the head`
        : `${wordOf(before)} removed from ${sourceOf(before)}`
      candidates.push(candidate(before, before, 'removed', why, 'dockerfile', kindOf(before)))
      continue
    }
    if (!now || !before) continue
    const word = wordOf(now)
    const source = sourceOf(now)
    const differences = definitionChanges(before, now)
    let result: Candidate
    if (now.dockerfile !== before.dockerfile) {
      result = candidate(
        now,
        before,
        'renamed',
        `Dockerfile changed from ${before.dockerfile}`,
        'dockerfile',
        kindOf(now)
      )
    } else if (changedPaths.has(now.dockerfile)) {
      result = candidate(now, before, 'modified', 'Dockerfile modified', 'dockerfile', kindOf(now))
    } else {
      result = candidate(now, before, 'unchanged', '', undefined, kindOf(now))
    }
    const notes: string[] = []
    if (before.declaredBy) notes.push(`declared by ${before.declaredBy} at the base`)
    else if (before.name !== now.name) notes.push(`${word} '${before.name}' at the base`)
    const others = differences.filter(field => field !== 'dockerfile')
    if (others.length) notes.push(`${others.join(', ')} changed in ${source}`)
    if (notes.length) {
      const note = notes.join(', ')
      result.target.reason = result.target.reason ? `${result.target.reason}, ${note}` : note
    }
    if (others.length) {
      result.target.trigger ??= 'dockerfile'
      result.differs = true
    }
    if (before.limits && Object.keys(before.limits).length) result.target.limits = before.limits
    candidates.push(result)
  }
  return candidates.sort((a, b) => (a.target.name ?? '').localeCompare(b.target.name ?? ''))
}

/**
 * Head and base images paired by what they build: the same Dockerfile (the base's path
 * followed to the head through the PR's renames), best match first; then, among those left,
 * by name (a service whose Dockerfile the PR changes). Unpaired ones stand alone.
 */
function pairByIdentity(
  head: BakeImage[],
  base: BaseImage[],
  changed: ChangedFile[]
): Array<[BakeImage | undefined, BaseImage | undefined]> {
  const renamedTo = new Map(
    changed.filter(file => file.status === 'renamed' && file.previousPath).map(file => [file.previousPath, file.path])
  )
  const atHead = (path: string) => renamedTo.get(path) ?? path
  const scored: Array<{ score: number; head: BakeImage; base: BaseImage }> = []
  for (const now of head) {
    for (const before of base) {
      if (atHead(before.dockerfile) !== now.dockerfile) continue
      const score =
        (before.context === now.context ? 8 : 0) +
        (stageOf(before) === stageOf(now) ? 4 : 0) +
        (before.name === now.name ? 2 : 0) +
        (JSON.stringify(sortedArgs(before.buildArgs ?? {})) === JSON.stringify(sortedArgs(now.buildArgs ?? {})) ? 1 : 0)
      scored.push({ score, head: now, base: before })
    }
  }
  // Stable: among equal scores, the order the sides list them.
  scored.sort((a, b) => b.score - a.score)
  const pairs = new Map<BakeImage, BaseImage>()
  const taken = new Set<BaseImage>()
  for (const { head: now, base: before } of scored) {
    if (pairs.has(now) || taken.has(before)) continue
    pairs.set(now, before)
    taken.add(before)
  }
  for (const now of head) {
    if (pairs.has(now)) continue
    const named = base.find(before => !taken.has(before) && !before.declaredBy && before.name === now.name)
    if (named) {
      pairs.set(now, named)
      taken.add(named)
    }
  }
  const result: Array<[BakeImage | undefined, BaseImage | undefined]> = head.map(now => [now, pairs.get(now)])
  for (const before of base) {
    // An image the base found only by its globs, and no one declares now, is no image the
    // head's file drops: the file simply does not build it.
    if (taken.has(before) || before.declaredBy === DOCKERFILE_GLOBS) continue
    // The base's row of a service's last stage, where the head's service builds that stage
    // itself (its target moved to the last stage): the service's own row measures it now.
    if (
      before.lastStage &&
      head.some(now => now.dockerfile === atHead(before.dockerfile) && now.name === ownName(before))
    ) {
      continue
    }
    result.push([undefined, before])
  }
  return result
}

/** The name of the service a last-stage row belongs to: `web` for `web (last stage)`. */
function ownName(image: BakeImage): string {
  return image.name.replace(/ \(last stage\)$/, '')
}

/** The stage an image builds, for pairing: a row of the last stage and a build with no target are one. */
function stageOf(image: BakeImage): string {
  return image.lastStage || image.target === undefined ? '\0last' : image.target.toLowerCase()
}

/** The words for a base image that the dockerfiles globs found. */
export const DOCKERFILE_GLOBS = 'the dockerfiles globs'

function candidate(
  head: BakeImage,
  base: BakeImage,
  change: ImageTarget['change'],
  reason: string,
  trigger: ImageTarget['trigger'],
  from: BakeKind
): Candidate {
  const target: ImageTarget = {
    name: head.name,
    dockerfile: head.dockerfile,
    context: head.context,
    baseDockerfile: base.dockerfile,
    baseContext: base.context,
    change,
    reason,
    build: buildOf(head),
    from,
    ...(trigger ? { trigger } : {})
  }
  const baseBuild = buildOf(base)
  if (JSON.stringify(baseBuild) !== JSON.stringify(target.build)) target.baseBuild = baseBuild
  return { target, watch: [] }
}

function buildOf(image: BakeImage): NonNullable<ImageTarget['build']> {
  return {
    ...(image.target ? { target: image.target } : {}),
    ...(image.buildArgs ? { buildArgs: sortedArgs(image.buildArgs) } : {}),
    ...(image.platform ? { platform: image.platform } : {}),
    ...(image.contexts ? { contexts: sortedArgs(image.contexts) } : {})
  }
}

function sortedArgs(args: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(args).sort(([a], [b]) => a.localeCompare(b)))
}

/** Which parts of a definition differ between the sides, in words for the reason. */
function definitionChanges(base: BakeImage, head: BakeImage): string[] {
  const changes: string[] = []
  if (base.dockerfile !== head.dockerfile) changes.push('dockerfile')
  if (base.context !== head.context) changes.push('context')
  if (stageOf(base) !== stageOf(head)) changes.push('target')
  if (JSON.stringify(sortedArgs(base.buildArgs ?? {})) !== JSON.stringify(sortedArgs(head.buildArgs ?? {}))) {
    changes.push('build args')
  }
  if ((base.platform ?? '') !== (head.platform ?? '')) changes.push('platform')
  if (JSON.stringify(sortedArgs(base.contexts ?? {})) !== JSON.stringify(sortedArgs(head.contexts ?? {}))) {
    changes.push('named contexts')
  }
  return changes
}
