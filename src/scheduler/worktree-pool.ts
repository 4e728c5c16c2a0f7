import { join } from 'node:path'
import type { Logger } from '../shared/logger.js'
import { Git } from '../tools/git.js'
import { Revisions, Side } from '../shared/types.js'
import { Janitor } from './janitor.js'

export type PoolGit = Pick<Git, 'addWorktree'>

export interface PoolOptions {
  git: PoolGit
  janitor: Janitor
  /** The run's own folder; each side's worktree goes in it. */
  scratch: string
  revisions: Revisions
  /** The repository itself, which is the head where the head is built from the workspace. */
  workspace: string | null
  /** What a side's worktree must hold (checkout.ts); null: the whole tree. */
  pathsFor: (side: Side) => string[] | null
  signal?: AbortSignal
  log: Logger
}

/**
 * Hands out each side's checkout, made once: the first build of a side asks for it, and
 * every later one (also one that asks while it is being made) gets the same folder.
 */
export class WorktreePool {
  // The promise is kept, not its result, so two builds that start together share one worktree.
  private readonly roots = new Map<Side, Promise<string>>()

  constructor(private readonly options: PoolOptions) {}

  rootOf(side: Side): Promise<string> {
    let root = this.roots.get(side)
    if (!root) {
      root = this.checkout(side)
      // Whoever asked awaits it; until then a failure must not count as unhandled.
      root.catch(() => undefined)
      this.roots.set(side, root)
    }
    return root
  }

  /** Settles once every checkout asked for has finished or failed: a checkout still running would be left behind. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.roots.values())
  }

  private async checkout(side: Side): Promise<string> {
    if (side === 'head' && this.options.workspace !== null) return this.options.workspace
    this.options.signal?.throwIfAborted()
    const path = join(this.options.scratch, side)
    const sha = side === 'head' ? this.options.revisions.headSha : this.options.revisions.baseSha
    const only = this.options.pathsFor(side)
    // Listed first: a checkout that fails half-way still leaves a worktree to remove.
    this.options.janitor.worktree(path)
    await this.options.git.addWorktree(path, sha, only ?? undefined)
    this.options.log.info(`Checked out the ${side} (${sha.slice(0, 12)}): ${only ? only.join(', ') : 'the whole tree'}`)
    return path
  }
}
