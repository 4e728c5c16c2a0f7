import { readSide } from '../discover/from-repository.js'
import { sourceFingerprint } from '../discover/discover.js'
import { CheckSettings, DEFAULT_RECORDS_DEPTH } from '../inputs/inputs.js'
import { EngineUnavailableError, errorMessage } from '../shared/errors.js'
import { Logger } from '../shared/logger.js'
import { Docker } from '../tools/docker.js'
import { Git, objectIdOf } from '../tools/git.js'
import { EngineInfo, ImageMeasurement, ImageTarget, labelOf, RecordedLayer, SideTree } from '../shared/types.js'
import { sizeMethodOf } from '../measure/measure-image.js'
import { BuildSettings, fingerprintImage, fingerprintMismatch, ImageResolver } from './fingerprint.js'
import type { Fingerprint, RecordedImage, RecordIndex } from './schema.js'
import { RecordStore, RecordTrustError } from './store.js'
import { RECORDS_PUBLIC_KEY_PATH, RecordsVerifier } from './signature.js'
import { describeRecordedBaseline } from './describe.js'
import { FIELD_LIMITS } from '../shared/fields.js'

/** A record that stands for the base build of one image. */
interface RecordedBaseline {
  /** The commit the record was made at. */
  commit: string
  /** How many first-parent commits it lies behind the merge-base (0: the merge-base's own). */
  behind: number
  measurement: ImageMeasurement
  /** Its layers summed by folder, for the path breakdown; absent in records made without it. */
  layers?: RecordedLayer[]
}

/** What stands for a base build in a run. */
export type RecordedBase = Pick<RecordedBaseline, 'measurement' | 'layers'>

/** `refused`: a record was there and did not verify, which the run says as a warning. */
type BaselineDecision = { record: RecordedBaseline } | { build: string; refused?: boolean }

interface BaselineLookup {
  store: RecordStore
  git: Git
  docker: Docker
  engine: EngineInfo
  /** The merge-base. */
  baseSha: string
  baseTree: SideTree
  /** The ids of the secrets the base build would be given. */
  secretIds: string[]
  depth: number
  /** Fetches more of the base branch's history, where the clone is shallow; absent: use what is here. */
  deepen?: (commits: number) => Promise<void>
}

/**
 * For each image with a base, the record that stands for its base build, or why it must be
 * built: the merge-base's record, else the newest one on the base branch's first-parent
 * history within `depth` commits whose fingerprint is what the base build's would be.
 */
async function decideBaselines(
  targets: ImageTarget[],
  lookup: BaselineLookup
): Promise<Map<ImageTarget, BaselineDecision>> {
  const decisions = new Map<ImageTarget, BaselineDecision>()
  const withBase = targets.filter(target => target.change !== 'added')
  if (withBase.length === 0) return decisions
  const index = await lookup.store.readIndex()
  const recorded = new Set(index.records.map(entry => entry.commit))
  let walk = await firstParentHistory(lookup.git, lookup.baseSha, lookup.depth)
  // actions/checkout fetches one commit: the merge-base is there, the commits behind it are not.
  if (!recorded.has(walk[0] ?? '') && walk.length < lookup.depth && lookup.deepen && (await lookup.git.isShallow())) {
    await lookup.deepen(lookup.depth - walk.length)
    walk = await firstParentHistory(lookup.git, lookup.baseSha, lookup.depth)
  }
  const history = walk.filter(sha => recorded.has(sha))
  if (history.length === 0) {
    for (const target of withBase) decisions.set(target, { build: 'no record within the base branch’s history' })
    return decisions
  }
  const resolve = imageResolver(lookup.docker)
  const dockerfiles = await lookup.git.readBlobs(
    withBase.flatMap(target => {
      const entry = lookup.baseTree.files.get(target.baseDockerfile)
      return entry ? [objectIdOf(entry)] : []
    })
  )
  const records = new Map<string, RecordedImage[]>()
  for (const target of withBase) {
    const entry = lookup.baseTree.files.get(target.baseDockerfile)
    const text = entry ? dockerfiles.get(objectIdOf(entry)) : undefined
    const source = sourceFingerprint(lookup.baseTree, target.baseDockerfile, target.baseContext)
    if (text === undefined || source === null) {
      decisions.set(target, { build: 'the base has no such Dockerfile to compare with a record' })
      continue
    }
    const expected = await fingerprintImage({
      source,
      dockerfileText: text,
      build: baseBuildSettings(target),
      measure: sizeMethodOf(lookup.engine),
      resolveImage: resolve,
      secretIds: lookup.secretIds,
      enginePlatform: lookup.engine.platform ?? 'unknown/unknown'
    })
    if ('unresolved' in expected) {
      decisions.set(target, { build: expected.unresolved })
      continue
    }
    decisions.set(target, await matchRecord(target, expected.fingerprint, history, lookup, records))
  }
  return decisions
}

