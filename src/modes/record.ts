import { loadImageList, readSide } from '../discover/from-repository.js'
import type { ReferenceSpec } from '../inputs/images-config.js'
import { measureReferences } from '../measure/references.js'
import { RegistryClient } from '../registry/client.js'
import { CredentialSource, dockerCredentials } from '../registry/credentials.js'
import { referenceRecords, sinceThePreviousRecord } from '../records/references.js'
import { log } from '../tools/log.js'
import { discoverAffectedImages, sourceFingerprint } from '../discover/discover.js'
import { buildAndMeasure, Progress } from '../scheduler/schedule.js'
import { CheckSettings } from '../inputs/inputs.js'
import { sizeMethodOf } from '../measure/measure-image.js'
import { imageResolver, recordsVerifierAt } from '../records/baseline.js'
import { RecordsSigner } from '../records/signature.js'
import { errorMessage } from '../shared/errors.js'
import { fingerprintImage, fingerprintMismatch } from '../records/fingerprint.js'
import { BaselineRecord, Fingerprint, RECORD_SCHEMA, RecordedImage } from '../records/schema.js'
import { RecordStore, RecordTrustError } from '../records/store.js'
import { countOf } from '../shared/sizes.js'
import { measurementOnly } from '../shared/measurement.js'
import { EngineInfo, ImageTarget, labelOf, MeasuredImage, RunState, SideTree } from '../shared/types.js'
import { Docker } from '../tools/docker.js'
import { Git, objectIdOf } from '../tools/git.js'

export interface RecordEnvironment {
  repoDir: string
  /** The PEM text of the key the records are signed with (the `records-key` input). */
  recordsKey: string
  tempRoot: string
  /** The remote the records are read from and pushed to. */
  remote: string
  progress: Progress
  docker?: Docker
  now?: () => Date
  /** The run's cancellation (a signal): builds are stopped, and no record is written. */
  signal?: AbortSignal
  /** Where registry credentials come from (absent: docker's config, as the environment names it). */
  registryCredentials?: CredentialSource
}

export interface RecordOutcome {
  commit: string
  /** Images measured in this run. */
  built: string[]
  /** Images whose record was carried over from the previous one, unchanged. */
  carried: string[]
  /** Images that could not be recorded, with why. */
  skipped: Array<{ image: string; why: string }>
  /** The previous record, whose figures stand as this run's base in the report. */
  previous: string | null
  attempts: number
}

/**
 * `mode: record`: measures the images of the checked-out commit of the default branch and
 * stores them as its baseline record. An image whose fingerprint is what the previous record
 * says is not built again: its measurement is carried over. `state` is filled as for a check,
 * with the previous record's figures as the base, so the report shows what changed since.
 */
export async function runRecord(
  settings: CheckSettings,
  env: RecordEnvironment,
  state: RunState
): Promise<RecordOutcome> {
  const docker = env.docker ?? new Docker()
  const git = new Git(env.repoDir)
  const engine = docker.engineInfo()
  engine.catch(() => undefined)
  const [head] = await git.resolveCommits(['HEAD'])
  if (!head) throw new Error(`mode: record found no commit checked out in ${env.repoDir}.`)
  const { signer, verifier } = await signingKeys(git, head, env.recordsKey)
  const { targets, tree, references } = await env.progress.group('Images', () => imagesAt(git, head, settings, env))
  state.revisions = { baseSha: head, headSha: head }
  const outcome: RecordOutcome = { commit: head, built: [], carried: [], skipped: [], previous: null, attempts: 0 }
  if (targets.length === 0 && references.length === 0) return outcome

  const store = new RecordStore(env.repoDir, settings.recordsRef, verifier)
  await store.fetch(env.remote)
  const previous = await previousRecord(store, head, env.progress)
  outcome.previous = previous?.commit ?? null
  // Image entries are read in their registry: no engine, no build, no pull.
  const read = await readReferences(references, env)
  const fromRegistry = referenceRecords(read)
  outcome.skipped.push(...fromRegistry.skipped)
  outcome.built.push(...fromRegistry.recorded.map(image => image.key))
  const plan: RecordPlan = { recorded: [], toBuild: [] }
  if (targets.length) {
    state.engine = await engine
    Object.assign(
      plan,
      await planRecord(
        targets,
        {
          git,
          tree,
          docker,
          measure: sizeMethodOf(state.engine),
          previous,
          secretIds: (settings.secrets ?? []).map(secret => secret.id),
          enginePlatform: state.engine.platform ?? 'unknown/unknown'
        },
        outcome
      )
    )
  }
  for (const { image, why } of outcome.skipped) env.progress.warning(`${image} is not recorded: ${why}.`)
  if (outcome.carried.length) {
    env.progress.info(`Unchanged since the record of ${outcome.previous?.slice(0, 12)}: ${outcome.carried.join(', ')}`)
  }
  const measured = await buildHeads(plan.toBuild, { settings, env, state, docker, git, engine })
  plan.recorded.push(...recordedFrom(plan.toBuild, measured, outcome), ...fromRegistry.recorded)

  env.signal?.throwIfAborted()
  outcome.attempts = await writeRecord(store, signer, head, plan.recorded, env)
  state.revisions = { baseSha: previous?.commit ?? head, headSha: head }
  state.measured = [...sinceThePrevious(targets, plan, measured, previous), ...sinceThePreviousRecord(read, previous)]
  return outcome
}

