import { realpath } from 'node:fs/promises'
import { isAbsolute, join, relative } from 'node:path'

export class OutsideRepositoryError extends Error {}

/**
 * The real path of `path` (from the repository folder `root`), symlinks followed, or null
 * when nothing is there. Throws OutsideRepositoryError when it ends outside the real `root`:
 * a branch can hold `ctx -> /home/reviewer`, and a build of `ctx` would send that folder to
 * the builder. A path that stays inside (a symlink to a sibling folder) is fine.
 */
export async function resolveInside(root: string, path: string, what: string): Promise<string | null> {
  let realRoot: string
  let real: string
  try {
    realRoot = await realpath(root)
    real = await realpath(join(root, path))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw error
  }
  const inside = relative(realRoot, real)
  if (inside === '..' || inside.startsWith(`..${'/'}`) || isAbsolute(inside)) {
    throw new OutsideRepositoryError(
      `Refused: the ${what} '${path}' leaves the repository: through a symlink it resolves to ${real}. ` +
        'A build reads only what the repository holds: make it a file or folder in the repository.'
    )
  }
  return real
}
