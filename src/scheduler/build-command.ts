import { readFile } from 'node:fs/promises'
import { cleanLog } from '../shared/fields.js'
import { failedStepLine } from './failed-step.js'
import { Docker } from '../tools/docker.js'
import { engineGoneMessage } from '../tools/engine-errors.js'
import { BuildSecret, secretArgs, secretEnvironment } from '../inputs/secrets.js'
import { BuildOutcome, Side } from '../shared/types.js'
import { redactor } from '../shared/redact.js'
import { formatDuration } from '../inputs/duration.js'
import { EngineUnavailableError } from '../shared/errors.js'

export interface BuildRequest {
  /** Absolute path of the Dockerfile. */
  dockerfile: string
  /** Absolute path of the build context. */
  context: string
  tag: string
  builder: 'buildx' | 'legacy'
  /** A buildx builder by name (the `builder` input); absent: the current one. BuildKit only (checked before any build). */
  builderName?: string
  target?: string
  buildArgs?: Record<string, string>
  platform?: string
  /**
   * Named contexts as `--build-context name=value`, BuildKit only: an absolute folder, or
   * `docker-image://<reference>` (another image of the run by its tag).
   */
  contexts?: Record<string, string>
  /** Passed with `--secret`, BuildKit only (checked before any build). */
  secrets?: BuildSecret[]
  /** `--cache-from` / `--cache-to` arguments (see layer-cache.ts), BuildKit only. */
  cache?: string[]
  /** `--label`s naming the run (see run-identity.ts), so a later run can remove a killed run's images. */
  labels?: Record<string, string>
}

/** The docker command line for one build. Pure, so every variant is tested as a table. */
export function buildCommandArgs(request: BuildRequest): string[] {
  const args =
    request.builder === 'buildx'
      ? // --load puts the result in the engine's image store, where `docker image inspect`
        // finds it; --provenance=false keeps attestation manifests out of the image.
        [
          'buildx',
          'build',
          ...(request.builderName ? ['--builder', request.builderName] : []),
          '--load',
          '--progress=plain',
          '--provenance=false'
        ]
      : ['build']
  args.push('--file', request.dockerfile, '--tag', request.tag)
  if (request.target) args.push('--target', request.target)
  if (request.platform) args.push('--platform', request.platform)
  for (const [name, value] of Object.entries(request.buildArgs ?? {})) args.push('--build-arg', `${name}=${value}`)
  for (const [name, value] of Object.entries(request.contexts ?? {})) args.push('--build-context', `${name}=${value}`)
  if (request.secrets?.length) args.push(...secretArgs(request.secrets))
  if (request.builder === 'buildx' && request.cache?.length) args.push(...request.cache)
  for (const [name, value] of Object.entries(request.labels ?? {})) args.push('--label', `${name}=${value}`)
  args.push(request.context)
  return args
}

/** Environment for the build: the legacy builder must be asked for by name, or docker picks BuildKit. */
export function buildEnvironment(
  builder: BuildRequest['builder'],
  secrets: BuildSecret[] = []
): Record<string, string> {
  return { ...(builder === 'legacy' ? { DOCKER_BUILDKIT: '0' } : {}), ...secretEnvironment(secrets) }
}

export interface BuildOptions {
  stream: boolean
  /** The run's cancellation: the build is stopped, and the abort's reason thrown. */
  signal?: AbortSignal
  /** How long the build may take; past it, it is stopped and fails with the reason. */
  timeoutMs?: number
}

/**
 * Runs one build and reports how it went; a failed build is an outcome, not an exception.
 * A build past its timeout is stopped (its process group killed) and fails; a build the
 * run stopped throws the signal's reason, for the run stops with it.
 */
export async function buildImage(
  docker: Pick<Docker, 'build'>,
  side: Side,
  request: BuildRequest,
  options: BuildOptions
): Promise<BuildOutcome> {
  options.signal?.throwIfAborted()
  const started = Date.now()
  const timeout = new AbortController()
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(), options.timeoutMs)
  const stop = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal
  let raw
  try {
    raw = await docker.build(buildCommandArgs(request), {
      env: buildEnvironment(request.builder, request.secrets),
      stream: options.stream,
      signal: stop
    })
  } finally {
    clearTimeout(timer)
  }
  options.signal?.throwIfAborted()
  const durationMs = Date.now() - started
  // Here build output enters the run's data, and every report, the comment and the artifact
  // are written from that data: a secret the build printed (`RUN --mount=type=secret … cat`)
  // is taken out once, here, so that no writer has to remember it. (Streamed output goes to
  // the job log, which the runner masks.)
  const redact = redactor((request.secrets ?? []).map(secret => secret.value))
  const result = { ...raw, stdout: redact(raw.stdout), stderr: redact(raw.stderr) }
  // BuildKit writes its progress and errors to stderr, the legacy builder to stdout.
  const output = `${result.stdout}\n${result.stderr}`
  const kept = options.stream ? {} : { output }
  if (timeout.signal.aborted) {
    const limit = formatDuration(options.timeoutMs as number)
    return {
      side,
      ok: false,
      durationMs,
      ...kept,
      logTail: cleanLog(output),
      error: `The build ran past the build-timeout of ${limit} and was stopped.`
    }
  }
  // An engine that went away is no build failure of this image: it stops the whole run.
  const gone = engineGoneMessage(result)
  if (gone) throw new EngineUnavailableError(gone)
  if (result.exitCode === 0) return { side, ok: true, tag: request.tag, durationMs, ...kept }
  const failedLine = failedStepLine(output, await readFile(request.dockerfile, 'utf8').catch(() => ''))
  return {
    side,
    ok: false,
    durationMs,
    ...kept,
    ...(failedLine !== null ? { failedLine } : {}),
    // Bounded here, where it enters the run's data, as every run file bounds it (20 lines, 8,000
    // characters, no colour codes): a 500,000-character last line no longer buries the reason.
    logTail: cleanLog(output),
    error: summarizeBuildError(output) ?? `docker build exited with code ${result.exitCode}`
  }
}

/** Picks the line that says why a build failed, from BuildKit's or the legacy builder's output. */
export function summarizeBuildError(output: string): string | null {
  const lines = output
    .split('\n')
    .map(line => line.trim())
    .filter(Boolean)
  const patterns = [
    /^ERROR: (.+)$/,
    /^error: (.+)$/i,
    /^(The command .+ returned a non-zero code: \d+)$/,
    /^((?:COPY|ADD) failed: .+)$/,
    /^(failed to .+)$/i
  ]
  for (const line of [...lines].reverse()) {
    for (const pattern of patterns) {
      const reason = pattern.exec(line)?.[1]
      if (reason !== undefined) return reason.slice(0, 500)
    }
  }
  // Unknown wording: the builder's last line is usually its reason.
  return lines.at(-1)?.slice(0, 500) ?? null
}
