import { copyFile, cp, lstat, mkdir, readlink, symlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Logger } from '../shared/logger.js'
import { Git } from '../tools/git.js'
import { Revisions, Side } from '../shared/types.js'
import { Janitor } from './janitor.js'

export type PoolGit = Pick<Git, 'addWorktree' | 'exec'>

export interface PoolOptions {
  git: PoolGit
  janitor: Janitor
  /** The run's own folder; each side's worktree goes in it. */
  scratch: string
  revisions: Revisions
  /** The repository itself, which is the head where the head is built from the workspace. */
  workspace: string | null
  /**
   * The repository whose working tree is the head as git sees it (the command without
   * --head): copied into the run's folder without `.git` or any ignored file, so that the
   * head holds what the base's clean worktree would hold, with the uncommitted changes.
   */
  workingTree?: string | null
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
    const only = this.options.pathsFor(side)
    const workingTree = this.options.workingTree ?? null
    if (side === 'head' && workingTree !== null) {
      // Inside the run's folder, which the janitor removes: no worktree to unregister.
      const copied = await copyGitView(this.options.git, workingTree, path, only)
      this.options.log.info(
        `Copied the working tree as git sees it (${copied} files, no .git, no ignored file): ` +
          (only ? only.join(', ') : 'the whole tree')
      )
      return path
    }
    const sha = side === 'head' ? this.options.revisions.headSha : this.options.revisions.baseSha
    // Listed first: a checkout that fails half-way still leaves a worktree to remove.
    this.options.janitor.worktree(path)
    await this.options.git.addWorktree(path, sha, only ?? undefined)
    this.options.log.info(`Checked out the ${side} (${sha.slice(0, 12)}): ${only ? only.join(', ') : 'the whole tree'}`)
    return path
  }
}

/**
 * Tracked files as they stand (a deleted one is left out) and untracked files that are not
 * ignored: what `git status` counts, never `.git` or an ignored build output. `-z` so that no
 * name is quoted; `--full-name` as the paths are the repository's whatever folder git runs in.
 */
const GIT_VIEW_ARGS = ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--full-name']

/** Copies git's view of `repoDir` (below `only`, or all of it) into `destination`; returns how many entries. */
async function copyGitView(
  git: Pick<Git, 'exec'>,
  repoDir: string,
  destination: string,
  only: string[] | null
): Promise<number> {
  await mkdir(destination, { recursive: true })
  const listed = new Set((await git.exec(GIT_VIEW_ARGS)).split('\0').filter(Boolean))
  const wanted = [...listed].filter(
    path => only === null || only.some(prefix => path === prefix || path.startsWith(`${prefix}/`))
  )
  let copied = 0
  for (const path of wanted) {
    const from = join(repoDir, path)
    const to = join(destination, path)
    const stat = await lstat(from).catch(() => null)
    if (stat === null) continue // tracked, but deleted in the working tree
    await mkdir(dirname(to), { recursive: true })
    if (stat.isSymbolicLink()) await symlink(await readlink(from), to)
    // A submodule is listed as its folder: copied without its own .git.
    else if (stat.isDirectory())
      await cp(from, to, { recursive: true, verbatimSymlinks: true, filter: source => !source.endsWith('/.git') })
    else if (stat.isFile()) await copyFile(from, to)
    else continue
    copied++
  }
  return copied
}
