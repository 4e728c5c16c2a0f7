// The cause of an image's change in one sentence, and what to do about each cause, for the
// comment (markdown: the sentence above the fold, each piece of advice a GitHub alert) and
// for the command (plain text). Instructions, paths, stage and image names come from the
// repository or a build: hostile, so in markdown they are code spans.
import { Causes, causesOf, hasCause } from '../explain/cause.js'
import { instructionText } from '../explain/instruction-growth.js'
import { countOf, formatDelta, formatSize, unbreakable } from '../shared/sizes.js'
import { ImageResult, InstructionChange, PathHint } from '../shared/types.js'
import { code } from './escape.js'
import { RepositoryLinks } from './links.js'
import { displayText } from './paths-table.js'
import { targetName } from './target.js'

type Style = 'markdown' | 'text'

const nb = unbreakable

function writer(style: Style) {
  const quote = (text: string) => (style === 'markdown' ? code(text) : text)
  const line = (n: number, side: 'base' | 'head') => `${side === 'base' ? 'base ' : ''}L${n}`
  const size = (bytes: number) => (style === 'markdown' ? nb(formatDelta(bytes)) : formatDelta(bytes))
  const plain = (bytes: number) => (style === 'markdown' ? nb(formatSize(bytes)) : formatSize(bytes))
  return {
    quote,
    line,
    size,
    plain,
    stage: (name: string | null) => (name === null ? 'an unnamed stage' : `the stage ${quote(name)}`)
  }
}

function instructionOf(change: InstructionChange) {
  const side = change.head ? 'head' : 'base'
  const instruction = (change.head ?? change.base) as NonNullable<InstructionChange['head']>
  return { side, line: instruction.line, text: instructionText(instruction, 60) } as const
}

/** The package caches that come from the same instruction as `top`, said with it. */
function cachesOf(causes: Causes, line: number | null) {
  return causes.caches.filter(cache => line !== null && cache.source?.side === 'head' && cache.source.line === line)
}

/** The sentence, without its lead; null where nothing explains the change. */
function causeSentence(causes: Causes | null, style: Style): string | null {
  if (!hasCause(causes)) return null
  const w = writer(style)
  const structure: string[] = []
  if (causes.finalBase) {
    const { base, head } = causes.finalBase
    structure.push(
      `the final stage's base changed from ${w.quote(`FROM ${base.from}`)} (${w.line(base.line, 'base')}) to ` +
        `${w.quote(`FROM ${head.from}`)} (${w.line(head.line, 'head')})`
    )
  }
  const stages = (names: Array<string | null>, what: string) => {
    if (names.length === 0) return
    if (names.length === 1) structure.push(`${w.stage(names[0] ?? null)} was ${what}`)
    else structure.push(`${countOf(names.length, 'stage')} were ${what} (${names.map(w.stage).join(', ')})`)
  }
  stages(causes.stagesDropped, 'dropped')
  stages(causes.stagesAdded, 'added')
  const clauses: string[] = []
  if (structure.length) {
    const ships = causes.ships ? `, so the build stage ${causes.ships.now ? 'now ships' : 'no longer ships'}` : ''
    clauses.push(`${structure.join(' and ')}${ships}`)
  }
  for (const copy of causes.wholeStageCopies) {
    clauses.push(
      `${w.line(copy.line, 'head')} ${w.quote(instructionText({ keyword: '', args: copy.instruction }, 60))} copies the whole stage ${w.quote(copy.stage)}`
    )
  }
  const topLine = causes.top?.head?.line ?? null
  if (causes.top) {
    const { side, line, text } = instructionOf(causes.top)
    const withCache = cachesOf(causes, topLine)
    const cache = withCache.length
      ? `, which leaves a package cache in its layer (${withCache.map(hint => `${w.quote(hint.path)} ${w.size(hint.bytes)}`).join(', ')})`
      : ''
    clauses.push(`most of it from ${w.line(line, side)} ${w.quote(text)} (${w.size(causes.top.delta)})${cache}`)
  }
  for (const cache of causes.caches) {
    if (cachesOf(causes, topLine).includes(cache)) continue
    const from = cache.source?.line ? w.line(cache.source.line, 'head') : 'a layer'
    clauses.push(`${from} leaves a package cache in its layer (${w.quote(cache.path)} ${w.size(cache.bytes)})`)
  }
  const sentence = clauses.join('; ')
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}.`
}

/** The comment's paragraph: "**Why `x` grew:** …", or null. */
export function causeParagraph(image: ImageResult, links: RepositoryLinks | null): string | null {
  const sentence = causeSentence(causesOf(image), 'markdown')
  if (!sentence) return null
  const grew = (image.delta ?? 0) > 0 ? 'grew' : 'shrank'
  return `**Why ${targetName(image.target, links)} ${grew}:** ${sentence}`
}

/** The command's line, or null. */
export function causeLine(image: ImageResult): string | null {
  const sentence = causeSentence(causesOf(image), 'text')
  return sentence ? `Why it ${(image.delta ?? 0) > 0 ? 'grew' : 'shrank'}: ${sentence}` : null
}

export interface Advice {
  /** A warning for what undoes a Dockerfile's design; a tip for a clean-up. */
  level: 'warning' | 'tip'
  text: string
}

/** What empties a package manager's cache, in the instruction that fills it. */
const CACHE_ADVICE: Record<string, string> = {
  '/var/cache/apt': 'end the `apt-get install` RUN with `apt-get clean`',
  '/var/lib/apt/lists': 'end the `apt-get update` RUN with `rm -rf /var/lib/apt/lists/*`',
  '/root/.cache/pip': 'install with `pip install --no-cache-dir`',
  '/root/.npm': 'end the `npm` RUN with `npm cache clean --force`, or use a cache mount',
  '/var/cache/apk': 'install with `apk add --no-cache`'
}

/**
 * One piece of advice per cause that something can be done about, each saying what to do;
 * none for a change that needs nothing (an image that shrank by design) and none twice.
 */
