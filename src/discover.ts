import { posix } from 'node:path'
import { globMatcher } from './globs.js'
import { ChangedFile, ImageChange, ImageTarget } from './types.js'

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
