// Why an image's size changed, in the terms of its two Dockerfiles: what a reviewer would
// say after reading both. Pure: it reads the measurements (each side's stages, the built
// stage's instructions with their bytes) and the path hints, and says only what they show.
import { ImageResult, InstructionChange, InstructionSize, PathHint, PathSource, StageSummary } from '../shared/types.js'
import { growthOf } from './instruction-growth.js'

/** The built stage's FROM on one side: its image and where it stands. */
interface StageStart {
  from: string
  line: number
}

export interface Causes {
  /** The built stage starts from another image. */
  finalBase: { base: StageStart; head: StageStart } | null
  /** Stages (by name, or null for an unnamed one) the head no longer has, or has anew. */
  stagesDropped: Array<string | null>
  stagesAdded: Array<string | null>
  /**
   * A stage whose image now ships (the built stage now starts where that stage of the base
   * started: it was dropped, and the image is what it built) or no longer ships.
   */
  ships: { stage: string | null; now: boolean; from: string } | null
  /** Head COPY instructions that copy a whole stage (`COPY --from=build / /`), the base having none such. */
  wholeStageCopies: Array<{ line: number; instruction: string; stage: string }>
  /** Package caches left in a layer of the head by its own instructions (not its base image). */
  caches: Array<Extract<PathHint, { kind: 'cache' }>>
  /** Files one head instruction adds and a later one deletes, still shipped. */
  deletedLater: Array<Extract<PathHint, { kind: 'deleted-later' }>>
  /** The one instruction that moved most of the change, in its direction; not a FROM (finalBase says that). */
  top: InstructionChange | null
  /** The instruction the base copied the built stage's files with, where it now ships whole. */
  baseCopy: { line: number; instruction: string } | null
}

/** Below this share of the image's change, no single instruction is "most of it". */
const TOP_SHARE = 0.5

const isFrom = (source: PathSource | null) => source !== null && /^FROM\b/i.test(source.instruction)

function builtStage(stages: StageSummary[] | undefined, instructions: InstructionSize[] | undefined) {
  if (!stages?.length) return null
  const line = instructions?.[0]?.line
  return stages.find(stage => stage.line === line) ?? stages[stages.length - 1] ?? null
}

/** The images stages start from, a stage's own name resolved to the image it starts from. */
function imageOf(stages: StageSummary[], from: string): string {
  const seen = new Set<string>()
  let current = from
  for (;;) {
    const stage = stages.find(candidate => candidate.name !== null && candidate.name === current.toLowerCase())
    if (!stage || seen.has(current)) return current
    seen.add(current)
    current = stage.from
  }
}

/** Copies the whole of another stage: `COPY --from=X / …` or `COPY --from=X . …`. */
function wholeCopy(instruction: Pick<InstructionSize, 'keyword' | 'args'>): string | null {
  if (instruction.keyword !== 'COPY') return null
  const words = instruction.args.split(/\s+/)
  const from = words.find(word => /^--from=/i.test(word))
  const paths = words.filter(word => !word.startsWith('--'))
  if (!from || paths.length < 2) return null
  const sources = paths.slice(0, -1)
  return sources.some(source => source === '/' || source === '.' || source === './') ? from.slice(7) : null
}

const text = (instruction: Pick<InstructionSize, 'keyword' | 'args'>) =>
  `${instruction.keyword} ${instruction.args}`.trim()

