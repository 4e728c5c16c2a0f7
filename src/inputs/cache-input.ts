import { InputError } from '../shared/errors.js'

// The `cache-from` / `cache-to` inputs (scheduler/layer-cache.ts passes them to buildx).

const CACHE_TYPES = ['gha', 'registry', 'local', 'inline', 's3', 'azblob'] as const

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
