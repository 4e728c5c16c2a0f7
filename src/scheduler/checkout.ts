import { posix } from 'node:path'
import { sparsePathAllowed } from '../tools/git.js'
import { ImageTarget, Side } from '../shared/types.js'

/**
 * What one side's checkout must hold for its builds, as paths from the repository root:
 * each image's build context, its Dockerfile, and the Dockerfile's own ignore file
 * (`<Dockerfile>.dockerignore`, which docker reads next to the Dockerfile). A build reads
 * nothing else of the repository, so the rest of a monorepo need not be written to disk,
 * and that is most of a checkout's time where the repository is large.
 *
 * Null means the whole tree: a context is the repository root, or a name cannot be written
 * as a sparse-checkout pattern (a line break in it).
 *
 * `targets` are the images built on this side (not those built once for both).
 */
export function checkoutPaths(targets: ImageTarget[], side: Side): string[] | null {
  const paths = new Set<string>()
  for (const target of targets) {
    const context = side === 'head' ? target.context : target.baseContext
    const dockerfile = side === 'head' ? target.dockerfile : target.baseDockerfile
    const build = side === 'head' ? target.build : (target.baseBuild ?? target.build)
    // Named contexts that are folders are read by the build as well.
    const named = Object.values(build?.contexts ?? {}).filter(source => !/^(?:docker-image:\/\/|target:)/i.test(source))
    for (const path of [context, dockerfile, `${dockerfile}.dockerignore`, ...named]) {
      const normalized = posix.normalize(path).replace(/\/+$/, '')
      if (!sparsePathAllowed(normalized)) return null
      paths.add(normalized)
    }
  }
  // A path inside a folder already on the list adds nothing.
  const sorted = [...paths].sort()
  return sorted.filter(path => !sorted.some(other => path !== other && path.startsWith(`${other}/`)))
}
