import picomatch from 'picomatch'

/**
 * The names people give Dockerfiles, at any depth and in any case: Dockerfile,
 * Dockerfile.prod, Dockerfile-multistage, prod.Dockerfile, app.dockerfile, Containerfile.
 * `*.dockerignore` files sit beside Dockerfiles with similar names and are never images.
 */
export const DEFAULT_DOCKERFILE_GLOBS = [
  '**/Dockerfile',
  '**/Dockerfile.*',
  '**/Dockerfile-*',
  '**/*.Dockerfile',
  '**/Containerfile',
  '**/Containerfile.*',
  '**/*.Containerfile',
  '!**/*.dockerignore'
]

/**
 * Builds a matcher from a list of globs; a glob that starts with `!` excludes. Matching is
 * case-insensitive because Dockerfile names are written in every case in the wild, and
 * dot files count (a Dockerfile under `.devcontainer/` is an image like any other).
 */
export function globMatcher(globs: string[]): (path: string) => boolean {
  const include = globs.filter(glob => !glob.startsWith('!'))
  const exclude = globs.filter(glob => glob.startsWith('!')).map(glob => glob.slice(1))
  const options = { nocase: true, dot: true }
  const isIncluded = include.length > 0 ? picomatch(include, options) : () => false
  const isExcluded = exclude.length > 0 ? picomatch(exclude, options) : () => false
  return path => isIncluded(path) && !isExcluded(path)
}
