import { posix } from 'node:path'
import { BuildOutcome, ImageTarget } from '../shared/types.js'

/**
 * How builders say that a COPY or ADD source is not in the context: BuildKit
 * (`"/go.mod" not found`, also as `failed to calculate checksum of ref …: "/go.mod": not found`)
 * and the legacy builder (`COPY failed: file not found in build context`, `forbidden path
 * outside the build context`).
 */
const MISSING_SOURCE = [
  /"\/?([^"]+)":? not found/,
  /(?:COPY|ADD) failed: file not found in build context[^:]*: stat ([^:]+):/,
  /(?:COPY|ADD) failed: forbidden path outside the build context: (\S+)/
]

/** The COPY or ADD source a failed build missed, or null when it failed otherwise. */
export function missingCopySource(output: string): string | null {
  for (const pattern of MISSING_SOURCE) {
    const source = pattern.exec(output)?.[1]
    if (source !== undefined) return source
  }
  return null
}

/**
 * A Dockerfile found by the globs is built with its own folder as context. When its build
 * misses a COPY or ADD source there, the likeliest cause is that the repository builds it
 * from another folder (`docker build -f api/Dockerfile .`): the reason says how to declare
 * that. Declared images (config, compose, bake) say their context themselves.
 */
export function withContextHint(target: ImageTarget, outcome: BuildOutcome): BuildOutcome {
  // At the root, a missing source is missing from the repository, not from a narrow context.
  if (outcome.ok || target.from || target.context === '.' || target.context !== posix.dirname(target.dockerfile)) {
    return outcome
  }
  const missing = missingCopySource(`${outcome.error ?? ''}\n${outcome.logTail ?? ''}\n${outcome.output ?? ''}`)
  if (missing === null) return outcome
  const hint =
    ` (${missing} is not in ${target.context}/, the Dockerfile's folder, which is the build context the check uses for it. ` +
    'If the repository builds it from another folder, declare that: in .github/docker-size-check.yml ' +
    `(images: [{dockerfile: ${target.dockerfile}, context: .}]), or in a compose.yaml or docker-bake.hcl at the root.)`
  return { ...outcome, error: `${outcome.error ?? 'the build failed'}${hint}` }
}
