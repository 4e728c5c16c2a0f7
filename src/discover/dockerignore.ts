import dockerignoreModule from '@balena/dockerignore'
import { posix } from 'node:path'

// What of a build context reaches the builder. @balena/dockerignore is a port of Docker's
// own matcher (moby's fileutils): `*` stays within one folder, a pattern is anchored at
// the context root, a parent folder's exclusion covers everything below it, and a later
// `!` pattern can bring back a file below an excluded folder. These differ from
// .gitignore's rules, so a gitignore matcher would get real repositories wrong.

// The package is CommonJS (`module.exports = factory`) but its types declare an ES default
// export: from ESM the default import is the factory itself, which the types call `.default`.
const ignore = dockerignoreModule as unknown as typeof dockerignoreModule.default

/**
 * The dockerignore file a build uses: `<Dockerfile>.dockerignore` beside the Dockerfile
 * when it exists (BuildKit reads it in place of the context's), else `.dockerignore` at the
 * context root (which may not exist either: then nothing is excluded). The legacy builder
 * only knows the second; BuildKit is the default builder since Docker 23, and the one this
 * check uses where the engine has it.
 */
export function dockerignorePathFor(dockerfile: string, context: string, exists: (path: string) => boolean): string {
  const specific = `${dockerfile}.dockerignore`
  if (exists(specific)) return specific
  return joinPath(context, '.dockerignore')
}

/**
 * A filter over paths relative to the context root: true for a file that is sent to the
 * builder. No dockerignore text (null) sends everything. Matching is case-sensitive, as
 * Docker's is on Linux.
 */
export function contextFilter(dockerignore: string | null): (relativePath: string) => boolean {
  if (dockerignore === null || dockerignore.trim() === '') return () => true
  const matcher = ignore({ ignorecase: false }).add(dockerignore.split(/\r?\n/))
  return relativePath => !matcher.ignores(relativePath)
}

/** The path of `file` inside `context` (both from the repository root), or null when it lies outside. */
export function pathInContext(context: string, file: string): string | null {
  if (context === '.' || context === '') return file
  return file.startsWith(`${context}/`) ? file.slice(context.length + 1) : null
}

/** Joins repository paths, where '.' is the root. */
function joinPath(folder: string, name: string): string {
  return folder === '.' || folder === '' ? name : posix.join(folder, name)
}

/** Whether a path names a dockerignore file of either kind. */
export function isDockerignore(path: string): boolean {
  return posix.basename(path).endsWith('.dockerignore')
}
