import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { BuildRequest, buildImage } from './build.js'
import { CheckSettings } from './config.js'
import { existsOn } from './discover.js'
import { Docker, EngineInfo } from './docker.js'
import { Git } from './git.js'
import { alignSizeBasis, describeLayers } from './explain/collect.js'
import { interrupted, onInterrupt } from './interrupt.js'
import { measureImage } from './measure.js'
import { MeasuredImage } from './compare.js'
import { assertSecretsSupported } from './secrets.js'
import { ImageTarget, Revisions, Side } from './types.js'

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
  settings: Pick<CheckSettings, 'headFrom' | 'keepImages' | 'compressedSize' | 'secrets'>
  engine: EngineInfo
}

/**
 * Builds every target at the head and at the base and measures each image.
 * Head first, then base, so the base build reuses the head's layer cache. Images are
 * measured as soon as they are built, and `measured` is filled as it goes, so a run that
 * stops half-way still reports what it finished.
 */
export async function buildAndMeasure(
  plan: BuildPlan,
  docker: Docker,
  git: Git,
  progress: Progress,
  measured: MeasuredImage[] = []
): Promise<MeasuredImage[]> {
  if (plan.targets.length === 0) return measured
  assertSecretsSupported(plan.settings.secrets, plan.engine.builder)
  const runToken = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
  const scratch = await mkdtemp(join(plan.tempRoot, 'docker-size-check-'))
  // Every tag a build was started for, so that an interrupted build's image goes too.
  const builtTags: string[] = []
  const worktrees: string[] = []
  // Also run on SIGINT/SIGTERM, when `finally` would not run; it removes the image being built too.
  let cleaned: Promise<void> | undefined
  const cleanUp = () =>
    (cleaned ??= (async () => {
      for (const path of worktrees) await git.removeWorktree(path).catch(() => undefined)
      await rm(scratch, { recursive: true, force: true }).catch(() => undefined)
      if (!plan.settings.keepImages) await docker.removeImages(builtTags).catch(() => undefined)
    })())
  const forget = onInterrupt(cleanUp)
  try {
    const checkout = async (side: Side): Promise<string> => {
      if (side === 'head' && plan.settings.headFrom === 'workspace') return plan.repoDir
      const path = join(scratch, side)
      const sha = side === 'head' ? plan.revisions.headSha : plan.revisions.baseSha
      await git.addWorktree(path, sha)
      worktrees.push(path)
      return path
    }
    const roots: Partial<Record<Side, string>> = {}
    const rootOf = async (side: Side) => (roots[side] ??= await checkout(side))

    for (const [index, target] of plan.targets.entries()) {
      const image: MeasuredImage = { target, base: null, head: null, failedBuilds: [] }
      measured.push(image)
      for (const side of ['head', 'base'] as const) {
        if (!existsOn(target, side)) continue
        if (interrupted()) throw new Error('The run was interrupted.')
        const root = await rootOf(side)
        const dockerfile = side === 'head' ? target.dockerfile : target.baseDockerfile
        const request: BuildRequest = {
          dockerfile: join(root, dockerfile),
          context: join(root, side === 'head' ? target.context : target.baseContext),
          tag: `docker-size-check:${runToken}-${index}-${side}`,
          builder: plan.engine.builder,
          secrets: plan.settings.secrets
        }
        if (interrupted()) throw new Error('The run was interrupted.')
        builtTags.push(request.tag)
        const outcome = await progress.group(`Build ${side}: ${dockerfile}`, () =>
          buildImage(docker, side, request, { stream: progress.streamBuilds })
        )
        if (!outcome.ok) {
          image.failedBuilds.push(outcome)
          progress.warning(`The ${side} build of ${dockerfile} failed: ${outcome.error}`)
          continue
        }
        image[side] = {
          ...(await measureImage(docker, request.tag)),
          ...(await describeLayers(docker, request, {
            compressed: plan.settings.compressedSize ?? false,
            warn: message => progress.warning(message)
          }))
        }
        progress.info(
          `${side} ${dockerfile}: ${image[side]?.size} bytes in ${(outcome.durationMs / 1000).toFixed(1)} s`
        )
      }
      alignSizeBasis([image.base, image.head], plan.engine)
      progress.imageDone?.(image)
    }
    return measured
  } finally {
    forget()
    await cleanUp()
  }
}
