import { DockerfileParser } from 'dockerfile-ast'

/** One instruction of a Dockerfile, where it stands and what it says. */
export interface DockerInstruction {
  /** Upper case: FROM, RUN, COPY… */
  keyword: string
  /** The arguments on one line, flags included (`--from=build /out /app`), continuations joined. */
  args: string
  /** 1-based lines of the instruction's first and last line in the Dockerfile. */
  line: number
  endLine: number
}

/**
 * The instructions of the stage the build produces: the last one, or the stage named
 * `target`. Its FROM comes first. ARGs before the first FROM belong to no stage and
 * leave no trace in the image, so they are not returned.
 */
export function stageInstructions(dockerfile: string, target?: string): DockerInstruction[] {
  const { stages, names } = parseStages(dockerfile)
  if (target) {
    const stage = stages[names.indexOf(target.toLowerCase())]
    if (!stage) throw new Error(`The Dockerfile has no stage named '${target}'.`)
    return stage
  }
  return stages[stages.length - 1] ?? []
}

/** Every instruction of every stage, in the order of the file. */
export function allInstructions(dockerfile: string): DockerInstruction[] {
  return parseStages(dockerfile).stages.flat()
}

/** Each stage's name (`FROM … AS name`, lower case) in the order of the file; null for an unnamed one. */
export function stageNames(dockerfile: string): (string | null)[] {
  return parseStages(dockerfile).names
}

function parseStages(dockerfile: string): { stages: DockerInstruction[][]; names: (string | null)[] } {
  const parsed = DockerfileParser.parse(dockerfile)
  const escape = parsed.getEscapeCharacter()
  const lines = dockerfile.split(/\r?\n/)
  const stages: DockerInstruction[][] = []
  const names: (string | null)[] = []
  for (const instruction of parsed.getInstructions()) {
    const range = instruction.getRange()
    const keyword = instruction.getKeyword().toUpperCase()
    if (keyword === 'FROM') {
      stages.push([])
      const stage = /\sAS\s+(\S+)\s*$/i.exec(instruction.getArgumentsContent() ?? '')
      names.push(stage?.[1]?.toLowerCase() ?? null)
    }
    const current = stages[stages.length - 1]
    if (!current) continue
    current.push({
      keyword,
      args: argumentsText(lines.slice(range.start.line, range.end.line + 1), escape),
      line: range.start.line + 1,
      endLine: range.end.line + 1
    })
  }
  return { stages, names }
}

/**
 * The instruction's source without its keyword, on one line. The parser's own argument
 * text leaves out flags such as `--from=build`, which tell two COPYs apart.
 */
function argumentsText(source: string[], escape: string): string {
  const joined = source
    .map((line, index) => {
      const trimmed = line.trimEnd()
      const continued = index < source.length - 1 && trimmed.endsWith(escape)
      // Comment lines inside a continued instruction are not part of it.
      if (index > 0 && /^\s*#/.test(line)) return ''
      return continued ? trimmed.slice(0, -escape.length) : trimmed
    })
    .join(' ')
  return joined
    .replace(/^\s*\S+\s*/, '')
    .replace(/\s+/g, ' ')
    .trim()
}

/** One stage of a Dockerfile: its name and the image (or stage) it starts from. */
export interface StageSummary {
  /** The name after `AS`, lower case; null for an unnamed stage. */
  name: string | null
  /** What follows FROM, without flags (`--platform=…`) and the `AS name`: `debian:bookworm`, `scratch`, `build`. */
  from: string
  /** 1-based line of its FROM. */
  line: number
}

/** Every stage of the Dockerfile, in order; the last one is what a build without a target produces. */
export function stageSummaries(dockerfile: string): StageSummary[] {
  const { stages, names } = parseStages(dockerfile)
  return stages.flatMap((stage, i) => {
    const from = stage[0]
    if (!from) return []
    const image = from.args
      .split(/\s+/)
      .filter(word => !word.startsWith('--'))
      .join(' ')
      .replace(/\s+AS\s+\S+\s*$/i, '')
      .trim()
    return [{ name: names[i] ?? null, from: image, line: from.line }]
  })
}
