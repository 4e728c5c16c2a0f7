import { BakeImage, BakeKind } from './bake-definition.js'
import type { Candidate } from './discover.js'
import { ChangedFile, ImageTarget } from '../shared/types.js'

export interface BakeSides {
  kind: BakeKind
  /** The files read at the head, to name in reasons: `compose.yaml`. */
  source: string
  head: BakeImage[]
  /** The base's images; empty where the base has no such file. */
  base: BakeImage[]
  changed: ChangedFile[]
  /** Whether the head's tree holds a path (its Dockerfile must be there). */
  headHas(path: string): boolean
}

/**
 * The images the compose or bake files describe at either side, matched by service or
 * target name, as discovery's candidates. Each side's definition is that side's own: a
 * service the PR adds is a new image, one it removes is gone, and one whose Dockerfile,
 * context, target, build args or platform it changes is checked for that alone. Pure.
 */
export function bakeCandidates(sides: BakeSides): Candidate[] {
  const word = sides.kind === 'compose' ? 'service' : 'target'
  const head = new Map(sides.head.map(image => [image.name, image]))
  const base = new Map(sides.base.map(image => [image.name, image]))
  const names = [...new Set([...head.keys(), ...base.keys()])].sort()
  const changedPaths = new Set(sides.changed.map(file => file.path))
  const candidates: Candidate[] = []
  for (const name of names) {
    const now = head.get(name)
    const before = base.get(name)
    if (now && !sides.headHas(now.dockerfile)) {
      throw new Error(
        `${sides.source}: ${word} '${name}': dockerfile '${now.dockerfile}' is not in the repository at the head commit. ` +
          'Fix the path (a dockerfile is relative to the context), or set images-from: dockerfiles.'
      )
    }
    if (now && !before) {
      candidates.push(candidate(now, now, 'added', `${word} added in ${sides.source}`, 'dockerfile', sides.kind))
      continue
    }
    if (!now && before) {
      candidates.push(
        candidate(before, before, 'removed', `${word} removed from ${sides.source}`, 'dockerfile', sides.kind)
      )
      continue
    }
    if (!now || !before) continue
    const differences = definitionChanges(before, now)
    let result: Candidate
    if (now.dockerfile !== before.dockerfile) {
      result = candidate(
        now,
        before,
        'renamed',
        `Dockerfile changed from ${before.dockerfile}`,
        'dockerfile',
        sides.kind
      )
    } else if (changedPaths.has(now.dockerfile)) {
      result = candidate(now, before, 'modified', 'Dockerfile modified', 'dockerfile', sides.kind)
    } else {
      result = candidate(now, before, 'unchanged', '', undefined, sides.kind)
    }
    const others = differences.filter(field => field !== 'dockerfile')
    if (others.length) {
      const note = `${others.join(', ')} changed in ${sides.source}`
      result.target.reason = result.target.reason ? `${result.target.reason}, ${note}` : note
      result.target.trigger ??= 'dockerfile'
      result.differs = true
    }
    candidates.push(result)
  }
  return candidates
}

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
    ...(image.platform ? { platform: image.platform } : {})
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
  if ((base.target ?? '') !== (head.target ?? '')) changes.push('target')
  if (JSON.stringify(sortedArgs(base.buildArgs ?? {})) !== JSON.stringify(sortedArgs(head.buildArgs ?? {}))) {
    changes.push('build args')
  }
  if ((base.platform ?? '') !== (head.platform ?? '')) changes.push('platform')
  return changes
}
