import { readFile } from 'node:fs/promises'
import { Logger, quietLogger } from '../shared/logger.js'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { CheckSettings } from '../inputs/inputs.js'
import { discoverAffectedImages, limitsOf } from './discover.js'
import { DOCKERFILE_GLOBS } from './bake-images.js'
import { isDockerignore } from './dockerignore.js'
import { resolveImagesSource, commitSource, workingTreeSource } from './images-source.js'
import { Git, isBlobEntry, objectIdOf, parseNameStatus } from '../tools/git.js'
import { globMatcher } from '../inputs/globs.js'
import { resolveInside } from '../tools/inside-repository.js'
import { DEFAULT_CONFIG_FILE, ImageSpec, parseConfigFile, parseConfigList, ImageList } from '../inputs/images-config.js'
import { ChangedFile, ImageTarget, Revisions, SideTree } from '../shared/types.js'
import { ImageConfigError, OutsideRepositoryError } from '../shared/errors.js'

/**
 * Reads what discovery needs from git (both commits' trees and their dockerignore files)
 * and the images config of each side, then finds the affected images.
 */
export async function discoverInRepository(
  git: Git,
  revisions: Revisions,
  changed: ChangedFile[],
  settings: Pick<
    CheckSettings,
    | 'dockerfileGlobs'
    | 'images'
    | 'configFile'
    | 'imagesFrom'
    | 'limitsFrom'
    | 'maxIncrease'
    | 'warnIncrease'
    | 'maxSize'
  >,
  repoDir: string,
  options: { tempRoot: string; log?: Logger } = { tempRoot: tmpdir() }
): Promise<ImageTarget[]> {
  const imagesFrom = settings.imagesFrom ?? 'auto'
  const images = imagesFrom === 'auto' || imagesFrom === 'config' ? await loadImageSpecs(settings, repoDir) : null
  if (changed.length === 0) return []
  const [head, base] = await Promise.all([
    readSide(git, revisions.headSha),
    revisions.baseSha === revisions.headSha ? null : readSide(git, revisions.baseSha)
  ])
  const log = options.log ?? quietLogger
  const headLabel = `head (${revisions.headUncommitted ? 'the working tree' : revisions.headSha.slice(0, 12)})`
  const choice = await resolveImagesSource({
    imagesFrom,
    hasConfig: images !== null,
    // The head's config is read from the folder; so are its compose and bake files when it is the working tree.
    head: revisions.headUncommitted ? workingTreeSource(repoDir, headLabel, git) : commitSource(git, head, headLabel),
    base: base ? commitSource(git, base, `base (${revisions.baseSha.slice(0, 12)})`) : null,
    changed,
    tempRoot: options.tempRoot,
    log,
    baseDeclared: async () => {
      const side = base ?? head
      const specs = settings.images ?? (await loadBaseImageSpecs(git, side, settings, log))
      if (specs) {
        const limitsFromBase = (settings.limitsFrom ?? 'base') === 'base'
        return specs.map(spec => ({
          name: spec.name ?? spec.dockerfile,
          dockerfile: spec.dockerfile,
          context: spec.context,
          ...(spec.target ? { target: spec.target } : {}),
          ...(spec.buildArgs ? { buildArgs: spec.buildArgs } : {}),
          ...(spec.platform ? { platform: spec.platform } : {}),
          declaredBy: 'the images config',
          ...(limitsFromBase ? { limits: limitsOf(spec) } : {})
        }))
      }
      const isDockerfile = globMatcher(settings.dockerfileGlobs)
      return [...side.files.keys()]
        .filter(path => isDockerfile(path))
        .map(path => ({ name: path, dockerfile: path, context: posix.dirname(path), declaredBy: DOCKERFILE_GLOBS }))
    }
  })
  log.info(choice.note)
  const baseSide = base ?? head
  // The base commit's own config, where the images come from a config (or none at all, so
  // that a PR that deletes the config is still held to the base's limits).
  const fromFiles = choice.from === 'compose' || choice.from === 'bake'
  const baseImages = settings.images || fromFiles ? undefined : await loadBaseImageSpecs(git, baseSide, settings, log)
  const isDockerfile = dockerfileMatcher(settings.dockerfileGlobs, [...(images ?? []), ...(baseImages ?? [])])
  const paired = await pairMovedDockerfiles(git, revisions, changed, isDockerfile)
  return discoverAffectedImages({
    changed: paired,
    dockerfileGlobs: settings.dockerfileGlobs,
    images: choice.from === 'config' ? images : null,
    ...(baseImages !== undefined ? { baseImages } : {}),
    limitsFrom: settings.limitsFrom ?? 'base',
    globalLimits: { maxIncrease: settings.maxIncrease, warnIncrease: settings.warnIncrease, maxSize: settings.maxSize },
    head,
    base: baseSide,
    ...(fromFiles ? { candidates: choice.candidates } : {})
  })
}

