import { InputError } from '../shared/errors.js'

// The layer cache across runs: buildx's `--cache-from` / `--cache-to`, given as the
// `cache-from` / `cache-to` inputs, one cache a line (a spec holds commas of its own, so a
// line is the separator). A run checks many images, so each spec may say `{image}`, which
// becomes the image's name as a slug; a `type=gha` spec without a scope gets one per image,
// as two images writing one scope would evict each other's layers.

const CACHE_TYPES = ['gha', 'registry', 'local', 'inline', 's3', 'azblob'] as const

export interface CacheSettings {
  cacheFrom: string[]
  cacheTo: string[]
}

/** Reads a cache input: one buildx cache spec a line; `#` starts a comment line. */
export function parseCacheInput(input: string, value: string): string[] {
  const specs = value
    .split(/\r?\n/)
    .map(line => line.trim())
    .filter(line => line !== '' && !line.startsWith('#'))
  for (const spec of specs) {
    const type = /^type=([a-z0-9]+)(,|$)/.exec(spec)?.[1]
    if (!type || !(CACHE_TYPES as readonly string[]).includes(type)) {
      throw new InputError(
        `Invalid ${input} '${spec}'. Expected one buildx cache a line, starting with its type: ` +
          `${CACHE_TYPES.map(t => `type=${t}`).join(', ')} (for example type=gha or type=registry,ref=ghcr.io/o/r:cache-{image}).`
      )
    }
    if (/[\0\r\n]/.test(spec)) throw new InputError(`Invalid ${input} '${spec}': it has a control character.`)
  }
  return specs
}

/** The image's name as it may stand in a cache scope or a tag: lower case, `[a-z0-9._-]`. */
export function cacheSlug(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
  return slug.slice(0, 100) || 'image'
}

/**
 * The `--cache-from` / `--cache-to` arguments of one image's build. `cacheTo` is for the
 * builds whose layers are worth keeping (the head, a record run); a cache that cannot be
 * written (the read-only cache of a run triggered from a fork) must not fail the build, so
 * every exported cache has `ignore-error=true` unless the spec says otherwise.
 */
export function cacheArgs(settings: CacheSettings, imageName: string, options: { write: boolean }): string[] {
  const slug = cacheSlug(imageName)
  const expand = (spec: string) => {
    let expanded = spec.replace(/\{image\}/g, slug)
    if (expanded.startsWith('type=gha') && !/(^|,)scope=/.test(expanded)) expanded += `,scope=docker-size-check-${slug}`
    return expanded
  }
  const args: string[] = []
  for (const spec of settings.cacheFrom) args.push('--cache-from', expand(spec))
  if (options.write) {
    for (const spec of settings.cacheTo) {
      const expanded = expand(spec)
      args.push('--cache-to', /(^|,)ignore-error=/.test(expanded) ? expanded : `${expanded},ignore-error=true`)
    }
  }
  return args
}

/**
 * Whether the builder can export a cache: buildx's `docker` driver can only on the containerd
 * image store (elsewhere every build with `--cache-to` fails: "Cache export is not supported
 * for the docker driver"). `docker buildx inspect` names the driver.
 */
export function cacheExportSupported(buildxInspect: string, imageStore: 'containerd' | 'graphdriver'): boolean {
  const driver = /^Driver:\s*(\S+)/m.exec(buildxInspect)?.[1]
  return driver !== 'docker' || imageStore === 'containerd'
}
