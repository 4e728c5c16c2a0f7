// Image references as docker reads them (distribution's reference grammar): an optional
// registry host, a repository path, a tag or a digest. `app` is docker.io/library/app:latest.

/** A reference resolved to the registry that holds it. */
export interface ImageReference {
  /** The host as written (docker.io for Docker Hub), the key of its credentials. */
  registry: string
  /** The host the HTTP API answers on (registry-1.docker.io for Docker Hub). */
  apiHost: string
  /** http for a loopback registry (as docker allows without TLS settings), https otherwise. */
  scheme: 'http' | 'https'
  repository: string
  tag: string | null
  digest: string | null
  /** As the user wrote it, for messages. */
  text: string
}

export class ReferenceError extends Error {}

const DOCKER_HUB = 'docker.io'
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/

/**
 * Reads a reference as `docker pull` does. `field` names where it came from, at the start of
 * an error, which says what a reference looks like.
 */
export function parseReference(text: string, field = 'image'): ImageReference {
  const fail = (why: string): never => {
    throw new ReferenceError(
      `Invalid ${field} '${text.slice(0, 200)}': ${why}. Expected an image reference such as ` +
        'ghcr.io/owner/app:pr-12, registry.example.com:5000/team/app@sha256:<64 hex digits> or app:latest.'
    )
  }
  const trimmed = text.trim()
  if (trimmed === '') fail('it is empty')
  if (/\s/.test(trimmed)) fail('it holds white space')
  let rest = trimmed
  let digest: string | null = null
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) fail(`'${digest.slice(0, 80)}' is not a digest`)
    digest = digest.toLowerCase()
  }
  let tag: string | null = null
  const lastSlash = rest.lastIndexOf('/')
  const colon = rest.indexOf(':', lastSlash + 1)
  if (colon >= 0) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) fail(`'${tag.slice(0, 80)}' is not a tag (letters, digits, '_', '.', '-', at most 128)`)
  }
  const parts = rest.split('/')
  let registry = DOCKER_HUB
  const first = parts[0] ?? ''
  if (
    parts.length > 1 &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || /[A-Z]/.test(first))
  ) {
    registry = first
    parts.shift()
    if (!HOST.test(registry)) fail(`'${registry}' is not a registry host`)
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library')
  for (const part of parts) {
    if (!COMPONENT.test(part)) fail(`'${part}' is not a repository name (lower-case letters, digits, separators)`)
  }
  const repository = parts.join('/')
  if (repository.length > 255) fail('the repository name is longer than 255 characters')
  if (tag === null && digest === null) tag = 'latest'
  return {
    registry,
    apiHost: registry === DOCKER_HUB ? 'registry-1.docker.io' : registry,
    scheme: isLoopback(registry) ? 'http' : 'https',
    repository,
    tag,
    digest,
    text: trimmed
  }
}

/** docker talks plain HTTP to a registry on this machine without any setting; so does this. */
function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '')
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name)
}

/** The tag or digest a manifest request names. */
export function manifestReference(reference: ImageReference): string {
  return reference.digest ?? reference.tag ?? 'latest'
}

/** The same repository at another digest: a platform's manifest, read from the index's reference. */
export function withDigest(reference: ImageReference, digest: string): ImageReference {
  return { ...reference, digest, text: `${reference.registry}/${reference.repository}@${digest}` }
}

/** The repository as a reader knows it: docker.io/library/app as app, others with their host. */
export function repositoryName(reference: ImageReference): string {
  if (reference.registry !== DOCKER_HUB) return `${reference.registry}/${reference.repository}`
  return reference.repository.startsWith('library/')
    ? reference.repository.slice('library/'.length)
    : reference.repository
}
