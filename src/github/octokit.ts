import * as github from '@actions/github'

/** The client every GitHub call in this action goes through. */
export type Octokit = ReturnType<typeof github.getOctokit>

/**
 * Makes the REST client for `baseUrl` (the `github-api-url` input, or GITHUB_API_URL).
 *
 * `@actions/github` reads GITHUB_API_URL once, when it is first imported, and bakes it into
 * its defaults; a GHES URL or a test stand-in set later would be ignored. So the base URL is
 * always passed here, never left to that default.
 *
 * The `request` defaults (a proxy-aware fetch) are kept as they are: passing our own `request`
 * would replace them whole, since Octokit merges options shallowly. Their proxy choice was
 * made for the URL seen at import; on a runner that is the same URL as `baseUrl`.
 *
 * No retry of 5xx or rate-limit answers yet: @octokit/plugin-retry and plugin-throttling are
 * not dependencies. A retry can be added later through `octokit.hook.wrap('request', …)`.
 */
export function createOctokit(token: string, baseUrl: string): Octokit {
  if (!token) {
    throw new Error(
      'No GitHub token was given. Pass one, for example `${{ github.token }}`, to read the PR and post the comment.'
    )
  }
  return github.getOctokit(token, { baseUrl: baseUrl.replace(/\/+$/, '') })
}