/**
 * Every image of the commit: discovery as if each file had changed, against itself; and the
 * config's image entries, as a check reads them.
 */
async function imagesAt(
  git: Git,
  head: string,
  settings: CheckSettings,
  env: RecordEnvironment
): Promise<{ targets: ImageTarget[]; tree: SideTree; references: ReferenceSpec[] }> {
  const tree = await readSide(git, head)
  const changed = [...tree.files.keys()].map(path => ({ path, status: 'modified' as const }))
  const list = settings.images ? null : await loadImageList(settings, env.repoDir)
  const images = settings.images ?? list?.specs ?? null
  const imagesFrom = settings.imagesFrom ?? 'auto'
  const references = imagesFrom === 'auto' || imagesFrom === 'config' ? (list?.references ?? []) : []
  const targets = discoverAffectedImages({
    changed,
    dockerfileGlobs: settings.dockerfileGlobs,
    images,
    head: tree,
    base: tree
  })
  env.progress.info(
    `${countOf(targets.length, 'image')} at ${head.slice(0, 12)}: ${targets.map(labelOf).join(', ') || 'none'}`
  )
  if (references.length) {
    env.progress.info(`Read by reference, built by nobody: ${references.map(spec => spec.image).join(', ')}`)
  }
  return { targets, tree, references }
}

/** The image entries' heads, each platform read in its registry; the base-image of an entry is not the record's. */
async function readReferences(references: ReferenceSpec[], env: RecordEnvironment): Promise<MeasuredImage[]> {
  if (references.length === 0) return []
  return env.progress.group('Registry images', () => {
    const client = new RegistryClient({
      credentials: env.registryCredentials ?? dockerCredentials(),
      debug: message => log.debug(message),
      ...(env.signal ? { signal: env.signal } : {})
    })
    const heads = references.map(spec => ({ ...spec, baseImage: null }))
    return measureReferences(heads, { client, info: message => env.progress.info(message) })
  })
}

/**
 * The key that signs, and the public keys of the commit recorded, which must hold its public
 * half: a record signed by a key no PR run accepts would be written for nothing.
 */
async function signingKeys(
  git: Git,
  head: string,
  recordsKey: string
): Promise<{ signer: RecordsSigner; verifier: Awaited<ReturnType<typeof recordsVerifierAt>> }> {
  if (recordsKey === '') {
    throw new Error(
      'mode: record needs the records-key input: the Ed25519 private key that signs the records, from a secret of ' +
        'an environment only the default branch may use (records-key: ${{ secrets.DOCKER_SIZE_CHECK_RECORDS_KEY }}). ' +
        'PR runs count only signed records; docs/trust-model.md shows how to make the key.'
    )
  }
  const signer = RecordsSigner.fromPem(recordsKey)
  try {
    return { signer, verifier: await recordsVerifierAt(git, head) }
  } catch (error) {
    throw new Error(`mode: record cannot sign records PR runs would accept: ${errorMessage(error)}.`, { cause: error })
  }
}

/**
 * The newest record of another commit than this one: what an unchanged image is carried over
 * from. One that does not verify carries nothing over (its images are built).
 */
async function previousRecord(store: RecordStore, head: string, progress: Progress): Promise<BaselineRecord | null> {
  try {
    const index = await store.readIndex()
    const commit = index.records.find(entry => entry.commit !== head)?.commit
    return commit ? await store.readRecord(commit) : null
  } catch (error) {
    if (!(error instanceof RecordTrustError)) throw error
    progress.warning(`Nothing is carried over from the stored records: ${errorMessage(error)}`)
    return null
  }
}

interface RecordPlan {
  /** Images carried over from the previous record, then those built here. */
  recorded: RecordedImage[]
  toBuild: Array<{ target: ImageTarget; fingerprint: Fingerprint }>
}

