import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { BuildRequest, buildImage } from './build-command.js'
import { checkoutPaths } from './checkout.js'
import { CheckSettings } from '../inputs/inputs.js'
import { existsOn } from '../changes/discover.js'
import { Docker, EngineInfo } from '../tools/docker.js'
import { Git } from '../tools/git.js'
import { measureBuiltImage } from '../measure/measure-image.js'
import { interrupted, onInterrupt } from './interrupt.js'
import { limitConcurrency } from './concurrency.js'
import { MeasuredImage } from '../judge/judge.js'
import { assertSecretsSupported } from '../inputs/secrets.js'
import { BuildOutcome, ImageTarget, Revisions, Side } from '../shared/types.js'

/** Where the log of a run goes: the action groups it in the job log, the command prints progress. */
export interface Progress {
  group<T>(title: string, work: () => Promise<T>): Promise<T>
  info(message: string): void
  warning(message: string): void
  /** Whether builds stream their output into the log. */
  streamBuilds: boolean
  /** Told when both sides of an image are built and measured (or failed). */
  imageDone?(image: MeasuredImage): void
}

export interface BuildPlan {
  /** The repository the check runs in (the workspace). */
  repoDir: string
  /** A scratch folder for the worktrees, removed at the end. */
  tempRoot: string
  revisions: Revisions
  targets: ImageTarget[]
  settings: Pick<CheckSettings, 'headFrom' | 'keepImages' | 'compressedSize' | 'secrets' | 'parallel'>
  /** The engine's answer, awaited only after the checkouts have been asked for. */
  engine: Promise<EngineInfo>
}

/**
 * Builds every target at the head and at the base and measures each image. With BuildKit
 * the two sides of an image build side by side (the steps they share run once); with the
 * legacy builder the head goes first and the base reuses its layer cache. Each side is
 * built from a worktree that holds only what its builds read. Images are measured as soon
 * as they are built, and `measured` is filled as it goes, in the targets'
 * order, so a run that stops half-way still reports what it finished. Up to
 * `settings.parallel` images are built at once; an image whose Dockerfile and context are
 * the same on both sides is built once and that image stands for both.
 */