function dockerfileMatcher(globs: string[], specs: ImageSpec[]): (path: string) => boolean {
  const byGlob = globMatcher(globs)
  const listed = new Set(specs.map(spec => spec.dockerfile))
  return path => listed.has(path) || byGlob(path)
}

/**
 * The similarity git asks of a rename by default is 50%: a Dockerfile that is moved and
 * rewritten in one PR reads as one removed and one added, and the added one is held only to
 * max-size. Between the Dockerfiles alone, git is asked again at this lower similarity.
 */
const DOCKERFILE_RENAME_SIMILARITY = '20%'

/**
 * Joins a removed and an added Dockerfile into one rename where git, asked about those
 * files alone at a lower similarity, sees one. The rest of the changes are left as they are.
 */
async function pairMovedDockerfiles(
  git: Git,
  revisions: Revisions,
  changed: ChangedFile[],
  isDockerfile: (path: string) => boolean
): Promise<ChangedFile[]> {
  const removed = changed.filter(file => file.status === 'removed' && isDockerfile(file.path))
  const added = changed.filter(file => file.status === 'added' && isDockerfile(file.path))
  if (removed.length === 0 || added.length === 0) return changed
  const paths = [...removed, ...added].map(file => `:(literal)${file.path}`)
  const head = revisions.headUncommitted ? [] : [revisions.headSha]
  const output = await git.exec([
    'diff',
    '--name-status',
    '-z',
    `-M${DOCKERFILE_RENAME_SIMILARITY}`,
    '--no-color',
    '--no-ext-diff',
    revisions.baseSha,
    ...head,
    '--',
    ...paths
  ])
  const removedPaths = new Set(removed.map(file => file.path))
  const addedPaths = new Set(added.map(file => file.path))
  const renames = parseNameStatus(output).filter(
    file =>
      file.status === 'renamed' &&
      file.previousPath !== undefined &&
      removedPaths.has(file.previousPath) &&
      addedPaths.has(file.path)
  )
  if (renames.length === 0) return changed
  const joined = new Set(renames.flatMap(file => [file.path, file.previousPath as string]))
  return [...changed.filter(file => !(['removed', 'added'].includes(file.status) && joined.has(file.path))), ...renames]
}

// A commit's tree never changes: discovery and the baseline records both read the base's,
// and each run reads it once (kept per Git, so a repository's trees go with its run).
const sidesRead = new WeakMap<Git, Map<string, Promise<SideTree>>>()

/** One commit's tree and its dockerignore files, read from git (once per Git and commit). */
export function readSide(git: Git, sha: string): Promise<SideTree> {
  const bySha = sidesRead.get(git) ?? new Map<string, Promise<SideTree>>()
  sidesRead.set(git, bySha)
  let side = bySha.get(sha)
  if (!side) {
    side = readSideFromGit(git, sha)
    bySha.set(sha, side)
    // A read that failed is not kept: the next asks git again.
    side.catch(() => bySha.delete(sha))
  }
  return side
}

async function readSideFromGit(git: Git, sha: string): Promise<SideTree> {
  const files = await git.readTree(sha)
  const ignoreFiles = [...files].filter(([path, entry]) => isDockerignore(path) && isBlobEntry(entry))
  // All of them in one git process: a monorepo has one per image, or more.
  const texts = await git.readBlobs([...new Set(ignoreFiles.map(([, entry]) => objectIdOf(entry)))])
  const dockerignores = new Map<string, string>()
  for (const [path, entry] of ignoreFiles) {
    const text = texts.get(objectIdOf(entry))
    if (text !== undefined) dockerignores.set(path, text)
  }
  return { files, dockerignores }
}

