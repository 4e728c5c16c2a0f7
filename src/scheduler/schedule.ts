import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { checkoutPaths } from './checkout.js'
import { CheckSettings } from '../inputs/inputs.js'
import { dependenciesOf, existsOn } from '../discover/discover.js'
import { Docker } from '../tools/docker.js'
import { Git } from '../tools/git.js'
import { limitConcurrency } from './concurrency.js'
import { assertBuilderSupported, assertSecretsSupported } from '../inputs/secrets.js'
import { EngineInfo, ImageTarget, MeasuredImage, Revisions, Side } from '../shared/types.js'
import { cacheExportSupported, CacheSettings } from './layer-cache.js'
import { buildSide, SideContext, SideDocker } from './build-side.js'
import { Janitor } from './janitor.js'
import { leftoversLine, removeLeftFolders, removeLeftImages, removeLeftLeases } from './leftovers.js'
import { abandonedBy, Lease, LeaseDocker, readLeases } from './lease.js'
import { Progress, progressFor } from './progress.js'
import { Recorder, recordSide } from './recorder.js'
import { newRunIdentity, runLabels, runToken, scratchFolderName } from './run-identity.js'
import { Strategy, strategyFor } from './strategies.js'
import { WorktreePool } from './worktree-pool.js'
import { PathExplainer } from './path-explainer.js'
import type { RecordedBase } from '../records/baseline.js'
import type { SavedArchive } from '../tools/save-pair.js'

export type { Progress } from './progress.js'

export interface BuildPlan {
  /** The repository the check runs in (the workspace). */
  repoDir: string
  /** Where the run's scratch folder goes (RUNNER_TEMP, the command's temp folder); removed at the end. */
  tempRoot: string
  revisions: Revisions
  targets: ImageTarget[]
  settings: Pick<
    CheckSettings,
    | 'headFrom'
    | 'keepImages'
    | 'compressedSize'
    | 'secrets'
    | 'parallel'
    | 'buildTimeoutMs'
    | 'cacheFrom'
    | 'cacheTo'
    | 'explain'
    | 'builder'
  >
  /** The engine's answer, awaited only after the checkouts have been asked for. */
  engine: Promise<EngineInfo>
  /**
   * Images whose base is not built in this run: a baseline record's measurement stands for
   * it, or the reason no record could (with `baseline: record`, which never builds the base).
   */
  recordedBases?: Map<ImageTarget, RecordedBase | { missing: string }>
  /** mode: record: each built image's layers are summed by folder for its record (explain: paths). */
  recordLayers?: boolean
  /** The run's cancellation (SIGINT, SIGTERM): running builds are stopped, no other starts. */
  signal?: AbortSignal
}

/** The Docker and Git the scheduler uses: the real ones, or a test's fakes. */
export type SchedulerDocker = SideDocker &
  Pick<Docker, 'removeImages' | 'imagesLabelled' | 'buildxInspect'> &
  LeaseDocker
export type SchedulerGit = Pick<Git, 'addWorktree' | 'removeWorktree' | 'exec'>

const SIDES = ['head', 'base'] as const

/**
 * Builds every target at the head and at the base and measures each image. With BuildKit
 * the two sides of an image build side by side (the steps they share run once); with the
 * legacy builder the head goes first and the base reuses its layer cache. Each side is
 * built from a worktree that holds only what its builds read. Images are measured as soon
 * as they are built, and `measured` is filled as it goes, in the targets' order, so a run
 * that stops half-way still reports what it finished. Up to `settings.parallel` images are
 * built at once; an image whose Dockerfile and context are the same on both sides is built
 * once and that image stands for both. What the run made is removed at the end, whatever
 * happened, and so is what an earlier run that was killed left in the same temp root.
 */
