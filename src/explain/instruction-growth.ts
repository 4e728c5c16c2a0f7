import { ImageResult } from '../shared/types.js'
import { InstructionSize } from './attribute.js'
import { InstructionChange, matchInstructions, responsibleInstruction, sizeChanges } from './match.js'

/** Why an image's size changed, instruction by instruction. */
export interface Growth {
  /** Every instruction whose bytes changed, largest change first. */
  changes: InstructionChange[]
  /** The head instruction that added the most bytes, if any did. */
  responsible: InstructionChange | null
  baseLayers: number | null
  headLayers: number | null
}

/**
 * Matches the two sides of an image instruction by instruction. A side that does not
 * exist (a new or removed image) counts as no instructions; a side that exists but whose
 * layers could not be read leaves the image unexplained (null).
 */
export function growthOf(image: Pick<ImageResult, 'base' | 'head'>): Growth | null {
  const side = (measurement: ImageResult['base']): InstructionSize[] | null =>
    measurement ? (measurement.instructions ?? null) : []
  const base = side(image.base)
  const head = side(image.head)
  if (!base || !head || (!image.base && !image.head)) return null
  const all = matchInstructions(base, head)
  return {
    changes: sizeChanges(all),
    responsible: responsibleInstruction(all),
    baseLayers: image.base?.layers ?? null,
    headLayers: image.head?.layers ?? null
  }
}

/** An instruction as a reader recognizes it, cut to a length that fits a table cell. */
export function instructionText(instruction: Pick<InstructionSize, 'keyword' | 'args'>, max = 100): string {
  const text = `${instruction.keyword} ${instruction.args}`.trim()
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text
}
