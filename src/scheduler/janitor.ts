import { rm } from 'node:fs/promises'
import { Docker } from '../tools/docker.js'
import { Git } from '../tools/git.js'

export type JanitorDocker = Pick<Docker, 'removeImages'>
export type JanitorGit = Pick<Git, 'removeWorktree'>

/**
 * Removes what this run made, and nothing else: the worktrees it added (each by its path,
 * never by pruning, which would touch the user's own), its scratch folder, and the image of
 * every build it started (a build stopped half-way may still have tagged one). Everything is
 * listed before it is made, so that a step failing half-way still leaves its thing listed.
 */
export class Janitor {
  private readonly images: string[] = []
  private readonly worktrees: string[] = []
  private readonly folders: string[] = []
  private cleaned: Promise<void> | undefined

  constructor(
    private readonly docker: JanitorDocker,
    private readonly git: JanitorGit,
    private readonly options: { keepImages: boolean }
  ) {}

  image(tag: string): void {
    this.images.push(tag)
  }

  worktree(path: string): void {
    this.worktrees.push(path)
  }

  folder(path: string): void {
    this.folders.push(path)
  }

  /** Removes it all, once however often it is called; never throws (it runs where another error is on its way). */
  cleanUp(): Promise<void> {
    this.cleaned ??= Promise.all([this.removeFiles(), this.removeImages()]).then(() => undefined)
    return this.cleaned
  }

  private async removeFiles(): Promise<void> {
    // One at a time: git changes worktrees one at a time anyway (see Git).
    for (const path of this.worktrees) await this.git.removeWorktree(path).catch(() => undefined)
    for (const path of this.folders) await rm(path, { recursive: true, force: true }).catch(() => undefined)
  }

  private async removeImages(): Promise<void> {
    if (this.options.keepImages) return
    await this.docker.removeImages(this.images).catch(() => undefined)
  }
}