export async function buildAndMeasure(
  plan: BuildPlan,
  docker: SchedulerDocker,
  git: SchedulerGit,
  progress: Progress,
  measured: MeasuredImage[] = []
): Promise<MeasuredImage[]> {
  if (plan.targets.length === 0) return measured
  plan.signal?.throwIfAborted()
  const run = newRunIdentity(plan.tempRoot)
  const janitor = new Janitor(docker, git, { keepImages: plan.settings.keepImages })
  const scratch = join(plan.tempRoot, scratchFolderName(run))
  janitor.folder(scratch)
  const pool = new WorktreePool({
    git,
    janitor,
    scratch,
    revisions: plan.revisions,
    workspace: plan.settings.headFrom === 'workspace' ? plan.repoDir : null,
    workingTree: plan.settings.headFrom === 'working-tree' ? plan.repoDir : null,
    pathsFor: side =>
      checkoutPaths(
        plan.targets.filter(target => buildsOn(plan, target, side)),
        side
      ),
    signal: plan.signal,
    log: progress
  })
  let leftovers: Promise<void> = Promise.resolve()
  // Before the run makes anything: no other run may see a folder or an image of it unleased.
  const lease = await Lease.take(docker, run)
  try {
    const book = await readLeases(docker, lease)
    const abandoned = abandonedBy(book)
    const folders = await removeLeftFolders(plan.tempRoot, abandoned, progress)
    leftovers = removeLeftImages(docker, plan.tempRoot, abandoned).then(async images => {
      await removeLeftLeases(docker, plan.tempRoot, book, abandoned)
      const line = leftoversLine(plan.tempRoot, images, folders)
      if (line) progress.info(line)
    })
    await mkdir(scratch, { recursive: true })
    // Both checkouts are asked for at once, head first: they are made one at a time (see Git),
    // and the head's is needed first where the sides build one after the other. The engine
    // answers meanwhile.
    for (const side of SIDES) if (plan.targets.some(target => buildsOn(plan, target, side))) void pool.rootOf(side)
    const engine = await plan.engine
    assertSecretsSupported(plan.settings.secrets, engine.builder)
    assertBuilderSupported(plan.settings.builder, engine.builder)
    const context: SideContext = {
      docker,
      pool,
      janitor,
      engine,
      settings: plan.settings,
      labels: runLabels(run, plan.settings),
      cache: await usableCache(plan.settings, engine, docker, progress),
      log: progressFor(progress, plan.settings.parallel ?? 1),
      signal: plan.signal
    }
    await buildTargets(plan, context, new Recorder(measured), runToken(run))
    return measured
  } finally {
    await pool.settled()
    await Promise.all([janitor.cleanUp(), leftovers])
    await lease.release()
  }
}

/**
 * Every target, up to `parallel` at once. A target that throws (the engine is gone, the run
 * was stopped) lets no other target start, so the report lists only images really worked on.
 */
async function buildTargets(plan: BuildPlan, context: SideContext, recorder: Recorder, token: string): Promise<void> {
  const stopped = new AbortController()
  const limit = limitConcurrency(plan.settings.parallel ?? 1)
  const strategy = strategyFor(context.engine.builder)
  const paths = new PathExplainer(context.docker, context.log, context.engine)
  const built = new BuiltImages(plan.targets)
  // Asked for in an order where an image comes after those it is built on: the pool starts
  // tasks in the order asked, so a build that waits for another never holds up that one.
  const results = await Promise.allSettled(
    dependencyOrder(plan.targets).map(index => {
      const target = plan.targets[index] as ImageTarget
      return limit(async () => {
        try {
          if (stopped.signal.aborted || plan.signal?.aborted) return
          await buildTarget(
            plan,
            context,
            { strategy, paths, built },
            recorder.start(index, target),
            `${token}-${index}`
          )
        } catch (error) {
          stopped.abort()
          throw error
        } finally {
          built.settle(target, null)
        }
      })
    })
  )
  // Before the images go: the breakdowns read them.
  await paths.finish()
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (failed) throw failed.reason
  // Stopped between two images: the run did not finish, though no build was under way.
  plan.signal?.throwIfAborted()
}

/** Both sides of one image (or the one side it has, or one build for both), then its sizes compared on one basis. */
async function buildTarget(
  plan: BuildPlan,
  context: SideContext,
  steps: { strategy: Strategy; paths: PathExplainer; built: BuiltImages },
  image: MeasuredImage,
  tagPrefix: string
): Promise<void> {
  const { target } = image
  const sides = SIDES.filter(side => buildsOn(plan, target, side))
  const tagOf = (side: Side) => `docker-size-check:${tagPrefix}-${side}`
  // Each side's layers as its measurement read them, where it did (see SideResult.layers).
  const saved: { base?: SavedArchive; head?: SavedArchive } = {}
  await steps.strategy(sides, async (side, deferLog) => {
    const images = await steps.built.tagsFor(target, side)
    const result = await buildSide(context, { target, side, tag: tagOf(side), deferLog, images })
    recordSide(image, result)
    if (result.layers) saved[side] = result.layers
    steps.built.settle(target, result.outcome.ok ? tagOf(side) : null, side)
    // Built once for both sides: the head's image is the base's too.
    if (side === 'head' && !sides.includes('base')) steps.built.settle(target, result.outcome.ok ? tagOf(side) : null)
    return result
  })
  if (builtOnceOf(plan, target)) {
    image.base = image.head
    if (image.head) {
      context.log.info(`base ${target.baseDockerfile}: the same Dockerfile and build context as the head, not rebuilt`)
    }
  }
  const recorded = plan.recordedBases?.get(target)
  if (recorded && 'missing' in recorded) {
    image.failedBuilds.push({ side: 'base', ok: false, error: recorded.missing, durationMs: 0 })
  } else if (recorded) {
    image.base = { ...recorded.measurement }
  }
  if (plan.settings.explain?.paths !== false) {
    if (plan.recordLayers) steps.paths.record(image, tagOf('head'), saved.head)
    else {
      // The base built here, or its layers as recorded; none for a base recorded without them,
      // and none for one built once, which has nothing to compare.
      const base = recorded ? ('missing' in recorded ? null : (recorded.layers ?? null)) : tagOf('base')
      if (base && !builtOnceOf(plan, target)) steps.paths.explain(image, { base, head: tagOf('head') }, saved)
    }
  }
  // Without `instructions`, the per-instruction sizes are not reported (the paths have taken theirs).
  if (plan.settings.explain?.instructions === false) {
    for (const side of [image.base, image.head]) if (side) delete side.instructions
  }
  context.log.imageDone?.(image)
}

