import { describeShard } from '../inputs/shard.js'
import { JsonReport } from '../serialized/run-file.js'

// Shards of one check may run on runners with different engines (in February 2026 one
// rollout put jobs of a single matrix on Docker 28 and 29 at once). Figures from two image
// stores, or computed two ways, are not one table's figures: the merge refuses them.

interface Basis {
  store: string
  methods: string
  engine: string
}

function basisOf(report: JsonReport): Basis | null {
  const methods = new Set<string>()
  for (const image of report.images) {
    for (const side of [image.base, image.head]) if (side) methods.add(side.sizeSource ?? 'inspect')
  }
  // A shard that measured nothing (it failed early, or had no images) mixes nothing.
  if (methods.size === 0) return null
  const engine = report.engine
  const store = engine
    ? engine.imageStore === 'containerd'
      ? 'containerd image store'
      : `${engine.storageDriver} storage driver`
    : 'unknown engine'
  return {
    store,
    methods: [...methods].sort().join(' and '),
    engine: engine ? `Docker ${engine.serverVersion}, ${store}` : store
  }
}

/** Null when every shard measured on one kind of store with one method; else why not. */
export function mixedEnginesError(reports: Array<{ path: string; report: JsonReport }>): string | null {
  const described = reports
    .map(entry => ({ entry, basis: basisOf(entry.report) }))
    .filter((item): item is { entry: (typeof reports)[number]; basis: Basis } => item.basis !== null)
  const kinds = new Set(described.map(({ basis }) => `${basis.store}|${basis.methods}`))
  if (kinds.size <= 1) return null
  const list = described
    .map(
      ({ entry, basis }) =>
        `shard ${describeShard(entry.report.shard!)} (${entry.path}): ${basis.engine}, sizes by ${basis.methods}`
    )
    .join('; ')
  return (
    `The shards measured on different image stores or by different size methods, so their figures are not one table's: ${list}. ` +
    'Run every shard of the matrix on the same runner image (runs-on), with the same Docker engine.'
  )
}