async function matchRecord(
  target: ImageTarget,
  expected: Fingerprint,
  history: string[],
  lookup: BaselineLookup,
  cache: Map<string, RecordedImage[]>
): Promise<BaselineDecision> {
  let nearestMismatch: string | null = null
  const refusals: string[] = []
  const tip = await lookup.store.tip()
  for (const commit of history) {
    let images = cache.get(commit)
    if (!images) {
      try {
        images = (await lookup.store.readRecord(commit, tip))?.images ?? []
      } catch (error) {
        // A forged or damaged record stands for nothing; an older one may still match.
        if (!(error instanceof RecordTrustError)) throw error
        refusals.push(`the record of ${commit.slice(0, 7)} does not count: ${errorMessage(error).replace(/\.$/, '')}`)
        images = []
      }
      cache.set(commit, images)
    }
    const image = images.find(candidate => candidate.key === labelOf({ ...target, dockerfile: target.baseDockerfile }))
    if (!image) continue
    const mismatch = fingerprintMismatch(image.fingerprint, expected)
    if (mismatch === null) {
      const behind = await distance(lookup.git, commit, lookup.baseSha)
      const layers = await recordedLayersOf(image, lookup.store)
      return { record: { commit, behind, measurement: image.measurement, ...(layers ? { layers } : {}) } }
    }
    nearestMismatch ??= `the record of ${commit.slice(0, 7)} does not match: ${mismatch}`
  }
  const [refused] = refusals
  if (refused !== undefined) return { build: refused, refused: true }
  return { build: nearestMismatch ?? 'no record of this image within the base branch’s history' }
}

/**
 * The recorded image's layers for the path breakdown, kept in the store apart from the
 * record. Without them (a store damaged by hand) only the breakdown is left out, not the base.
 */
async function recordedLayersOf(image: RecordedImage, store: RecordStore): Promise<RecordedLayer[] | null> {
  if (!image.paths) return null
  if ('layers' in image.paths) return image.paths.layers
  try {
    return (await store.readPaths(image.paths.blob))?.layers ?? null
  } catch {
    return null
  }
}

/** The base side's build settings: what the base commit's configuration gives it. */
function baseBuildSettings(target: ImageTarget): BuildSettings | undefined {
  return target.baseBuild ?? target.build
}

/**
 * An image reference as the engine knows it, else as a registry serves it. The two are
 * different ids for the same image, so a record made with one and a run that finds the
 * other do not match: the base is then built, which costs time and is never wrong.
 */
export function imageResolver(docker: Docker): ImageResolver {
  const known = new Map<string, Promise<string | null>>()
  return reference => {
    let id = known.get(reference)
    if (!id) {
      id = docker.localImageId(reference).then(local => local ?? docker.registryDigest(reference))
      known.set(reference, id)
    }
    return id
  }
}

