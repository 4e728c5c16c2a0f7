import { readdir, rm } from 'node:fs/promises'
import { Logger, quietLogger } from '../shared/logger.js'
import { join } from 'node:path'
import { Docker } from '../tools/docker.js'
import { Git } from '../tools/git.js'
import { countOf } from '../shared/sizes.js'
import { parseRunLabel, parseScratchFolderName, KEPT_LABEL, RUN_LABEL, TEMP_ROOT_LABEL } from './run-identity.js'
import { AbandonedTest, LeaseBook, LeaseDocker } from './lease.js'

// What earlier runs in this temp root left because they were killed before they could
// clean up (SIGKILL, a runner that lost its machine): the images labelled with this temp
// root whose run is provably abandoned (lease.ts says when), the `dsc-*` scratch folders of
// such runs with the worktrees in them, and then their leases. A run that may still be
// going, or that worked in another temp root (another job, another user, a test beside this
// one), keeps everything: one engine is shared by all of them. Images a run kept on purpose
// (`keep-images`) stay too.
//
// Housekeeping, not the check: nothing here throws.

/**
 * Removes the abandoned runs' scratch folders; returns how many. Awaited before this run adds
 * worktrees: git changes one repository's worktrees one at a time (see Git).
 */
export async function removeLeftFolders(
  tempRoot: string,
  abandoned: AbandonedTest,
  log: Logger = quietLogger
): Promise<number> {
  const folders = await leftFolders(tempRoot, abandoned).catch(() => [])
  for (const folder of folders) await removeScratchFolder(folder, log).catch(() => undefined)
  return folders.length
}

/** Removes the abandoned runs' images; returns how many tags went. */
export async function removeLeftImages(
  docker: Pick<Docker, 'imagesLabelled' | 'removeImages'>,
  tempRoot: string,
  abandoned: AbandonedTest
): Promise<number> {
  const tags = await leftImages(docker, tempRoot, abandoned).catch(() => [])
  await docker.removeImages(tags).catch(() => undefined)
  return tags.length
}

/** Removes the leases of abandoned runs in this temp root: last, once what they guarded is gone. */
export async function removeLeftLeases(
  docker: Pick<LeaseDocker, 'removeVolumes'>,
  tempRoot: string,
  book: LeaseBook,
  abandoned: AbandonedTest
): Promise<void> {
  const volumes = [...book.runs.values()]
    .filter(leased => leased.tempRoot === tempRoot && abandoned(leased.run))
    .flatMap(leased => leased.volumes)
  await docker.removeVolumes(volumes).catch(() => undefined)
}

/** The line that says what went, or null when nothing did. */
export function leftoversLine(tempRoot: string, images: number, folders: number): string | null {
  if (images === 0 && folders === 0) return null
  return `Removed what an earlier run, stopped before it could clean up, left in ${tempRoot}: ${countOf(images, 'image')}, ${countOf(folders, 'worktree folder')}.`
}

async function leftImages(
  docker: Pick<Docker, 'imagesLabelled'>,
  tempRoot: string,
  abandoned: AbandonedTest
): Promise<string[]> {
  const tags: string[] = []
  for (const image of await docker.imagesLabelled(RUN_LABEL)) {
    if (image.labels[TEMP_ROOT_LABEL] !== tempRoot || image.labels[KEPT_LABEL] === 'true') continue
    const run = parseRunLabel(image.labels[RUN_LABEL] ?? '')
    if (!run || !abandoned(run)) continue
    // By tag, and only the tool's own: an image someone tagged as well keeps that tag.
    tags.push(...image.tags.filter(tag => tag.startsWith('docker-size-check:')))
  }
  return tags
}

async function leftFolders(tempRoot: string, abandoned: AbandonedTest): Promise<string[]> {
  const entries = await readdir(tempRoot, { withFileTypes: true })
  return entries
    .filter(entry => entry.isDirectory())
    .filter(entry => {
      const run = parseScratchFolderName(entry.name)
      return run !== null && abandoned(run)
    })
    .map(entry => join(tempRoot, entry.name))
}

/**
 * Each worktree in the folder is removed through its own repository (git finds it from the
 * worktree), which unregisters that one worktree; where the repository is gone too, the
 * folder is simply deleted.
 */
async function removeScratchFolder(folder: string, log: Logger): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true })
  for (const entry of entries) {
    if (!entry.isDirectory()) continue
    const worktree = join(folder, entry.name)
    await new Git(worktree, log).removeWorktree(worktree)
  }
  await rm(folder, { recursive: true, force: true })
}