/**
 * The head's images config: the `images` input, else the `config` file, else the default file
 * when the repository has one, else null (every Dockerfile the globs match). Read from the
 * repository folder, which holds the head: a PR can change it, like any file it touches, so
 * it builds the head and never sets the limits (see loadBaseImageSpecs). A config that is a
 * symlink leaving the repository is refused.
 */
export async function loadImageSpecs(
  settings: Pick<CheckSettings, 'images' | 'configFile'>,
  repoDir: string
): Promise<ImageSpec[] | null> {
  if (settings.images) return settings.images
  return (await loadImageList(settings, repoDir))?.specs ?? null
}

/**
 * The config file's entries, those to build and the image references (`image` entries, read
 * in their registry), from the repository folder (the head); null without a config file.
 */
export async function loadImageList(
  settings: Pick<CheckSettings, 'configFile'>,
  repoDir: string
): Promise<ImageList | null> {
  const given = settings.configFile ?? ''
  const path = given || DEFAULT_CONFIG_FILE
  let text: string
  try {
    const real = await resolveInside(repoDir, path, 'config file')
    if (real === null) throw Object.assign(new Error(`no such file ${path}`), { code: 'ENOENT' })
    text = await readFile(real, 'utf8')
  } catch (error) {
    if (error instanceof OutsideRepositoryError)
      throw new Error(`Invalid config '${path}': ${error.message}`, { cause: error })
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    if (!given) return null
    throw new Error(
      `Invalid config '${given}': no such file in the repository (${join(repoDir, path)}). ` +
        `Give the path from the repository root, such as ${DEFAULT_CONFIG_FILE}, or leave config empty.`,
      { cause: error }
    )
  }
  return parseConfigList(text, path)
}

/** How many symlinks a path in a tree may go through before it is given up as a loop. */
const MAX_LINKS = 16

/**
 * The base commit's images config, read from git (the base is never checked out whole): null
 * when the base has none. A symlink in the path is followed inside the tree and refused where
 * it leaves it. A base config that does not parse is warned about and read as none: a PR that
 * repairs it must be able to pass.
 */
async function loadBaseImageSpecs(
  git: Git,
  base: SideTree,
  settings: Pick<CheckSettings, 'configFile'>,
  log: Logger
): Promise<ImageSpec[] | null> {
  const path = settings.configFile || DEFAULT_CONFIG_FILE
  const entry = await resolveInTree(git, base.files, path)
  if (entry === null) return null
  const text = (await git.readBlobs([objectIdOf(entry)])).get(objectIdOf(entry))
  if (text === undefined) return null
  try {
    return parseConfigFile(text, `${path} (at the base commit)`)
  } catch (error) {
    if (!(error instanceof ImageConfigError)) throw error
    log.warning(`${error.message} The base's images are built with the defaults and held to the inputs' limits.`)
    return null
  }
}

/** The ls-tree entry of a file in a tree, symlinks (in the path or the file) followed; null when missing. */
async function resolveInTree(git: Git, files: Map<string, string>, path: string): Promise<string | null> {
  let current = posix.normalize(path)
  for (let hop = 0; hop <= MAX_LINKS; hop++) {
    const parts = current.split('/')
    let link: { at: string; rest: string[]; entry: string } | null = null
    for (let i = 1; i <= parts.length; i++) {
      const at = parts.slice(0, i).join('/')
      const entry = files.get(at)
      if (entry?.startsWith('120000 ')) {
        link = { at, rest: parts.slice(i), entry }
        break
      }
      if (entry !== undefined && i === parts.length) return entry
    }
    if (!link) return null
    const target = (await git.readBlobs([objectIdOf(link.entry)])).get(objectIdOf(link.entry)) ?? ''
    const next = posix.normalize(posix.join(posix.dirname(link.at), target, ...link.rest))
    if (posix.isAbsolute(target) || next === '..' || next.startsWith('../')) {
      throw new Error(
        `Invalid config '${path}' at the base commit: ${link.at} is a symlink to ${target}, outside the repository.`
      )
    }
    current = next
  }
  throw new Error(`Invalid config '${path}' at the base commit: more than ${MAX_LINKS} symlinks deep.`)
}