export function adviceFor(image: ImageResult, style: Style): Advice[] {
  const causes = causesOf(image)
  if (!causes) return []
  const w = writer(style)
  const ours = (text: string) => (style === 'markdown' ? text : text.replace(/`/g, ''))
  const advice: Advice[] = []
  const grew = (image.delta ?? 0) > 0
  if (grew && causes.ships?.now && causes.finalBase) {
    const { base, head } = causes.finalBase
    const copy = causes.baseCopy
      ? `, as ${w.line(causes.baseCopy.line, 'base')} did: ${w.quote(instructionText({ keyword: '', args: causes.baseCopy.instruction }, 80))}`
      : ''
    advice.push({
      level: 'warning',
      text:
        `The build stage now ships: the final stage starts ${w.quote(`FROM ${head.from}`)} (${w.line(head.line, 'head')}) ` +
        `where it started ${w.quote(`FROM ${base.from}`)} (${w.line(base.line, 'base')}), so the image carries everything ` +
        `the build installed and compiled. Put back a final stage that starts ${w.quote(`FROM ${base.from}`)} and copies only what runs${copy}.`
    })
  } else if (grew && causes.finalBase) {
    const { base, head } = causes.finalBase
    const from = growthOf(image)
    advice.push({
      level: 'warning',
      text:
        `The final stage now starts ${w.quote(`FROM ${head.from}`)} (${w.line(head.line, 'head')}) instead of ` +
        `${w.quote(`FROM ${base.from}`)} (${w.line(base.line, 'base')})${from ? ` (${w.size(from)} for the image it starts from)` : ''}. ` +
        `If the image needs none of what that image adds at run time, start the final stage from ${w.quote(base.from)} or another small image.`
    })
  }
  for (const copy of causes.wholeStageCopies) {
    advice.push({
      level: 'warning',
      text:
        `${w.line(copy.line, 'head')} ${w.quote(instructionText({ keyword: '', args: copy.instruction }, 80))} copies the whole stage ` +
        `${w.quote(copy.stage)} into the image: copy only the files the image runs (a binary, its configuration).`
    })
  }
  for (const cache of causes.caches) {
    const from = cache.source?.line ? w.line(cache.source.line, 'head') : 'A layer'
    const fix = CACHE_ADVICE[cache.path] ?? 'remove it in the instruction that fills it'
    advice.push({
      level: 'tip',
      text: `${from} leaves a package manager's cache in its layer: ${w.quote(displayText(cache.path))} (${w.size(cache.bytes)}). ${ours(capitalize(fix))}.`
    })
  }
  const cached = causes.caches.map(cache => cache.path)
  for (const hint of causes.deletedLater) {
    if (cached.some(path => hint.path === path || hint.path.startsWith(`${path}/`))) continue
    advice.push({ level: 'tip', text: deletedLaterText(hint, w) })
  }
  return advice
}

function deletedLaterText(hint: Extract<PathHint, { kind: 'deleted-later' }>, w: ReturnType<typeof writer>): string {
  const at = (source: PathSource | null) => (source?.line ? w.line(source.line, source.side) : 'a later layer')
  return (
    `${w.quote(displayText(hint.path))} (${countOf(hint.files, 'file')}, ${w.plain(hint.bytes)}) is added by ` +
    `${at(hint.source)} and deleted by ${at(hint.deletedBy)}, but still ships in the layer that added it: ` +
    'delete it in the same RUN that creates it.'
  )
}

type PathSource = Extract<PathHint, { kind: 'deleted-later' }>['source']

/** The bytes the final stage's FROM moved: the image it starts from, the new one against the old. */
function growthOf(image: ImageResult): number | null {
  const base = image.base?.instructions?.[0]
  const head = image.head?.instructions?.[0]
  return base?.keyword === 'FROM' && head?.keyword === 'FROM' && head.size !== base.size ? head.size - base.size : null
}

const capitalize = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`

/** The advice as GitHub alerts, each its own blockquote at the top level of the comment. */
export function adviceMarkdown(image: ImageResult): string[] {
  return adviceFor(image, 'markdown').map(
    advice => `> [!${advice.level === 'warning' ? 'WARNING' : 'TIP'}]\n> ${advice.text}`
  )
}
