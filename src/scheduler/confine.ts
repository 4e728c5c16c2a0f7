import { posix } from 'node:path'
import { resolveInside } from '../tools/inside-repository.js'

/**
 * Refuses a build whose context, Dockerfile or ignore files resolve, through a symlink,
 * outside the checkout they are built from (`context: ../..` is refused when the config is
 * read; its symlink twin, `ctx -> /home/reviewer`, only shows on disk). Returns why, or null.
 * Paths are from the checkout's root.
 */
export async function refuseOutside(root: string, dockerfile: string, context: string): Promise<string | null> {
  const checks: Array<[string, string]> = [
    [context, 'build context'],
    [dockerfile, 'Dockerfile'],
    [posix.join(context, '.dockerignore'), 'ignore file'],
    [`${dockerfile}.dockerignore`, 'ignore file']
  ]
  try {
    for (const [path, what] of checks) await resolveInside(root, path, what)
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}