export async function firstParentHistory(git: Git, sha: string, depth: number): Promise<string[]> {
  // A shallow clone holds only part of the history: what is there is searched.
  const result = await git.tryExec(['rev-list', '--first-parent', `--max-count=${depth}`, sha])
  return result.exitCode === 0 ? result.stdout.split('\n').filter(line => /^[0-9a-f]{40,64}$/.test(line)) : [sha]
}

export async function distance(git: Git, from: string, to: string): Promise<number> {
  if (from === to) return 0
  const result = await git.tryExec(['rev-list', '--first-parent', '--count', `${from}..${to}`])
  const count = Number(result.stdout.trim())
  return result.exitCode === 0 && Number.isFinite(count) ? count : 0
}

export interface RecordedBasesPlan {
  settings: Pick<CheckSettings, 'baseline' | 'recordsRef' | 'recordsDepth' | 'secrets'>
  repoDir: string
  /** The remote to fetch the records from first; null reads what the repository has (the command). */
  remote: string | null
  git: Git
  docker: Docker
  /** Awaited only where there is a record to read. */
  engine: Promise<EngineInfo>
  baseSha: string
  log: Logger
}

/**
 * Which images' bases come from records in this run, each said in one line of the log; the
 * rest are built as always. A store that cannot be read is a warning, never a failure: the
 * bases are then built.
 */
export async function planRecordedBases(
  targets: ImageTarget[],
  plan: RecordedBasesPlan
): Promise<Map<ImageTarget, RecordedBase | { missing: string }>> {
  const planned = new Map<ImageTarget, RecordedBase | { missing: string }>()
  const mode = plan.settings.baseline ?? 'auto'
  // With baseline: build no base comes from a record; the records still give the trend.
  const candidates = mode === 'build' ? [] : targets.filter(target => target.change !== 'added' && !target.identical)
  if (targets.length === 0) return planned
  // With baseline: record, an image no record stands for has no baseline (and is not built).
  const noBaseline = (why: string) => {
    if (mode === 'record') for (const target of candidates) planned.set(target, { missing: why })
  }
  let decisions: Map<ImageTarget, BaselineDecision> | null
  try {
    decisions = await readAndDecide(targets, candidates, plan)
  } catch (error) {
    // No engine is the run's error, said once where the builds start.
    if (error instanceof EngineUnavailableError) return planned
    plan.log.warning(`Could not read the baseline records (${errorMessage(error)}); the bases are built.`)
    noBaseline('the records could not be read')
    return planned
  }
  if (decisions === null) {
    if (candidates.length) plan.log.info('No baseline records in this repository: the bases are built.')
    noBaseline('No baseline record stands for the base (baseline: record): the repository has no records.')
    return planned
  }
  for (const [target, decision] of decisions) {
    if ('record' in decision) {
      target.baseline = { source: 'record', commit: decision.record.commit, behind: decision.record.behind }
      const { measurement, layers } = decision.record
      planned.set(target, layers ? { measurement, layers } : { measurement })
      plan.log.info(`${labelOf(target)}: ${describeRecordedBaseline(decision.record)}; only the head is built.`)
    } else if (decision.refused) {
      plan.log.warning(
        `${labelOf(target)}: ${decision.build}; ${mode === 'record' ? 'it has no baseline' : 'the base is built'}.`
      )
      if (mode === 'record')
        planned.set(target, { missing: `No baseline record stands for the base: ${decision.build}.` })
    } else if (mode === 'record') {
      planned.set(target, { missing: `No baseline record stands for the base (baseline: record): ${decision.build}.` })
      plan.log.info(
        `${labelOf(target)}: no record stands for the base (${decision.build}); baseline: record builds none.`
      )
    } else {
      plan.log.info(`${labelOf(target)}: the base is built, ${decision.build}.`)
    }
  }
  return planned
}

/**
 * Reads the store (fetched first from the remote, where there is one), gives every image its
 * trend, and decides each candidate's base; null where the repository has no records.
 */
