import { growthOf, instructionText } from '../explain/instruction-growth.js'
import { formatDelta } from '../shared/sizes.js'
import { Comparison } from '../shared/types.js'
import { cleanText } from './escape.js'

/** A workflow annotation: GitHub shows it on the line of the PR's diff it names. */
export interface Annotation {
  level: 'error' | 'warning'
  title: string
  message: string
  /** From the repository root, at the head. */
  file: string
  /** 1-based; absent when no instruction could be named, and the file as a whole is meant. */
  startLine?: number
  endLine?: number
}

/**
 * One annotation per image past a threshold: an error where it fails the check, a warning
 * where it passes warn-increase only. It points at the head instruction that added the
 * most bytes, which is where the fix usually is.
 */
export function annotationsFor(comparison: Comparison): Annotation[] {
  const annotations: Annotation[] = []
  for (const image of comparison.images) {
    if (image.verdict !== 'fail' && image.verdict !== 'warn') continue
    const level = image.verdict === 'fail' ? 'error' : 'warning'
    const responsible = growthOf(image)?.responsible ?? null
    const annotation: Annotation = {
      level,
      title: level === 'error' ? 'Docker image over the size limit' : 'Docker image past the size warning',
      message: image.reason,
      file: image.target.dockerfile
    }
    if (responsible?.head) {
      annotation.startLine = responsible.head.line
      annotation.endLine = responsible.head.endLine
      annotation.message += ` This instruction adds the most: ${formatDelta(responsible.delta)} (${instructionText(responsible.head, 120)}).`
    }
    // Annotations are plain text, but bidi controls would still make a path read otherwise.
    annotations.push({ ...annotation, message: cleanText(annotation.message), file: cleanText(annotation.file) })
  }
  return annotations
}