export async function buildAndMeasure(
  plan: BuildPlan,
  docker: Docker,
  git: Git,
  progress: Progress,
  measured: MeasuredImage[] = []
): Promise<MeasuredImage[]> {
  if (plan.targets.length === 0) return measured
  const runToken = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
  const scratch = await mkdtemp(join(plan.tempRoot, 'docker-size-check-'))
  // Every tag a build was started for, so that an interrupted build's image goes too.
  const builtTags: string[] = []
  const worktrees: string[] = []
  const parallel = plan.settings.parallel ?? 1
  const builtOnceOf = (target: ImageTarget) => target.identical === true && plan.settings.headFrom === 'worktree'
  // Whether a side of the image is built: it exists there, and is not the base of one built once.
  const buildsOn = (target: ImageTarget, side: Side) =>
    existsOn(target, side) && (side === 'head' || !builtOnceOf(target))
  // Builds that run side by side cannot share the log: their groups and streamed output
  // would interleave. They run quietly and each says in one line how it went; a failed
  // build's last lines still reach the report.
  const log: Progress =
    parallel > 1
      ? {
          ...progress,
          streamBuilds: false,
          group: (title, work) => {
            progress.info(`${title} …`)
            return work()
          }
        }
      : progress
  // The promise is kept, not its result, so two builds that start together share one worktree.
  const roots = new Map<Side, Promise<string>>()
  // Also run on SIGINT/SIGTERM, when `finally` would not run; it removes the image being built too.
  let cleaned: Promise<void> | undefined
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await Promise.all([
        (async () => {
          // Settled first: a checkout still running would be left behind.
          await Promise.allSettled(roots.values())
          await git.removeWorktrees(worktrees).catch(() => undefined)
          await rm(scratch, { recursive: true, force: true }).catch(() => undefined)
        })(),
        plan.settings.keepImages ? undefined : docker.removeImages(builtTags).catch(() => undefined)
      ])
    })())
  const forget = onInterrupt(cleanUp)
  try {
    const checkout = async (side: Side): Promise<string> => {
      if (side === 'head' && plan.settings.headFrom === 'workspace') return plan.repoDir
      if (interrupted()) throw new Error('The run was interrupted.')
      const path = join(scratch, side)
      const sha = side === 'head' ? plan.revisions.headSha : plan.revisions.baseSha
      const only = checkoutPaths(
        plan.targets.filter(target => buildsOn(target, side)),
        side
      )
      // Listed first: a checkout that fails half-way still leaves a worktree to remove.
      worktrees.push(path)
      await git.addWorktree(path, sha, only ?? undefined)
      progress.info(`Checked out the ${side} (${sha.slice(0, 12)}): ${only ? only.join(', ') : 'the whole tree'}`)
      return path
    }
    const rootOf = (side: Side): Promise<string> => {
      let root = roots.get(side)
      if (!root) roots.set(side, (root = checkout(side)))
      return root
    }
    // Both checkouts are asked for at once, head first: they are made one at a time (see Git),
    // and the head's is needed first where the sides build one after the other.
    for (const side of ['head', 'base'] as const) {
      if (plan.targets.some(target => buildsOn(target, side))) rootOf(side).catch(() => undefined)
    }
    // The checkouts are made while the engine answers.
    const engine = await plan.engine
    assertSecretsSupported(plan.settings.secrets, engine.builder)
    const offset = measured.length
    const started: MeasuredImage[] = []
    const record = (index: number, image: MeasuredImage) => {
      started[index] = image
      measured.splice(offset, measured.length - offset, ...started.filter(Boolean))
    }

    /**
     * Builds and measures one side of an image. `deferLog` is for a build that runs next to
     * the other side's, which has the log group: where builds stream into the log, this one's
     * output is kept and printed in a group of its own once `deferLog` has settled, so two
     * builds never interleave in one group.
     */
    const buildSide = async (
      target: ImageTarget,
      index: number,
      image: MeasuredImage,
      side: Side,
      deferLog?: Promise<unknown>
    ): Promise<void> => {
      const dockerfile = side === 'head' ? target.dockerfile : target.baseDockerfile
      const root = await rootOf(side)
      const request: BuildRequest = {
        dockerfile: join(root, dockerfile),
        context: join(root, side === 'head' ? target.context : target.baseContext),
        tag: `docker-size-check:${runToken}-${index}-${side}`,
        builder: engine.builder,
        secrets: plan.settings.secrets,
        ...target.build
      }
      if (interrupted()) throw new Error('The run was interrupted.')
      builtTags.push(request.tag)
      const title = `Build ${side}: ${dockerfile}${target.name ? ` (${target.name})` : ''}`
      let outcome: BuildOutcome
      if (deferLog) {
        // Not a group of its own while the other side's is open: groups do not nest in the
        // job log, and the command has one live line for the step that runs.
        if (!log.streamBuilds) log.info(`${title} …`)
        outcome = await buildImage(docker, side, request, { stream: false })
        if (log.streamBuilds) {
          await deferLog.catch(() => undefined)
          await log.group(title, async () => log.info(outcome.output?.trimEnd() || '(no output)'))
        }
      } else {
        outcome = await log.group(title, () => buildImage(docker, side, request, { stream: log.streamBuilds }))
      }
      if (!outcome.ok) {
        image.failedBuilds.push(outcome)
        log.warning(`The ${side} build of ${dockerfile} failed: ${outcome.error}`)
        return
      }
      image[side] = await measureBuiltImage(docker, request, engine, {
        compressed: plan.settings.compressedSize ?? false,
        warn: message => log.warning(message)
      })
      log.info(`${side} ${dockerfile}: ${image[side]?.size} bytes in ${(outcome.durationMs / 1000).toFixed(2)} s`)
    }

    // Set when a target stops the run (the engine is gone, an interrupt): no other target starts
    // after it, so the report lists only images that were really worked on.
    let stopped = false
    const buildTarget = async (target: ImageTarget, index: number): Promise<void> => {
      if (stopped) return
      const image: MeasuredImage = { target, base: null, head: null, failedBuilds: [] }
      record(index, image)
      const builtOnce = builtOnceOf(target)
      const sides = (['head', 'base'] as const).filter(side => buildsOn(target, side))
      if (sides.length === 2 && engine.builder === 'buildx') {
        // BuildKit runs a step that two running builds share only once, and both get its
        // layer: built side by side, the base still reuses all the head has in common with
        // it, and the run waits for one build instead of two.
        const head = buildSide(target, index, image, 'head')
        const base = buildSide(target, index, image, 'base', head)
        const settled = await Promise.allSettled([head, base])
        const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected')
        if (failed) throw failed.reason
      } else {
        // The legacy builder shares nothing between running builds: the base waits for the
        // head, and then finds the steps they have in common in the cache.
        for (const side of sides) await buildSide(target, index, image, side)
      }
      if (builtOnce) {
        image.base = image.head
        if (image.head) {
          log.info(`base ${target.baseDockerfile}: the same Dockerfile and build context as the head, not rebuilt`)
        }
      }
      progress.imageDone?.(image)
    }

    const limit = limitConcurrency(parallel)
    const results = await Promise.allSettled(
      plan.targets.map((target, index) =>
        limit(() =>
          buildTarget(target, index).catch((error: unknown) => {
            stopped = true
            throw error
          })
        )
      )
    )
    const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected')
    if (failed) throw failed.reason
    return measured
  } finally {
    forget()
    await cleanUp()
  }
}
