/**
 * Links the report builds: to an image's Dockerfile, to one of its lines, to a commit. Every
 * link is made from the repository's own URL, which the runner gives (GITHUB_SERVER_URL and
 * GITHUB_REPOSITORY), never from text in the repository: a path is percent-encoded segment by
 * segment, so that a folder named `a) [x](https:evil.example` still yields one inert URL that
 * points at that folder, and a commit id must be hex. Whatever fails those checks gets no link.
 */

/** Where a repository's pages are: `https://github.com/octo/app`. */
export interface RepositoryLinks {
  /** The repository's URL, with no trailing slash. */
  url: string
  /** The commit whose files the Dockerfile and line links show: the PR's head commit when known. */
  fileSha: string
}

const SHA = /^[0-9a-f]{7,64}$/i

/**
 * The repository's URL from the runner's context, or null when the server URL is no plain
 * http(s) URL or the owner or name is empty. Owner and name are encoded too: they come from
 * the runner, but a link is only as good as its least-checked part.
 */
export function repositoryUrl(serverUrl: string, owner: string, repo: string): string | null {
  let server: URL
  try {
    server = new URL(serverUrl)
  } catch {
    return null
  }
  if ((server.protocol !== 'https:' && server.protocol !== 'http:') || server.search || server.hash) return null
  if (!owner || !repo) return null
  const base = server.href.replace(/\/+$/, '')
  return `${base}/${encodeSegment(owner)}/${encodeSegment(repo)}`
}

/**
 * One path segment, percent-encoded: encodeURIComponent leaves `( ) ! * '` as they are, and
 * a `)` ends a markdown link's destination, so those are encoded as well.
 */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, char => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
}

/** A repository path, each segment encoded and the slashes kept. */
function encodePath(path: string): string {
  return path.split('/').map(encodeSegment).join('/')
}

/** A file at a commit, and one of its lines: `…/blob/<sha>/<path>#L4`. Null without a valid commit. */
export function blobUrl(links: RepositoryLinks, path: string, line?: number | null): string | null {
  if (!SHA.test(links.fileSha) || path === '') return null
  const anchor = line && Number.isInteger(line) && line > 0 ? `#L${line}` : ''
  return `${links.url}/blob/${links.fileSha}/${encodePath(path)}${anchor}`
}

/** A commit's page, or null for anything that is no commit id. */
export function commitLink(repository: string, sha: string): string | null {
  return SHA.test(sha) ? `${repository}/commit/${sha}` : null
}

/** A markdown link around already-rendered text (a code span); the URL is ours, built above. */
export function markdownLink(text: string, url: string | null): string {
  return url ? `[${text}](${url})` : text
}

/** An HTML link, for an HTML block (a `<summary>`), where markdown is not parsed. */
export function htmlLink(html: string, url: string | null): string {
  return url ? `<a href="${url.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">${html}</a>` : html
}
