import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CheckSettings } from '../inputs/inputs.js'
import { discoverAffectedImages, SideTree } from './discover.js'
import { isDockerignore } from './dockerignore.js'
import { chooseImages, commitSource, workingTreeSource } from './images-source.js'
import { Git, isBlobEntry, objectIdOf } from '../tools/git.js'
import { DEFAULT_CONFIG_FILE, ImageSpec, parseConfigFile } from '../inputs/images-config.js'
import { ChangedFile, ImageTarget, Revisions } from '../shared/types.js'

/**
 * Reads what discovery needs from git (both commits' trees and their dockerignore files)
 * and the images config from the repository, then finds the affected images.
 */
export async function findAffectedImages(
  git: Git,
  revisions: Revisions,
  changed: ChangedFile[],
  settings: Pick<CheckSettings, 'dockerfileGlobs' | 'images' | 'configFile' | 'imagesFrom'>,
  repoDir: string,
  options: { tempRoot: string; info?: (message: string) => void; warn?: (message: string) => void } = {
    tempRoot: tmpdir()
  }
): Promise<ImageTarget[]> {
  const imagesFrom = settings.imagesFrom ?? 'auto'
  const images = imagesFrom === 'auto' || imagesFrom === 'config' ? await loadImageSpecs(settings, repoDir) : null
  if (changed.length === 0) return []
  const [head, base] = await Promise.all([
    readSide(git, revisions.headSha),
    revisions.baseSha === revisions.headSha ? null : readSide(git, revisions.baseSha)
  ])
  const headLabel = `head (${revisions.headUncommitted ? 'the working tree' : revisions.headSha.slice(0, 12)})`
  const choice = await chooseImages({
    imagesFrom,
    hasConfig: images !== null,
    // The head's config is read from the folder; so are its compose and bake files when it is the working tree.
    head: revisions.headUncommitted ? workingTreeSource(repoDir, headLabel) : commitSource(git, head, headLabel),
    base: base ? commitSource(git, base, `base (${revisions.baseSha.slice(0, 12)})`) : null,
    changed,
    tempRoot: options.tempRoot,
    warn: message => (options.warn ?? options.info)?.(message)
  })
  options.info?.(choice.note)
  return discoverAffectedImages({
    changed,
    dockerfileGlobs: settings.dockerfileGlobs,
    images: choice.from === 'config' ? images : null,
    head,
    base: base ?? head,
    ...(choice.from === 'compose' || choice.from === 'bake' ? { candidates: choice.candidates } : {})
  })
}

/** One commit's tree and its dockerignore files, read from git. */
export async function readSide(git: Git, sha: string): Promise<SideTree> {
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
 * The images config: the `images` input, else the `config` file, else the default file when
 * the repository has one, else null (every Dockerfile the globs match). Read from the
 * repository folder, which holds the head: a PR can change it, like any file it touches.
 */
export async function loadImageSpecs(
  settings: Pick<CheckSettings, 'images' | 'configFile'>,
  repoDir: string
): Promise<ImageSpec[] | null> {
  if (settings.images) return settings.images
  const given = settings.configFile ?? ''
  const path = given || DEFAULT_CONFIG_FILE
  let text: string
  try {
    text = await readFile(join(repoDir, path), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    if (!given) return null
    throw new Error(
      `Invalid config '${given}': no such file in the repository (${join(repoDir, path)}). ` +
        `Give the path from the repository root, such as ${DEFAULT_CONFIG_FILE}, or leave config empty.`
    )
  }
  return parseConfigFile(text, path)
}