/**
 * The tag each image of the run got at each side, for the images built on it (a named
 * context `target:<name>`): a promise per image and side, settled when its build ends
 * (null when it failed or was never built there).
 */
class BuiltImages {
  private readonly sides = new Map<
    ImageTarget,
    Record<Side, { promise: Promise<string | null>; settle(tag: string | null): void }>
  >()
  private readonly byName = new Map<string, ImageTarget>()

  constructor(targets: ImageTarget[]) {
    for (const target of targets) {
      if (target.name !== undefined) this.byName.set(target.name, target)
      const one = () => {
        let settle: (tag: string | null) => void = () => undefined
        const promise = new Promise<string | null>(resolve => (settle = resolve))
        return { promise, settle }
      }
      this.sides.set(target, { head: one(), base: one() })
    }
  }

  /** A side's tag (both sides' where `side` is absent); the first settling wins. */
  settle(target: ImageTarget, tag: string | null, side?: Side): void {
    const entry = this.sides.get(target)
    if (!entry) return
    for (const one of side ? [side] : SIDES) entry[one].settle(tag)
  }

  /** The tags of the images `target` is built on at `side`, by name: a string, or why there is none. */
  async tagsFor(target: ImageTarget, side: Side): Promise<Record<string, { tag: string } | { missing: string }>> {
    const tags: Record<string, { tag: string } | { missing: string }> = {}
    for (const name of dependenciesOf(target, side)) {
      const dependency = this.byName.get(name)
      const entry = dependency && this.sides.get(dependency)
      if (!entry) {
        tags[name] = { missing: `the image '${name}' it is built on (target:${name}) is not among the images built` }
        continue
      }
      const tag = await entry[side].promise
      tags[name] = tag ? { tag } : { missing: `the image '${name}' it is built on did not build at the ${side}` }
    }
    return tags
  }
}

/**
 * The targets' indices with each image after those it is built on (named contexts
 * `target:<name>`), otherwise in their order. A cycle is an error that names it.
 */
export function dependencyOrder(targets: ImageTarget[]): number[] {
  const byName = new Map(targets.map((target, index) => [target.name ?? '', index]))
  const order: number[] = []
  const state = new Map<number, 'visiting' | 'done'>()
  const visit = (index: number, path: string[]) => {
    if (state.get(index) === 'done') return
    const target = targets[index] as ImageTarget
    const name = target.name ?? target.dockerfile
    if (state.get(index) === 'visiting') {
      throw new Error(
        `The images are built on each other in a cycle: ${[...path.slice(path.indexOf(name)), name].join(' -> ')} ` +
          '(named contexts target:…). Break the cycle in the compose or bake file.'
      )
    }
    state.set(index, 'visiting')
    for (const side of SIDES) {
      for (const dependency of dependenciesOf(target, side)) {
        const other = byName.get(dependency)
        if (other !== undefined) visit(other, [...path, name])
      }
    }
    state.set(index, 'done')
    order.push(index)
  }
  targets.forEach((_, index) => visit(index, []))
  return order
}

function builtOnceOf(plan: BuildPlan, target: ImageTarget): boolean {
  return target.identical === true && plan.settings.headFrom === 'worktree'
}

/** Whether a side of the image is built: it exists there, and is not the base of one built once. */
function buildsOn(plan: BuildPlan, target: ImageTarget, side: Side): boolean {
  return existsOn(target, side) && (side === 'head' || (!builtOnceOf(plan, target) && !plan.recordedBases?.has(target)))
}

/** The caches a run's builds use: `cache-to` is dropped, said once, where the builder cannot export one. */
async function usableCache(
  settings: BuildPlan['settings'],
  engine: EngineInfo,
  docker: Pick<Docker, 'buildxInspect'>,
  progress: Progress
): Promise<CacheSettings> {
  const cache = { cacheFrom: settings.cacheFrom ?? [], cacheTo: settings.cacheTo ?? [] }
  if (engine.builder !== 'buildx') {
    if (cache.cacheFrom.length || cache.cacheTo.length) {
      progress.warning('cache-from and cache-to need BuildKit (docker buildx); the legacy builder builds without them.')
    }
    return { cacheFrom: [], cacheTo: [] }
  }
  if (cache.cacheTo.length && !cacheExportSupported(await docker.buildxInspect(settings.builder), engine.imageStore)) {
    progress.warning(
      'cache-to is not written: the docker driver of buildx exports caches only on the containerd image store. ' +
        'Use a docker-container builder (docker/setup-buildx-action) or turn on the containerd image store.'
    )
    return { cacheFrom: cache.cacheFrom, cacheTo: [] }
  }
  return cache
}