/** Which images are carried over, which are built, which cannot be recorded (said in `outcome`). */
async function planRecord(
  targets: ImageTarget[],
  at: {
    git: Git
    tree: SideTree
    docker: Docker
    measure: string
    previous: BaselineRecord | null
    secretIds: string[]
    enginePlatform: string
  },
  outcome: RecordOutcome
): Promise<RecordPlan> {
  const plan: RecordPlan = { recorded: [], toBuild: [] }
  const resolve = imageResolver(at.docker)
  const texts = await at.git.readBlobs(targets.flatMap(target => idOf(at.tree.files.get(target.dockerfile))))
  for (const target of targets) {
    const key = labelOf(target)
    const text = texts.get(idOf(at.tree.files.get(target.dockerfile))[0] ?? '')
    const source = sourceFingerprint(at.tree, target.dockerfile, target.context)
    if (text === undefined || source === null) {
      outcome.skipped.push({ image: key, why: 'its Dockerfile is not in the commit' })
      continue
    }
    const input = {
      source,
      dockerfileText: text,
      build: target.build,
      measure: at.measure,
      resolveImage: resolve,
      secretIds: at.secretIds,
      enginePlatform: at.enginePlatform
    }
    const result = await fingerprintImage(input)
    if ('unresolved' in result) {
      outcome.skipped.push({ image: key, why: result.unresolved })
      continue
    }
    const before = at.previous?.images.find(image => image.key === key)
    if (before && fingerprintMismatch(before.fingerprint, result.fingerprint) === null) {
      plan.recorded.push({ ...before, dockerfile: target.dockerfile, context: target.context })
      outcome.carried.push(key)
    } else {
      plan.toBuild.push({ target, fingerprint: result.fingerprint })
    }
  }
  return plan
}

/** Builds each image to record, as the commit has it: a record has one side, like an added image. */
async function buildHeads(
  toBuild: RecordPlan['toBuild'],
  run: {
    settings: CheckSettings
    env: RecordEnvironment
    state: RunState
    docker: Docker
    git: Git
    engine: Promise<EngineInfo>
  }
): Promise<MeasuredImage[]> {
  const measured: MeasuredImage[] = []
  const targets = toBuild.map(({ target }) => ({ ...target, change: 'added' as const }))
  const { env } = run
  const plan = {
    repoDir: env.repoDir,
    tempRoot: env.tempRoot,
    revisions: run.state.revisions,
    targets,
    settings: run.settings,
    engine: run.engine,
    // What a later PR's path breakdown reads of this image, when it is that PR's base.
    recordLayers: true,
    signal: env.signal
  }
  await buildAndMeasure(plan, run.docker, run.git, env.progress, measured)
  return measured
}

/** The records of the images built here (`measured` is in `toBuild`'s order); a failed build is skipped. */
function recordedFrom(
  toBuild: RecordPlan['toBuild'],
  measured: MeasuredImage[],
  outcome: RecordOutcome
): RecordedImage[] {
  const recorded: RecordedImage[] = []
  for (const [i, image] of measured.entries()) {
    const planned = toBuild[i]
    if (!planned) continue
    const key = labelOf(planned.target)
    if (!image.head) {
      outcome.skipped.push({ image: key, why: image.failedBuilds[0]?.error ?? 'it was not built' })
      continue
    }
    const measurement = measurementOnly(image.head)
    const { dockerfile, context } = planned.target
    const paths = image.recordedLayers ? { paths: { layers: image.recordedLayers } } : {}
    recorded.push({ key, dockerfile, context, fingerprint: planned.fingerprint, measurement, ...paths })
    outcome.built.push(key)
  }
  return recorded
}

/** Pushes the record; returns how many attempts the push took (another record run may win a race). */
async function writeRecord(
  store: RecordStore,
  signer: RecordsSigner,
  head: string,
  images: RecordedImage[],
  env: RecordEnvironment
): Promise<number> {
  const { progress } = env
  const record: BaselineRecord = {
    schema: RECORD_SCHEMA,
    commit: head,
    recordedAt: (env.now?.() ?? new Date()).toISOString(),
    images: [...images].sort((a, b) => a.key.localeCompare(b.key))
  }
  const written = await progress.group('Record', () =>
    store.write(env.remote, record, signer, {
      onRetry: attempt =>
        progress.info(`Another run wrote the records first (attempt ${attempt}); writing again on top.`)
    })
  )
  for (const refused of written.refused) progress.warning(`The stored records: ${refused}`)
  progress.info(
    `Recorded ${countOf(images.length, 'image')} at ${head.slice(0, 12)} in ${env.remote} ${store.ref}` +
      (written.pruned ? ` (${countOf(written.pruned, 'older record')} pruned)` : '')
  )
  return written.attempts
}

/** The report's images: each against the previous record, so the summary shows what this push changed. */
function sinceThePrevious(
  targets: ImageTarget[],
  plan: RecordPlan,
  measured: MeasuredImage[],
  previous: BaselineRecord | null
): MeasuredImage[] {
  return targets.map(target => {
    const key = labelOf(target)
    const now = plan.recorded.find(image => image.key === key)?.measurement ?? null
    const then = previous?.images.find(image => image.key === key)?.measurement ?? null
    const built = measured[plan.toBuild.findIndex(entry => entry.target === target)]
    return {
      target: { ...target, change: then ? 'modified' : 'added' },
      base: then,
      head: now,
      failedBuilds: built?.failedBuilds ?? []
    }
  })
}

function idOf(entry: string | undefined): string[] {
  return entry ? [objectIdOf(entry)] : []
}
