import * as github from '@actions/github'
import { Logger, quietLogger } from '../shared/logger.js'
import type { Octokit as CoreOctokit } from '@octokit/core'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck'

/** The client every GitHub call in this action goes through. */
export type Octokit = ReturnType<typeof github.getOctokit>

/**
 * How long the client may wait on GitHub, in `unitMs` (a second in real runs). Every wait is
 * counted in units, so a test sets `unitMs` to 1 and the same waits pass in milliseconds.
 */
export interface ApiTiming {
  /** Length of one "second" of waiting, in milliseconds. */
  unitMs: number
  /** 5xx and network errors: retries per request, after 1, 4, 9 … units. */
  serverRetries: number
  /** Rate limits: retried only when GitHub asks to wait at most this many units. */
  maxRetryAfter: number
  /** Rate limits: retries per request. */
  rateLimitRetries: number
  /** Once this many units have gone to retries on one client, requests are tried once. */
  retryBudget: number
}

export const DEFAULT_API_TIMING: ApiTiming = {
  unitMs: 1000,
  serverRetries: 3,
  maxRetryAfter: 60,
  rateLimitRetries: 2,
  retryBudget: 120
}

/**
 * `DOCKER_SIZE_CHECK_API_TIME_UNIT_MS` shortens every wait: the tests run the bundled action
 * in another process and cannot pass it options. Anything but a positive number is ignored.
 */
function apiTimingFromEnv(env: NodeJS.ProcessEnv = process.env): ApiTiming {
  const unit = Number(env.DOCKER_SIZE_CHECK_API_TIME_UNIT_MS)
  return Number.isFinite(unit) && unit > 0 ? { ...DEFAULT_API_TIMING, unitMs: unit } : DEFAULT_API_TIMING
}

/**
 * Makes the REST client for `baseUrl` (the `github-api-url` input, or GITHUB_API_URL).
 *
 * `@actions/github` reads GITHUB_API_URL once, when it is first imported, and bakes it into
 * its defaults; a GHES URL or a test stand-in set later would be ignored. So the base URL is
 * always passed here, never left to that default.
 *
 * The `request` defaults (a proxy-aware fetch) are kept as they are: passing our own `request`
 * would replace them whole, since Octokit merges options shallowly.
 *
 * Retries: plugin-retry repeats 5xx answers and network errors; plugin-throttling paces
 * writes as GitHub asks integrators to and repeats secondary and primary rate limits when
 * the wait GitHub names is short. All of it is bounded by `timing.retryBudget`, so a GitHub
 * outage costs the run a couple of minutes at most, never its timeout.
 */
export function createOctokit(
  token: string,
  baseUrl: string,
  timing: ApiTiming = apiTimingFromEnv(),
  /** Where a refused or retried request is said. */
  log: Logger = quietLogger
): Octokit {
  if (!token) {
    throw new Error(
      'No GitHub token was given. Pass one, for example `${{ github.token }}`, to read the PR and post the comment.'
    )
  }
  const budget = new RetryBudget(timing)
  const rateLimited = (kind: string) => (retryAfter: number, options: { method: string; url: string }) => {
    const what = `${options.method} ${options.url}`
    const retryCount = Number((options as { request?: { retryCount?: number } }).request?.retryCount ?? 0)
    if (retryCount >= timing.rateLimitRetries || retryAfter > timing.maxRetryAfter || !budget.hasRoom(retryAfter)) {
      log.warning(`GitHub's ${kind} rate limit refused ${what}; it asks to wait ${retryAfter} s, so it is not retried.`)
      return false
    }
    log.info(`GitHub's ${kind} rate limit refused ${what}; retrying in ${retryAfter} s.`)
    return true
  }
  // Each client gets its own pacing groups (the plugin's defaults are shared by the whole
  // process), scaled like every other wait: 1 unit between writes, 3 between notifying ones.
  const group = (units: number) => new Bottleneck.Group({ maxConcurrent: 1, minTime: units * timing.unitMs })
  return github.getOctokit(
    token,
    {
      baseUrl: baseUrl.replace(/\/+$/, ''),
      retry: { retries: timing.serverRetries, retryAfterBaseValue: timing.unitMs },
      throttle: {
        retryAfterBaseValue: timing.unitMs,
        write: group(1),
        notifications: group(3),
        onSecondaryRateLimit: rateLimited('secondary'),
        onRateLimit: rateLimited('primary')
      }
    },
    retry,
    throttling,
    budget.plugin
  )
}

/**
 * Counts the time that requests spend beyond their first attempt; once the budget is spent,
 * later requests go out with no server retries. The plugin is registered last, so its wrap is
 * the outermost and times each request with all its retries.
 */
class RetryBudget {
  private spentMs = 0

  constructor(private readonly timing: ApiTiming) {}

  /** Whether a wait of `units` still fits; the wrap below counts it once it has happened. */
  hasRoom(units: number): boolean {
    return this.spentMs + units * this.timing.unitMs <= this.timing.retryBudget * this.timing.unitMs
  }

  readonly plugin = (octokit: CoreOctokit): void => {
    octokit.hook.wrap('request', async (request, options) => {
      const overBudget = this.spentMs >= this.timing.retryBudget * this.timing.unitMs
      const settings = options.request as { retries?: number; retryCount?: number }
      if (overBudget) settings.retries = 0
      const started = Date.now()
      try {
        return await request(options)
      } finally {
        if ((settings.retryCount ?? 0) > 0) this.spentMs += Date.now() - started
      }
    })
  }
}
