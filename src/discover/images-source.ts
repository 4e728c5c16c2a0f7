import { existsSync } from 'node:fs'
import type { Logger } from '../shared/logger.js'
import { readFile, realpath } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import {
  BakeImage,
  BakeKind,
  BAKE_FILES,
  COMPOSE_FILES,
  definitionFiles,
  definitionFolders,
  familiarReference,
  interpolate
} from './bake-definition.js'
import { stageNames, stageSummaries } from '../tools/dockerfile.js'
import { ImagesFrom } from '../inputs/images-from.js'
import { BakeFailedError, BakeResult, DefinitionSource, evaluateBake } from './bake.js'
import { BaseImage, bakeCandidates } from './bake-images.js'
import type { Candidate } from './discover.js'
import { resolveInTree } from './tree-paths.js'
import { Git, isBlobEntry, objectIdOf } from '../tools/git.js'
import { ChangedFile, SideTree } from '../shared/types.js'
import { InputError } from '../shared/errors.js'

/** `images-from` names a source the repository does not have: the invocation's mistake (the command exits 2). */
export class ImagesFromError extends InputError {}

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
  /** Where the notes and warnings go, and bake's command lines. */
  log: Logger
  /**
   * The base's images where the base has no file of the head's kind that declares any (or
   * one that fails there): its images config's, else its Dockerfiles the globs match. The
   * head's images are compared with these by what they build.
   */
  baseDeclared?: () => Promise<BaseImage[]>
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
      throw new ImagesFromError(
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
  // A file that fails to evaluate at the head is an error, never a fallback: checking
  // without it would drop every image the base declares, and a PR could pass that way.
  const head = await evaluateTree(kinds, input.head, input.tempRoot, input.log)
  for (const note of head.notes) input.log.warning(note)
  // A compose file for running things (only `image:` services) describes nothing to build.
  if (head.images.length > 0 || (setting !== 'auto' && head.files.length > 0)) {
    const headImages = await prepared(head.images, input.head)
    let base: BaseImage[] = headImages
    if (input.base) {
      const fromFiles = await evaluateTree(kinds, input.base, input.tempRoot, input.log, error =>
        input.log.warning(`${error.message} That file's images are left out at the base.`)
      )
      base = fromFiles.images.length
        ? await prepared(fromFiles.images, input.base)
        : ((await input.baseDeclared?.()) ?? [])
    }
    const source = head.files.join(' + ')
    const kind: BakeKind = head.kinds.includes('bake') ? 'bake' : 'compose'
    const candidates = bakeCandidates({
      kind,
      source,
      head: headImages,
      base,
      changed: input.changed,
      headHas: path => input.head.has(path)
    })
    const names = headImages.map(image => image.name).join(', ')
    return {
      from: kind,
      candidates,
      note:
        `Images from ${source} (images-from: ${setting}), by docker buildx bake --print at each side ` +
        `(${head.isolated ? 'without network' : 'network only through a proxy that leads nowhere'}), ` +
        'each file from its own folder: ' +
        `${headImages.length} to build at the head${names ? ` (${names})` : ''}.`
    }
  }
  if (setting !== 'auto') {
    const names = setting === 'compose' ? COMPOSE_FILES : BAKE_FILES
    throw new ImagesFromError(
      `images-from is ${setting}, but the head has none of ${names.join(', ')} in any folder. ` +
        'Add one, or set images-from: auto.'
    )
  }
  return { from: 'dockerfiles', note: 'Images from the Dockerfiles the dockerfiles globs match (images-from: auto).' }
}

/** How many folders' files are evaluated at once (each is one short `bake --print`). */
const EVALUATIONS_AT_ONCE = 4

interface TreeResult {
  files: string[]
  kinds: BakeKind[]
  images: BakeImage[]
  isolated: boolean
  notes: string[]
}

