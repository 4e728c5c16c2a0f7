// Baseline records of the images config's `image` entries. A record run on the default
// branch reads each entry's head in its registry (nothing built, nothing pulled) and records
// every platform's figures under the row's name, `app (linux/arm64)`, with the manifest
// digest it read. A PR run whose entry has no `base-image` takes its base from the newest
// such record on the base branch's first-parent history: the image the default branch had,
// as a signed record says, which the PR cannot change (unlike a `base-image` in its config).
import { createHash } from 'node:crypto'
import type { ReferenceSpec } from '../inputs/images-config.js'
import type { BasePlatform, KnownBase } from '../measure/references.js'
import { referenceLabel } from '../measure/references.js'
import { errorMessage } from '../shared/errors.js'
import { labelOf, MeasuredImage } from '../shared/types.js'
import { Git } from '../tools/git.js'
import { distance, firstParentHistory, recordsVerifierAt } from './baseline.js'
import { describeRecordedBaseline } from './describe.js'
import { BaselineRecord, RecordedImage, REGISTRY_MEASURE } from './schema.js'
import { RecordStore, RecordTrustError } from './store.js'

/**
 * The records of the rows a record run read (head only): one per platform. A row whose head
 * could not be read is said in `skipped`: the previous record of it is not carried over, since
 * the registry, not the commit, decides what the image is.
 */
export function referenceRecords(rows: MeasuredImage[]): {
  recorded: RecordedImage[]
  skipped: Array<{ image: string; why: string }>
} {
  const recorded: RecordedImage[] = []
  const skipped: Array<{ image: string; why: string }> = []
  for (const row of rows) {
    const { target, head } = row
    const reference = target.reference
    if (!reference || !head || !reference.headDigest || !reference.head) {
      skipped.push({ image: labelOf(target), why: row.failedBuilds[0]?.error ?? 'its head could not be read' })
      continue
    }
    const { size, id, layers, sizeSource, instructions } = head
    recorded.push({
      key: labelOf(target),
      dockerfile: target.dockerfile,
      context: '',
      fingerprint: {
        // Nothing of the commit makes the image: what stands for it is the reference and what it resolved to.
        source: sha256(`image ${reference.head}`),
        build: sha256(JSON.stringify({ platform: reference.platform })),
        platform: reference.platform,
        from: { [reference.head]: reference.headDigest },
        secrets: {},
        measure: REGISTRY_MEASURE
      },
      measurement: {
        size,
        id,
        layers,
        ...(sizeSource ? { sizeSource } : {}),
        ...(instructions ? { instructions } : {})
      }
    })
  }
  return { recorded, skipped }
}

/** A record run's report rows: each platform against the previous record's figure of it. */
export function sinceThePreviousRecord(rows: MeasuredImage[], previous: BaselineRecord | null): MeasuredImage[] {
  return rows.map(row => {
    const then = previous?.images.find(image => image.key === labelOf(row.target))?.measurement ?? null
    return { ...row, target: { ...row.target, change: then ? 'modified' : 'added' }, base: then }
  })
}

export interface ReferenceBaseLookup {
  repoDir: string
  recordsRef: string
  /** The remote to fetch the records from first; null reads what the repository has. */
  remote: string | null
  git: Git
  /** The merge-base: the records on its first-parent history count, with its public keys. */
  baseSha: string
  depth: number
  log: (message: string) => void
  warn: (message: string) => void
}

/**
 * The knownBase hook of measureReferences: an entry's base from the newest signed record on
 * the base branch's history that has its rows. The store is read once, on the first entry
 * that asks; a store that cannot be read is a warning, and the entries then have no base.
 */
export function recordedReferenceBases(
  lookup: ReferenceBaseLookup
): (spec: ReferenceSpec) => Promise<KnownBase | null> {
  let opened: Promise<OpenedStore | null> | null = null
  const records = new Map<string, Promise<BaselineRecord | null>>()
  return async spec => {
    opened ??= openStore(lookup).catch((error: unknown) => {
      lookup.warn(
        `Could not read the baseline records (${errorMessage(error)}); image entries without base-image have no base.`
      )
      return null
    })
    const store = await opened
    if (!store) return null
    const label = referenceLabel(spec)
    for (const commit of store.history) {
      let record = records.get(commit)
      if (!record) {
        record = store.store.readRecord(commit, store.tip).catch((error: unknown) => {
          if (!(error instanceof RecordTrustError)) throw error
          lookup.warn(`The record of ${commit.slice(0, 7)} does not count: ${errorMessage(error)}`)
          return null
        })
        records.set(commit, record)
      }
      const platforms = platformsOf((await record)?.images ?? [], label)
      if (platforms.length === 0) continue
      const baseline = { source: 'record' as const, commit, behind: await distance(lookup.git, commit, lookup.baseSha) }
      lookup.log(`${label}: ${describeRecordedBaseline(baseline)}, ${platforms.map(p => p.platform).join(', ')}.`)
      return { platforms, baseline }
    }
    lookup.log(`${label}: no baseline record of it within the base branch’s history.`)
    return null
  }
}

interface OpenedStore {
  store: RecordStore
  tip: string
  /** The base branch's commits that have a record, newest first. */
  history: string[]
}

async function openStore(lookup: ReferenceBaseLookup): Promise<OpenedStore | null> {
  const unchecked = new RecordStore(lookup.repoDir, lookup.recordsRef)
  if (lookup.remote !== null) await unchecked.fetch(lookup.remote)
  const tip = await unchecked.tip()
  if (tip === null) {
    lookup.log('No baseline records in this repository: image entries without base-image have no base.')
    return null
  }
  // The base commit's keys: what the default branch says may sign, which the PR cannot change.
  const store = new RecordStore(lookup.repoDir, lookup.recordsRef, await recordsVerifierAt(lookup.git, lookup.baseSha))
  const recorded = new Set((await store.readIndex(tip)).records.map(entry => entry.commit))
  let walk = await firstParentHistory(lookup.git, lookup.baseSha, lookup.depth)
  // actions/checkout fetches one commit: the commits behind the merge-base may be missing.
  if (
    !recorded.has(walk[0] ?? '') &&
    walk.length < lookup.depth &&
    lookup.remote !== null &&
    (await lookup.git.isShallow())
  ) {
    await lookup.git.fetch([
      '--no-tags',
      '--no-recurse-submodules',
      `--deepen=${lookup.depth - walk.length}`,
      lookup.remote,
      lookup.baseSha
    ])
    walk = await firstParentHistory(lookup.git, lookup.baseSha, lookup.depth)
  }
  return { store, tip, history: walk.filter(sha => recorded.has(sha)) }
}

/** The recorded platforms of the entry `label`: the rows named `label (os/arch)` read in a registry. */
function platformsOf(images: RecordedImage[], label: string): BasePlatform[] {
  return images
    .filter(
      image =>
        image.fingerprint.measure === REGISTRY_MEASURE && image.key === `${label} (${image.fingerprint.platform})`
    )
    .map(image => ({
      platform: image.fingerprint.platform,
      digest: image.measurement.id,
      measurement: image.measurement
    }))
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
