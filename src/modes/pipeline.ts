import { changedFilesFromGit, resolveRevisions } from '../revisions/base-commit.js'
import { BuildPlan, buildAndMeasure, Progress } from '../scheduler/schedule.js'
import { CheckSettings, DEFAULT_RECORDS_DEPTH } from '../inputs/inputs.js'
import { discoverInRepository, loadImageList } from '../discover/from-repository.js'
import { RegistryClient } from '../registry/client.js'
import { CredentialSource, dockerCredentials } from '../registry/credentials.js'
import { measureReferences } from '../measure/references.js'
import { log } from '../tools/log.js'
import { Docker } from '../tools/docker.js'
import { Git } from '../tools/git.js'
import { planRecordedBases } from '../records/baseline.js'
import { recordedReferenceBases } from '../records/references.js'
import { DEFAULT_RECORDS_REF } from '../inputs/records-ref.js'
import { describeShard, selectShard } from '../inputs/shard.js'
import { countOf } from '../shared/sizes.js'
import { ChangedFile, labelOf, Revisions, RunState } from '../shared/types.js'

export function newRunState(): RunState {
  return { revisions: { baseSha: '', headSha: '' }, engine: null, measured: [], error: null }
}

export interface PipelineEnvironment {
  /** The repository to check (the workspace, or the user's clone). */
  repoDir: string
  /** Where worktrees go; removed afterwards. */
  tempRoot: string
  /** Branch, tag or commit whose merge-base with HEAD is the baseline. */
  baseRef: string
  progress: Progress
  /**
   * The changed files from elsewhere than git (the PR's files from the API); null when
   * that source has nothing to say, and then `git diff` between the revisions is used.
   */
  listChangedFiles?: (revisions: Revisions) => Promise<ChangedFile[] | null>
  /** Overrides how the two commits are found (the command compares the working tree). */
  resolveRevisions?: (git: Git) => Promise<Revisions>
  docker?: Docker
  /** The remote to fetch baseline records from; null or absent reads the repository's own. */
  recordsRemote?: string | null
  /** The run's cancellation (a signal): builds are stopped and no other step starts. */
  signal?: AbortSignal
  /** Where registry credentials come from (absent: docker's config, as the environment names it). */
  registryCredentials?: CredentialSource
}

/**
 * The steps every run shares, the action's and the command's alike: changes, discover,
 * build, measure. Compare, report and publish are up to the caller, which reads `state`
 * whether or not this finished.
 */
export async function runPipeline(settings: CheckSettings, env: PipelineEnvironment, state: RunState): Promise<void> {
  const docker = env.docker ?? new Docker()
  const git = new Git(env.repoDir)
  const { progress } = env

  // Asked now and awaited only when there is an image to build: it answers while git works.
  const engine = docker.engineInfo()
  engine.catch(() => undefined)
  state.revisions = await progress.group('Changes', () =>
    env.resolveRevisions ? env.resolveRevisions(git) : resolveRevisions(git, { baseRef: env.baseRef })
  )
  env.signal?.throwIfAborted()
  const changed = (await env.listChangedFiles?.(state.revisions)) ?? (await changedFilesFromGit(git, state.revisions))
  const affected = await discoverInRepository(git, state.revisions, changed, settings, env.repoDir, {
    tempRoot: env.tempRoot,
    info: message => progress.info(message),
    warn: message => progress.warning(message)
  })
  env.signal?.throwIfAborted()
  // The config's image entries: always checked (whatever the PR changed), read in their
  // registry, built by nobody. A shard leaves them to the first shard.
  const imagesFrom = settings.imagesFrom ?? 'auto'
  const references =
    settings.images ||
    (imagesFrom !== 'auto' && imagesFrom !== 'config') ||
    (settings.shard && settings.shard.index !== 1)
      ? []
      : ((await loadImageList(settings, env.repoDir))?.references ?? [])
  if (references.length) {
    await progress.group('Registry images', async () => {
      const client = new RegistryClient({
        credentials: env.registryCredentials ?? dockerCredentials(),
        debug: message => log.debug(message),
        ...(env.signal ? { signal: env.signal } : {})
      })
      // An entry without base-image takes its base from the default branch's record of it.
      const knownBase = recordedReferenceBases({
        repoDir: env.repoDir,
        recordsRef: settings.recordsRef ?? DEFAULT_RECORDS_REF,
        remote: env.recordsRemote ?? null,
        git,
        baseSha: state.revisions.baseSha,
        depth: settings.recordsDepth ?? DEFAULT_RECORDS_DEPTH,
        log: message => progress.info(message),
        warn: message => progress.warning(message)
      })
      const run = { client, info: (message: string) => progress.info(message), knownBase }
      state.measured.push(...(await measureReferences(references, run)))
    })
  }
  const targets = selectShard(affected, settings.shard)
  const shardNote = settings.shard ? ` (shard ${describeShard(settings.shard)} of ${affected.length} affected)` : ''
  progress.info(
    `${countOf(changed.length, 'changed file')}; ${countOf(targets.length, 'image')} to check${shardNote}${targets.length ? ':' : '.'}`
  )
  for (const target of targets) progress.info(`  ${labelOf(target)} (${target.reason})`)
  if (targets.length === 0) return

  const engineKnown = engine.then(info => {
    state.engine = info
    progress.info(
      `Docker ${info.serverVersion} (API ${info.apiVersion}, ${info.storageDriver}), builder: ${info.builder}`
    )
    return info
  })
  // Awaited by buildAndMeasure once it has asked for the checkouts; until then a refusal
  // must not count as unhandled.
  engineKnown.catch(() => undefined)
  const recordedBases = await planRecordedBases(targets, {
    settings,
    repoDir: env.repoDir,
    remote: env.recordsRemote ?? null,
    git,
    docker,
    engine: engineKnown,
    baseSha: state.revisions.baseSha,
    log: message => progress.info(message),
    warn: message => progress.warning(message)
  })
  const plan: BuildPlan = {
    repoDir: env.repoDir,
    tempRoot: env.tempRoot,
    revisions: state.revisions,
    targets,
    settings,
    engine: engineKnown,
    recordedBases,
    signal: env.signal
  }
  await buildAndMeasure(plan, docker, git, progress, state.measured)
}