/**
 * Every folder of a side that holds a compose or bake file, each evaluated from its own
 * folder: under `auto` a folder's bake files where it has any, else its compose file. Images
 * of a subfolder's file are named after the folder (`app/backend`), so two folders' `backend`
 * services stay two images. A folder whose file fails is thrown, or given to `failed` (the base).
 */
async function evaluateTree(
  kinds: BakeKind[],
  side: DefinitionSource,
  tempRoot: string,
  log: Logger,
  failed?: (error: BakeFailedError) => void
): Promise<TreeResult> {
  const folders = definitionFolders(await side.paths(), kinds)
  const jobs = folders.map(folder => {
    const kind = kinds.find(kind => definitionFiles(kind, path => side.has(path), folder).length > 0)
    return { folder, kind }
  })
  const results: Array<{ kind: BakeKind; result: BakeResult | null }> = []
  for (let start = 0; start < jobs.length; start += EVALUATIONS_AT_ONCE) {
    const batch = jobs.slice(start, start + EVALUATIONS_AT_ONCE)
    results.push(
      ...(await Promise.all(
        batch.map(async ({ folder, kind }) => {
          if (!kind) return { kind: 'compose' as const, result: null }
          try {
            return { kind, result: await evaluateBake(kind, side, tempRoot, folder, log) }
          } catch (error) {
            if (!failed || !(error instanceof BakeFailedError)) throw error
            failed(error)
            return { kind, result: null }
          }
        })
      ))
    )
  }
  const tree: TreeResult = { files: [], kinds: [], images: [], isolated: true, notes: [] }
  for (const { kind, result } of results) {
    if (!result) continue
    tree.files.push(...result.files)
    if (!tree.kinds.includes(kind)) tree.kinds.push(kind)
    tree.images.push(...result.images)
    tree.isolated &&= result.isolated
    tree.notes.push(...result.notes)
  }
  return tree
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
    paths: () => Promise.resolve(tree.files.keys()),
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

/**
 * The working tree as it stands (the command's head, uncommitted changes included): its
 * files as git sees them, tracked and untracked but not ignored.
 */
export function workingTreeSource(repoDir: string, label: string, git: Pick<Git, 'exec'>): DefinitionSource {
  return {
    label,
    paths: async () =>
      (await git.exec(['ls-files', '-z', '--cached', '--others', '--exclude-standard'])).split('\0').filter(Boolean),
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

/** A side's images as they are checked: one per build, each last stage beside, each built on the image it starts FROM. */
async function prepared(images: BakeImage[], side: DefinitionSource): Promise<BakeImage[]> {
  return builtOnEachOther(await withLastStages(oneImagePerBuild(images), side), side)
}

/**
 * One image for services or targets that resolve to the same build (context, Dockerfile,
 * target, build args, platform, named contexts): built once a side, measured once, listed
 * under all their names (`web, worker`). 19 services of one `build:` are one image, not 19
 * images and 38 builds.
 */
export function oneImagePerBuild(images: BakeImage[]): BakeImage[] {
  const key = (image: BakeImage) =>
    JSON.stringify([
      image.context,
      image.dockerfile,
      image.target ?? '',
      Object.entries(image.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b)),
      image.platform ?? '',
      Object.entries(image.contexts ?? {}).sort(([a], [b]) => a.localeCompare(b))
    ])
  const groups = new Map<string, BakeImage[]>()
  for (const image of images) groups.set(key(image), [...(groups.get(key(image)) ?? []), image])
  if (groups.size === images.length) return images
  const renamed = new Map<string, string>()
  const result: BakeImage[] = []
  for (const group of groups.values()) {
    const first = group[0] as BakeImage
    if (group.length === 1) {
      result.push(first)
      continue
    }
    const name = group.map(image => image.name).join(', ')
    for (const image of group) renamed.set(image.name, name)
    const tags = [...new Set(group.flatMap(image => image.tags ?? []))]
    result.push({ ...first, name, ...(tags.length ? { tags } : {}) })
  }
  // A named context `target:<name>` follows its image under its shared name.
  return result.map(image =>
    image.contexts
      ? {
          ...image,
          contexts: Object.fromEntries(
            Object.entries(image.contexts).map(([name, source]) => [
              name,
              source.startsWith('target:') ? `target:${renamed.get(source.slice(7)) ?? source.slice(7)}` : source
            ])
          )
        }
      : image
  )
}

/**
 * An image whose Dockerfile starts FROM the name another image is tagged with (compose
 * `image:` of another service, often through a `BASE_IMAGE` build arg) is built on that
 * image: the name becomes a named context `target:<that image>`, so that it is built first
 * on the same side and this one starts from that side's fresh build, never from a registry.
 */
async function builtOnEachOther(images: BakeImage[], side: DefinitionSource): Promise<BakeImage[]> {
  const byTag = new Map<string, BakeImage>()
  for (const image of images) {
    for (const tag of image.tags ?? []) {
      const familiar = familiarReference(tag)
      if (familiar !== null && !image.lastStage) byTag.set(familiar, image)
    }
  }
  if (!byTag.size) return images
  const readable = images.filter(image => side.has(image.dockerfile))
  const texts = await side.read([...new Set(readable.map(image => image.dockerfile))])
  return images.map(image => {
    const text = texts.get(image.dockerfile)
    if (text === undefined) return image
    let stages
    try {
      stages = stageSummaries(text)
    } catch {
      return image
    }
    const stageNamesSeen = new Set(stages.map(stage => stage.name).filter(Boolean))
    const variables = { ...globalArgs(text), ...(image.buildArgs ?? {}) }
    const contexts = { ...(image.contexts ?? {}) }
    for (const stage of stages) {
      const from = interpolate(stage.from, variables)
      if (stageNamesSeen.has(from.toLowerCase())) continue
      const familiar = familiarReference(from)
      const base = familiar === null ? undefined : byTag.get(familiar)
      if (familiar === null || !base || base === image || contexts[familiar] !== undefined) continue
      contexts[familiar] = `target:${base.name}`
    }
    return Object.keys(contexts).length ? { ...image, contexts } : image
  })
}

/** The `ARG NAME=default` lines before a Dockerfile's first FROM: what a FROM line may use. */
function globalArgs(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*FROM\s/i.test(line)) break
    const match = /^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/i.exec(line)
    if (match?.[1]) values[match[1]] = (match[2] ?? '').trim().replace(/^(["'])(.*)\1$/, '$2')
  }
  return values
}

/** The words after a service's name for the row of its Dockerfile's last stage. */
const LAST_STAGE = 'last stage'

/**
 * The images, and for each that builds a stage other than its Dockerfile's last (a compose
 * service with `target: dev`), the last stage too, as its own row named `<name> (last stage)`:
 * the stage a plain `docker build` makes, the one a release usually ships, is never hidden by
 * a development target. Its `target` is the last stage's name where it has one, so every row
 * says which stage it measured. A Dockerfile that cannot be read or has no such stage is left
 * to the build, which says what is wrong.
 */
async function withLastStages(images: BakeImage[], side: DefinitionSource): Promise<BakeImage[]> {
  const targeted = images.filter(image => image.target !== undefined && side.has(image.dockerfile))
  if (!targeted.length) return images
  const texts = await side.read([...new Set(targeted.map(image => image.dockerfile))])
  const result: BakeImage[] = []
  for (const image of images) {
    result.push(image)
    const text = image.target === undefined ? undefined : texts.get(image.dockerfile)
    if (text === undefined || image.target === undefined) continue
    let names: (string | null)[]
    try {
      names = stageNames(text)
    } catch {
      continue
    }
    const index = names.indexOf(image.target.toLowerCase())
    if (index < 0 || index === names.length - 1) continue
    const last = names[names.length - 1] ?? null
    const lastStage: BakeImage = { ...image, name: `${image.name} (${LAST_STAGE})`, lastStage: true }
    if (last) lastStage.target = last
    else delete lastStage.target
    result.push(lastStage)
  }
  return result
}
