import { join, posix } from 'node:path'
import { BuildRequest, buildImage } from './build-command.js'
import { Progress } from './progress.js'
import { CheckSettings } from '../inputs/inputs.js'
import { Docker } from '../tools/docker.js'
import { measureBuiltImage } from '../measure/measure-image.js'
import { BuildOutcome, EngineInfo, ImageMeasurement, ImageTarget, labelOf, Side } from '../shared/types.js'
import { Janitor } from './janitor.js'
import { withContextHint } from './context-hint.js'
import { refuseOutside } from './confine.js'
import { cacheArgs, CacheSettings } from './layer-cache.js'
import { WorktreePool } from './worktree-pool.js'
import type { SavedArchive } from '../tools/save-pair.js'

export type SideDocker = Pick<Docker, 'build' | 'inspectImage' | 'history' | 'save'>

/** What every build of a run shares. */
export interface SideContext {
  docker: SideDocker
  pool: WorktreePool
  janitor: Janitor
  engine: EngineInfo
  settings: Pick<CheckSettings, 'compressedSize' | 'secrets' | 'buildTimeoutMs' | 'builder' | 'explain'>
  labels: Record<string, string>
  /** The caches the builds read and the head's builds write (see layer-cache.ts). */
  cache: CacheSettings
  log: Progress
  signal?: AbortSignal
}

/** One side of one image, as the scheduler asks for it. */
export interface SideJob {
  target: ImageTarget
  side: Side
  tag: string
  /**
   * For a build that runs next to the other side's, which has the log group: where builds
   * stream into the log, this one's output is kept and printed in a group of its own once
   * `deferLog` has settled, so two builds never interleave in one group.
   */
  deferLog?: Promise<unknown>
  /** The tags of the images of the run this side is built on (named contexts `target:<name>`), by name. */
  images?: Record<string, { tag: string } | { missing: string }>
}

/** How one side went: its build's outcome, and what was measured when it built. */
export interface SideResult {
  side: Side
  outcome: BuildOutcome
  measurement: ImageMeasurement | null
  /**
   * The image's layers as the measurement read them (the containerd store, with the path
   * breakdown on): the breakdown uses them instead of reading the image again.
   */
  layers?: SavedArchive
}

/** Builds and measures one side of an image. A failed build is a result; a stopped run throws. */
export async function buildSide(context: SideContext, job: SideJob): Promise<SideResult> {
  const { target, side } = job
  const { log } = context
  const dockerfile = side === 'head' ? target.dockerfile : target.baseDockerfile
  const contextPath = side === 'head' ? target.context : target.baseContext
  const root = await context.pool.rootOf(side)
  const failed = (error: string): SideResult => {
    log.warning(`The ${side} build of ${dockerfile}: ${error}`)
    return { side, outcome: { side, ok: false, error, durationMs: 0 }, measurement: null }
  }
  const build = side === 'base' ? (target.baseBuild ?? target.build) : target.build
  const contexts: Record<string, string> = {}
  for (const [name, source] of Object.entries(build?.contexts ?? {})) {
    if (context.engine.builder !== 'buildx') {
      return failed(
        `the named context '${name}' needs BuildKit (docker buildx), and the engine builds with the legacy builder.`
      )
    }
    if (source.startsWith('target:')) {
      const built = job.images?.[source.slice('target:'.length)]
      if (!built || 'missing' in built) {
        return failed(`the named context '${name}': ${built?.missing ?? `${source} was not built`}.`)
      }
      contexts[name] = `docker-image://${built.tag}`
    } else if (/^docker-image:\/\//i.test(source)) {
      contexts[name] = source
    } else {
      const refused = await refuseOutside(root, posix.join(source, '.dockerignore'), source)
      if (refused) return failed(`the named context '${name}': ${refused}`)
      contexts[name] = join(root, source)
    }
  }
  const request: BuildRequest = {
    dockerfile: join(root, dockerfile),
    context: join(root, contextPath),
    tag: job.tag,
    builder: context.engine.builder,
    ...(context.settings.builder ? { builderName: context.settings.builder } : {}),
    secrets: context.settings.secrets,
    labels: context.labels,
    cache: cacheArgs(context.cache, labelOf(target), { write: side === 'head' }),
    // Each side as its own commit's config defines it.
    ...build,
    contexts
  }
  // A Dockerfile, context or ignore file that leaves the checkout through a symlink is not built.
  const refused = await refuseOutside(root, dockerfile, contextPath)
  if (refused) return failed(refused)
  context.signal?.throwIfAborted()
  context.janitor.image(request.tag)
  const outcome = await runLogged(
    context,
    job,
    request,
    `Build ${side}: ${dockerfile}${target.name ? ` (${target.name})` : ''}`
  )
  if (!outcome.ok) {
    const explained = side === 'head' ? withContextHint(target, outcome) : outcome
    log.warning(`The ${side} build of ${dockerfile} failed: ${explained.error}`)
    return { side, outcome: explained, measurement: null }
  }
  let layers: SavedArchive | undefined
  const measurement = await measureBuiltImage(context.docker, request, context.engine, {
    compressed: context.settings.compressedSize ?? false,
    log,
    ...(context.settings.explain?.paths !== false ? { keepLayers: (read: SavedArchive) => (layers = read) } : {})
  })
  log.info(`${side} ${dockerfile}: ${measurement.size} bytes in ${(outcome.durationMs / 1000).toFixed(2)} s`)
  return { side, outcome, measurement, ...(layers ? { layers } : {}) }
}

/** The build in the log: in a group of its own, or next to the other side's (see SideJob.deferLog). */
async function runLogged(
  context: SideContext,
  job: SideJob,
  request: BuildRequest,
  title: string
): Promise<BuildOutcome> {
  const { log } = context
  const run = (stream: boolean) =>
    buildImage(context.docker, job.side, request, {
      stream,
      signal: context.signal,
      timeoutMs: context.settings.buildTimeoutMs
    })
  if (!job.deferLog) return log.group(title, () => run(log.streamBuilds))
  // Not a group of its own while the other side's is open: groups do not nest in the job
  // log, and the command has one live line for the step that runs.
  if (!log.streamBuilds) log.info(`${title} …`)
  const outcome = await run(false)
  if (log.streamBuilds) {
    await job.deferLog.catch(() => undefined)
    await log.group(title, () => Promise.resolve(log.info(outcome.output?.trimEnd() || '(no output)')))
  }
  return outcome
}