/** What both Dockerfiles say about an image's change; null where the image was not measured on both sides. */
export function causesOf(image: ImageResult): Causes | null {
  if (image.verdict === 'error' || !image.base || !image.head || image.delta === null || image.delta === 0) return null
  const delta = image.delta
  const baseStages = image.base.stages ?? []
  const headStages = image.head.stages ?? []
  const baseBuilt = builtStage(image.base.stages, image.base.instructions)
  const headBuilt = builtStage(image.head.stages, image.head.instructions)
  const baseFrom = image.base.instructions?.[0]
  const headFrom = image.head.instructions?.[0]
  const baseStart =
    baseBuilt ?? (baseFrom ? { from: baseFrom.args.replace(/\s+AS\s+\S+\s*$/i, ''), line: baseFrom.line } : null)
  const headStart =
    headBuilt ?? (headFrom ? { from: headFrom.args.replace(/\s+AS\s+\S+\s*$/i, ''), line: headFrom.line } : null)

  let finalBase: Causes['finalBase'] = null
  if (baseStart && headStart) {
    const before = imageOf(baseStages, baseStart.from)
    const after = imageOf(headStages, headStart.from)
    if (before !== after) {
      finalBase = { base: { from: before, line: baseStart.line }, head: { from: after, line: headStart.line } }
    }
  }

  // Stages by name where both sides name them; unnamed ones by count.
  const named = (stages: StageSummary[]) => stages.map(stage => stage.name).filter(name => name !== null)
  const baseNames = named(baseStages)
  const headNames = named(headStages)
  const stagesDropped: Array<string | null> =
    baseStages.length && headStages.length ? baseNames.filter(name => !headNames.includes(name)) : []
  const stagesAdded: Array<string | null> =
    baseStages.length && headStages.length ? headNames.filter(name => !baseNames.includes(name)) : []
  const unnamed = (stages: StageSummary[]) => stages.filter(stage => stage.name === null).length
  if (baseStages.length && headStages.length) {
    for (let i = unnamed(headStages); i < unnamed(baseStages); i++) stagesDropped.push(null)
    for (let i = unnamed(baseStages); i < unnamed(headStages); i++) stagesAdded.push(null)
  }

  // The built stage now starts where a stage the base did not ship started: that stage ships.
  let ships: Causes['ships'] = null
  if (finalBase && baseBuilt && headBuilt) {
    const formerlyBuilt = baseStages.find(
      stage => stage !== baseBuilt && imageOf(baseStages, stage.from) === finalBase.head.from
    )
    const nowBuilt = headStages.find(
      stage => stage !== headBuilt && imageOf(headStages, stage.from) === finalBase.base.from
    )
    if (delta > 0 && formerlyBuilt) ships = { stage: formerlyBuilt.name, now: true, from: finalBase.head.from }
    else if (delta < 0 && nowBuilt) ships = { stage: nowBuilt.name, now: false, from: finalBase.base.from }
  }

  const baseCopies = (image.base.instructions ?? []).filter(instruction => wholeCopy(instruction) !== null).map(text)
  const wholeStageCopies =
    delta > 0
      ? (image.head.instructions ?? []).flatMap(instruction => {
          const stage = wholeCopy(instruction)
          return stage !== null && !baseCopies.includes(text(instruction))
            ? [{ line: instruction.line, instruction: text(instruction), stage }]
            : []
        })
      : []

  // What the base copied out of the stage that now ships: the instruction to put back.
  const copyFrom = ships?.now
    ? (image.base.instructions ?? []).find(
        instruction => instruction.keyword === 'COPY' && /--from=/i.test(instruction.args)
      )
    : undefined
  const baseCopy = copyFrom ? { line: copyFrom.line, instruction: text(copyFrom) } : null

  const hints = image.paths?.hints ?? []
  // A cache or a deleted file that came with the base image is the base image's: nothing to
  // do about it in this Dockerfile but choose another image, which finalBase already says.
  const caches = hints.filter(hint => hint.kind === 'cache').filter(hint => !isFrom(hint.source))
  const deletedLater = hints
    .filter(hint => hint.kind === 'deleted-later')
    .filter(hint => !isFrom(hint.source) && !isFrom(hint.deletedBy))

  const growth = growthOf(image)
  const candidates = (growth?.changes ?? []).filter(
    change => Math.sign(change.delta) === Math.sign(delta) && (change.head ?? change.base)?.keyword !== 'FROM'
  )
  const largest = candidates[0] ?? null
  const top = largest && Math.abs(largest.delta) >= TOP_SHARE * Math.abs(delta) ? largest : null
  return { finalBase, stagesDropped, stagesAdded, ships, wholeStageCopies, caches, deletedLater, top, baseCopy }
}

/** Whether anything was found that explains the change. */
export function hasCause(causes: Causes | null): causes is Causes {
  return (
    causes !== null &&
    (causes.finalBase !== null ||
      causes.stagesDropped.length > 0 ||
      causes.stagesAdded.length > 0 ||
      causes.wholeStageCopies.length > 0 ||
      causes.caches.length > 0 ||
      causes.top !== null)
  )
}