async function readAndDecide(
  targets: ImageTarget[],
  candidates: ImageTarget[],
  plan: RecordedBasesPlan
): Promise<Map<ImageTarget, BaselineDecision> | null> {
  const unchecked = new RecordStore(plan.repoDir, plan.settings.recordsRef, null, plan.log)
  if (plan.remote !== null) await unchecked.fetch(plan.remote)
  if ((await unchecked.tip()) === null) return null
  // The keys of the base commit: what the default branch says may sign, which neither the PR
  // nor whoever rewrote the records ref can change.
  const store = new RecordStore(
    plan.repoDir,
    plan.settings.recordsRef,
    await recordsVerifierAt(plan.git, plan.baseSha),
    plan.log
  )
  const engine = await plan.engine
  attachTrends(targets, await store.readIndex(), sizeMethodOf(engine))
  if (candidates.length === 0) return new Map()
  const { remote, git, baseSha } = plan
  const deepenArgs = (commits: number, from: string) => [
    '--no-tags',
    '--no-recurse-submodules',
    `--deepen=${commits}`,
    from,
    baseSha
  ]
  return decideBaselines(candidates, {
    store,
    git,
    docker: plan.docker,
    engine,
    baseSha,
    baseTree: await readSide(git, baseSha),
    secretIds: (plan.settings.secrets ?? []).map(secret => secret.id),
    depth: plan.settings.recordsDepth ?? DEFAULT_RECORDS_DEPTH,
    ...(remote === null ? {} : { deepen: (commits: number) => git.fetch(deepenArgs(commits, remote)) })
  })
}

/** The largest public key file read. */
const MAX_KEY_FILE_BYTES = 64 * 1024

/**
 * The records' public keys as the commit `sha` has them (RECORDS_PUBLIC_KEY_PATH); a
 * RecordTrustError naming the fix where it has none, or a file that holds no Ed25519 key.
 */
export async function recordsVerifierAt(git: Git, sha: string): Promise<RecordsVerifier> {
  const spec = `${sha}:${RECORDS_PUBLIC_KEY_PATH}`
  const size = await git.tryExec(['cat-file', '-s', spec])
  const bytes = Number(size.stdout.trim())
  const where = `${RECORDS_PUBLIC_KEY_PATH} at ${sha.slice(0, 12)}`
  if (size.exitCode !== 0) {
    throw new RecordTrustError(
      `the commit ${sha.slice(0, 12)} has no ${RECORDS_PUBLIC_KEY_PATH} to check the records' signatures with ` +
        '(commit the public half of the records-key there: see docs/trust-model.md)'
    )
  }
  if (!(bytes <= MAX_KEY_FILE_BYTES)) throw new RecordTrustError(`${where} is larger than ${MAX_KEY_FILE_BYTES} bytes`)
  const text = await git.tryExec(['cat-file', 'blob', spec])
  try {
    return RecordsVerifier.fromPem(text.stdout, where)
  } catch (error) {
    throw new RecordTrustError(errorMessage(error))
  }
}

/** How many records a trend shows: the run files' bound on a trend, so that one always fits. */
const TREND_RECORDS = FIELD_LIMITS.maxTrend

/**
 * Each image's size on the default branch in the newest records that measured it as this run
 * does, oldest first, from the index alone (no record is opened): the comment's trend.
 */
function attachTrends(targets: ImageTarget[], index: RecordIndex, measure: string): void {
  for (const target of targets) {
    if (target.change === 'removed') continue
    const key = labelOf(target)
    const points = index.records
      .filter(entry => entry.measure === measure && entry.sizes[key] !== undefined)
      .slice(0, TREND_RECORDS)
      .map(entry => ({ commit: entry.commit, recordedAt: entry.recordedAt, bytes: entry.sizes[key] as number }))
      .reverse()
    if (points.length) target.trend = points
  }
}
