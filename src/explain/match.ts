import { ChangeKind, InstructionChange, InstructionSize } from '../shared/types.js'

/** What makes two instructions the same: keyword and arguments, whitespace aside. */
function keyOf(instruction: InstructionSize): string {
  return `${instruction.keyword} ${instruction.args.replace(/\s+/g, ' ').trim()}`
}

/**
 * Matches the base's instructions to the head's by what they say, never by position, so
 * that an instruction inserted or removed in the middle shifts nothing. First the longest
 * common sequence of identical instructions; then, between two such anchors, instructions
 * of the same keyword that share enough words (an edited `RUN apt-get install …` is the
 * same RUN, grown); what is left appeared or vanished.
 */
export function matchInstructions(base: InstructionSize[], head: InstructionSize[]): InstructionChange[] {
  const anchors = commonSequence(base.map(keyOf), head.map(keyOf))
  const changes: InstructionChange[] = []
  let b = 0
  let h = 0
  for (const [anchorBase, anchorHead] of [...anchors, [base.length, head.length] as const]) {
    changes.push(...pairByKeyword(base.slice(b, anchorBase), head.slice(h, anchorHead)))
    // The last anchor is the end of both lists, which pairs nothing.
    const [baseAnchor, headAnchor] = [base[anchorBase], head[anchorHead]]
    if (baseAnchor && headAnchor) changes.push(change(baseAnchor, headAnchor))
    b = anchorBase + 1
    h = anchorHead + 1
  }
  return changes
}

function change(base: InstructionSize | null, head: InstructionSize | null): InstructionChange {
  const delta = (head?.size ?? 0) - (base?.size ?? 0)
  const kind: ChangeKind = !base ? 'added' : !head ? 'removed' : delta > 0 ? 'grew' : delta < 0 ? 'shrank' : 'same'
  return { kind, base, head, delta }
}

function pairByKeyword(base: InstructionSize[], head: InstructionSize[]): InstructionChange[] {
  const used = new Set<number>()
  const changes: InstructionChange[] = []
  for (const instruction of head) {
    let best: { index: number; candidate: InstructionSize; score: number } | null = null
    for (const [index, candidate] of base.entries()) {
      if (used.has(index) || candidate.keyword !== instruction.keyword) continue
      // A stage has one FROM: whatever its image, it is the same instruction.
      const score = instruction.keyword === 'FROM' ? 1 : similarity(candidate.args, instruction.args)
      if (score >= MIN_SIMILARITY && score > (best?.score ?? 0)) best = { index, candidate, score }
    }
    if (!best) {
      changes.push(change(null, instruction))
      continue
    }
    used.add(best.index)
    changes.push(change(best.candidate, instruction))
  }
  base.forEach((instruction, i) => {
    if (!used.has(i)) changes.push(change(instruction, null))
  })
  return changes
}

/**
 * Below this share of common words two instructions of one keyword are different
 * instructions: `COPY . .` did not become `COPY --from=build /app /app`, but
 * `RUN apt-get install -y curl` did become `RUN apt-get install -y curl git`.
 */
const MIN_SIMILARITY = 0.3

/** Shared words over all words (Jaccard). */
function similarity(a: string, b: string): number {
  const words = (text: string) => new Set(text.split(/\s+/).filter(Boolean))
  const x = words(a)
  const y = words(b)
  const shared = [...x].filter(word => y.has(word)).length
  const all = new Set([...x, ...y]).size
  return all === 0 ? 1 : shared / all
}

/** Index pairs of a longest common subsequence (Dockerfiles are short: the table is small). */
function commonSequence(a: string[], b: string[]): Array<readonly [number, number]> {
  // table[i][j], flat: the length of a longest common subsequence of a[i..] and b[j..]; the
  // last row and column (empty rests) are 0.
  const width = b.length + 1
  const table = new Array<number>((a.length + 1) * width).fill(0)
  const cell = (i: number, j: number) => table[i * width + j] ?? 0
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j] ? cell(i + 1, j + 1) + 1 : Math.max(cell(i + 1, j), cell(i, j + 1))
    }
  }
  const pairs: Array<readonly [number, number]> = []
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      pairs.push([i, j])
      i++
      j++
    } else if (cell(i + 1, j) >= cell(i, j + 1)) {
      i++
    } else {
      j++
    }
  }
  return pairs
}

/** The changes that moved bytes, largest first. */
export function sizeChanges(changes: InstructionChange[]): InstructionChange[] {
  return changes.filter(c => c.delta !== 0).sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta))
}

/** The head instruction that added the most bytes: where a reviewer should look first. */
export function responsibleInstruction(changes: InstructionChange[]): InstructionChange | null {
  let best: InstructionChange | null = null
  for (const c of changes) {
    if (c.head && c.delta > 0 && (!best || c.delta > best.delta)) best = c
  }
  return best
}
