import { loadImageSpecs, readSide } from '../changes/affected.js'
import { discoverAffectedImages, labelOf, sourceFingerprint } from '../changes/discover.js'
import { buildAndMeasure, Progress } from '../build/schedule.js'
import { CheckSettings } from '../inputs/inputs.js'
import { MeasuredImage } from '../judge/judge.js'
import { sizeMethodOf } from '../measure/measure-image.js'
import { imageResolver } from '../records/baseline.js'
import { fingerprintImage, fingerprintMismatch } from '../records/fingerprint.js'
import { BaselineRecord, RECORD_SCHEMA, RecordedImage } from '../records/schema.js'
import { RecordStore } from '../records/store.js'
import { countOf } from '../shared/sizes.js'
import { ImageTarget } from '../shared/types.js'
import { Docker } from '../tools/docker.js'
import { Git, objectIdOf } from '../tools/git.js'
import type { RunState } from './check.js'

export interface RecordEnvironment {
  repoDir: string
  tempRoot: string
  /** The remote the records are read from and pushed to. */
  remote: string
  progress: Progress
  docker?: Docker
  now?: () => Date
  /** The run's cancellation (a signal): builds are stopped, and no record is written. */
  signal?: AbortSignal
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
  const { progress } = env
  const engine = docker.engineInfo()
  engine.catch(() => undefined)
  const [head] = await git.resolveCommits(['HEAD'])
  if (!head) throw new Error(`mode: record found no commit checked out in ${env.repoDir}.`)
  const store = new RecordStore(env.repoDir, settings.recordsRef)

  const { targets, tree } = await progress.group('Images', async () => {
    const tree = await readSide(git, head)
    // Every image of the commit: discovery as if each file had changed, against itself.
    const changed = [...tree.files.keys()].map(path => ({ path, status: 'modified' as const }))
    const images = await loadImageSpecs(settings, env.repoDir)
    const found = discoverAffectedImages({
      changed,
      dockerfileGlobs: settings.dockerfileGlobs,
      images,
      head: tree,
      base: tree
    })
    progress.info(
      `${countOf(found.length, 'image')} at ${head.slice(0, 12)}: ${found.map(labelOf).join(', ') || 'none'}`
    )
    return { targets: found, tree }
  })
  state.revisions = { baseSha: head, headSha: head }
  if (targets.length === 0) return { commit: head, built: [], carried: [], skipped: [], previous: null, attempts: 0 }

  await store.fetch(env.remote)
  const index = await store.readIndex()
  const previousCommit = index.records.find(entry => entry.commit !== head)?.commit ?? null
  const previous = previousCommit ? await store.readRecord(previousCommit) : null
  state.engine = await engine
  const measure = sizeMethodOf(state.engine)
  const resolve = imageResolver(docker)
  const texts = await git.readBlobs(targets.flatMap(target => idOf(tree.files.get(target.dockerfile))))

  const recorded: RecordedImage[] = []
  const toBuild: Array<{ target: ImageTarget; fingerprint: RecordedImage['fingerprint'] }> = []
  const outcome: RecordOutcome = {
    commit: head,
    built: [],
    carried: [],
    skipped: [],
    previous: previousCommit,
    attempts: 0
  }
  for (const target of targets) {
    const key = labelOf(target)
    const text = texts.get(idOf(tree.files.get(target.dockerfile))[0] ?? '')
    const source = sourceFingerprint(tree, target.dockerfile, target.context)
    if (text === undefined || source === null) {
      outcome.skipped.push({ image: key, why: 'its Dockerfile is not in the commit' })
      continue
    }
    const result = await fingerprintImage({
      source,
      dockerfileText: text,
      build: target.build,
      measure,
      resolveImage: resolve
    })
    if ('unresolved' in result) {
      outcome.skipped.push({ image: key, why: result.unresolved })
      continue
    }
    const before = previous?.images.find(image => image.key === key)
    if (before && fingerprintMismatch(before.fingerprint, result.fingerprint) === null) {
      recorded.push({ ...before, dockerfile: target.dockerfile, context: target.context })
      outcome.carried.push(key)
    } else {
      toBuild.push({ target, fingerprint: result.fingerprint })
    }
  }
  for (const { image, why } of outcome.skipped) progress.warning(`${image} is not recorded: ${why}.`)
  if (outcome.carried.length) {
    progress.info(`Unchanged since the record of ${previousCommit?.slice(0, 12)}: ${outcome.carried.join(', ')}`)
  }

  // A record has one side: each image is built as the commit has it, like an added one.
  const headOnly = toBuild.map(({ target }) => ({ ...target, change: 'added' as const }))
  const measured: MeasuredImage[] = []
  await buildAndMeasure(
    {
      repoDir: env.repoDir,
      tempRoot: env.tempRoot,
      revisions: state.revisions,
      targets: headOnly,
      settings,
      engine,
      signal: env.signal
    },
    docker,
    git,
    progress,
    measured
  )
  for (const [i, image] of measured.entries()) {
    const planned = toBuild[i]
    if (!planned) continue
    const key = labelOf(planned.target)
    if (!image.head) {
      outcome.skipped.push({ image: key, why: image.failedBuilds[0]?.error ?? 'it was not built' })
      continue
    }
    const { size, id, layers, sizeSource, inspectSize, layerBytes, compressedSize, instructions } = image.head
    recorded.push({
      key,
      dockerfile: planned.target.dockerfile,
      context: planned.target.context,
      fingerprint: planned.fingerprint,
      measurement: { size, id, layers, sizeSource, inspectSize, layerBytes, compressedSize, instructions }
    })
    outcome.built.push(key)
  }

  env.signal?.throwIfAborted()
  const record: BaselineRecord = {
    schema: RECORD_SCHEMA,
    commit: head,
    recordedAt: (env.now?.() ?? new Date()).toISOString(),
    images: recorded.sort((a, b) => a.key.localeCompare(b.key))
  }
  const written = await progress.group('Record', () =>
    store.write(env.remote, record, {
      onRetry: attempt =>
        progress.info(`Another run wrote the records first (attempt ${attempt}); writing again on top.`)
    })
  )
  outcome.attempts = written.attempts
  progress.info(
    `Recorded ${countOf(recorded.length, 'image')} at ${head.slice(0, 12)} in ${env.remote} ${store.ref}` +
      (written.pruned ? ` (${countOf(written.pruned, 'older record')} pruned)` : '')
  )

  // The report: each image against the previous record, so the summary shows what this push changed.
  state.revisions = { baseSha: previousCommit ?? head, headSha: head }
  state.measured = targets.map(target => {
    const key = labelOf(target)
    const now = recorded.find(image => image.key === key)?.measurement ?? null
    const then = previous?.images.find(image => image.key === key)?.measurement ?? null
    const built = measured[toBuild.findIndex(entry => entry.target === target)]
    return {
      target: { ...target, change: then ? 'modified' : 'added' },
      base: then,
      head: now,
      failedBuilds: built?.failedBuilds ?? []
    }
  })
  return outcome
}

function idOf(entry: string | undefined): string[] {
  return entry ? [objectIdOf(entry)] : []
}
