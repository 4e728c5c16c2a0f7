import { HistoryRow, recordedInstruction } from './history.js'
import { DockerInstruction, InstructionSize } from '../shared/types.js'

/**
 * Pairs the history of an image with the instructions of the stage that built it.
 *
 * The history lists the stage's own rows on top (newest first) and the rows of the image
 * it starts from below them; how many of those there are depends on that image, so the
 * pairing runs from the top: the stage's last instruction against the newest row, and so
 * on down. Each instruction leaves one row, except where a builder records none (BuildKit
 * writes no row for ONBUILD); a row whose keyword is not the instruction's means that
 * instruction left none. Every row left below the stage's first instruction belongs to
 * the FROM. Returns null when the history does not fit the Dockerfile at all.
 */
export function attributeLayers(stage: DockerInstruction[], rows: HistoryRow[]): InstructionSize[] | null {
  const [from, ...body] = stage
  const owners = rowOwners(
    stage,
    rows.map(row => row.createdBy)
  )
  if (!from || !owners) return null
  const sizes = [0, ...body.map(() => 0)]
  rows.forEach((row, i) => {
    const owner = owners[i] ?? 0
    sizes[owner] = (sizes[owner] ?? 0) + row.size
  })
  return stage.map((instruction, i) => ({ ...instruction, size: sizes[i] ?? 0 }))
}

/**
 * For each history row (newest first, as `createdBy` strings), the index in `stage` of the
 * instruction that made it: 0 for the FROM, which owns every row below the stage's own.
 * Null when the history does not fit the stage (see attributeLayers).
 */
export function rowOwners(stage: Pick<DockerInstruction, 'keyword'>[], createdBy: string[]): number[] | null {
  const [from, ...body] = stage
  if (!from || from.keyword !== 'FROM') return null
  const owners = createdBy.map(() => 0)
  let row = 0
  let paired = 0
  for (let i = body.length - 1; i >= 0; i--) {
    const next = createdBy[row]
    if (next === undefined) break
    if (recordedInstruction(next).keyword !== body[i]?.keyword) continue
    owners[row] = i + 1
    row++
    paired++
  }
  // Most instructions leave a row; a history that pairs with under half of them was made
  // from another Dockerfile (or a builder that records rows differently), and a wrong
  // attribution is worse than none.
  if (body.length > 0 && paired * 2 < body.length) return null
  return owners
}
