import { existsSync } from 'node:fs'
import { readFile, realpath } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { BakeKind, BAKE_FILES, COMPOSE_FILES } from './bake-definition.js'
import { ImagesFrom } from '../inputs/images-from.js'
import { BakeFailedError, BakeResult, DefinitionSource, evaluateBake } from './bake.js'
import { bakeCandidates } from './bake-images.js'
import type { Candidate } from './discover.js'
import { resolveInTree } from './tree-paths.js'
import { Git, isBlobEntry, objectIdOf } from '../tools/git.js'
import { ChangedFile, SideTree } from '../shared/types.js'

/** What `images-from` chose, and the line the log says about it. */
export type ImagesChoice =
  { from: 'config' | 'dockerfiles'; note: string } | { from: BakeKind; note: string; candidates: Candidate[] }

export interface ChoiceInput {
  imagesFrom: ImagesFrom
  /** Whether an `images` input or a config file gives the images. */
  hasConfig: boolean
  head: DefinitionSource
  base: DefinitionSource | null
  changed: ChangedFile[]
  tempRoot: string
  warn: (message: string) => void
}

/**
 * Where the images come from: `auto` takes the images config, else a bake file, else a
 * compose file, else the Dockerfiles the globs match; the other values take that one alone.
 * Compose and bake files are evaluated at each side, each side's own.
 */
export async function resolveImagesSource(input: ChoiceInput): Promise<ImagesChoice> {
  const setting = input.imagesFrom
  if (setting === 'config') {
    if (!input.hasConfig) {
      throw new Error(
        'images-from is config, but there is no images input and no .github/docker-size-check.yml. ' +
          'Add one of them, or set images-from: auto.'
      )
    }
    return { from: 'config', note: 'Images from the images config (images-from: config).' }
  }
  if (setting === 'auto' && input.hasConfig) {
    return { from: 'config', note: 'Images from the images config (images-from: auto).' }
  }
  if (setting === 'dockerfiles') {
    return {
      from: 'dockerfiles',
      note: 'Images from the Dockerfiles the dockerfiles globs match (images-from: dockerfiles).'
    }
  }
  const kinds: BakeKind[] = setting === 'auto' ? ['bake', 'compose'] : [setting]
  for (const kind of kinds) {
    let head: BakeResult | null
    try {
      head = await evaluateBake(kind, input.head, input.tempRoot)
    } catch (error) {
      // Zero configuration must not turn the check red over a file it only reads for help
      // (an env_file that is not committed, say): the Dockerfiles are still there to check.
      // A refusal (a remote context, a path out of the repository) is never passed over.
      if (setting !== 'auto' || !(error instanceof BakeFailedError)) throw error
      input.warn(`${error.message} Checking without it.`)
      continue
    }
    if (!head) continue
    if (setting === 'auto' && head.images.length === 0) {
      // A compose file for running things (only `image:` services) describes nothing to build.
      continue
    }
    let base: BakeResult | null = head
    if (input.base) {
      try {
        base = await evaluateBake(kind, input.base, input.tempRoot)
      } catch (error) {
        if (!(error instanceof BakeFailedError)) throw error
        input.warn(`${error.message} The base has no baseline from it: its images count as new.`)
        base = null
      }
    }
    const source = head.files.join(' + ')
    const candidates = bakeCandidates({
      kind,
      source,
      head: head.images,
      base: base?.images ?? [],
      changed: input.changed,
      headHas: path => input.head.has(path)
    })
    const names = head.images.map(image => image.name).join(', ')
    return {
      from: kind,
      candidates,
      note:
        `Images from ${source} (images-from: ${setting}), by docker buildx bake --print at each side ` +
        `(${head.isolated ? 'without network' : 'network only through a proxy that leads nowhere'}): ` +
        `${head.images.length} to build at the head${names ? ` (${names})` : ''}.`
    }
  }
  if (setting !== 'auto') {
    const names = setting === 'compose' ? COMPOSE_FILES : BAKE_FILES
    throw new Error(
      `images-from is ${setting}, but the head has none of ${names.join(', ')} at the repository root. ` +
        'Add one, or set images-from: auto.'
    )
  }
  return { from: 'dockerfiles', note: 'Images from the Dockerfiles the dockerfiles globs match (images-from: auto).' }
}

/** A commit's files, from git. */
export function commitSource(git: Git, tree: SideTree, label: string): DefinitionSource {
  let links: Promise<Map<string, string>> | null = null
  const linkTargets = () =>
    (links ??= (async () => {
      const entries = [...tree.files].filter(([, entry]) => entry.startsWith('120000 '))
      const texts = await git.readBlobs([...new Set(entries.map(([, entry]) => objectIdOf(entry)))])
      return new Map(entries.map(([path, entry]) => [path, texts.get(objectIdOf(entry)) ?? '']))
    })())
  return {
    label,
    has: path => {
      const entry = tree.files.get(path)
      return entry !== undefined && isBlobEntry(entry) && !entry.startsWith('120000 ')
    },
    read: async paths => {
      const ids = paths.map(path => objectIdOf(tree.files.get(path) ?? ''))
      const texts = await git.readBlobs(ids.filter(Boolean))
      return new Map(paths.map((path, index) => [path, texts.get(ids[index] ?? '') ?? '']))
    },
    resolve: async path => {
      const targets = await linkTargets()
      return resolveInTree(path, candidate => targets.get(candidate))
    }
  }
}

/** The working tree as it stands (the command's head, uncommitted changes included). */
export function workingTreeSource(repoDir: string, label: string): DefinitionSource {
  return {
    label,
    has: path => existsSync(join(repoDir, path)),
    read: async paths =>
      new Map(await Promise.all(paths.map(async path => [path, await readFile(join(repoDir, path), 'utf8')] as const))),
    resolve: async path => {
      const root = await realpath(repoDir)
      // The longest part of the path that exists, where its links lead, and the rest as written.
      const parts = path.split('/').filter(part => part && part !== '.')
      for (let keep = parts.length; keep >= 0; keep--) {
        let real: string
        try {
          real = await realpath(join(repoDir, ...parts.slice(0, keep)))
        } catch {
          continue
        }
        const inside = relative(root, join(real, ...parts.slice(keep)))
        if (inside === '') return '.'
        if (inside.startsWith('..') || inside.startsWith(sep) || /^[A-Za-z]:/.test(inside)) return null
        return inside.split(sep).join('/')
      }
      return null
    }
  }
}
