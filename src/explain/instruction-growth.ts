import { Growth, ImageResult, InstructionSize } from '../shared/types.js'
import { matchInstructions, responsibleInstruction, sizeChanges } from './match.js'

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
