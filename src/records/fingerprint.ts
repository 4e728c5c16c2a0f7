import { createHash } from 'node:crypto'
import { DockerfileParser, From } from 'dockerfile-ast'
import type { Fingerprint } from './schema.js'

// A record stands for a base build only when everything that decides the image is what it
// was when the record was made. That is, in parts (so a mismatch can say which part moved):
//   source   the Dockerfile's blob and every file of the context its dockerignore lets
//            through, by git object id (discovery's own view of the context)
//   build    target, build-args and platform
//   from     every image the Dockerfile pulls in (FROM, COPY --from), resolved to an id
//   measure  the size method and the image store, since figures of two methods differ

export interface BuildSettings {
  target?: string
  buildArgs?: Record<string, string>
  platform?: string
}

/** Resolves an image reference to the id the engine has for it, or null when it has none. */
export type ImageResolver = (reference: string) => Promise<string | null>

export interface FingerprintInput {
  /** Discovery's description of the Dockerfile and its filtered context (see `sourceFingerprint`). */
  source: string
  dockerfileText: string
  build?: BuildSettings
  measure: string
  resolveImage: ImageResolver
}

export type FingerprintResult = { fingerprint: Fingerprint } | { unresolved: string }

export async function fingerprintImage(input: FingerprintInput): Promise<FingerprintResult> {
  const images = externalImages(input.dockerfileText, input.build?.buildArgs ?? {})
  if ('unresolved' in images) return images
  const from: Record<string, string> = {}
  for (const reference of images.references) {
    const id = await input.resolveImage(reference)
    if (!id) return { unresolved: `the engine has no image ${reference} to compare with the record` }
    from[reference] = id
  }
  return {
    fingerprint: {
      source: sha256(input.source),
      build: sha256(
        JSON.stringify({
          target: input.build?.target ?? null,
          buildArgs: Object.entries(input.build?.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b)),
          platform: input.build?.platform ?? null
        })
      ),
      from,
      measure: input.measure
    }
  }
}

/**
 * Why a recorded fingerprint does not stand for the expected one, in a few words; null when
 * it does.
 */
export function fingerprintMismatch(recorded: Fingerprint, expected: Fingerprint): string | null {
  if (recorded.measure !== expected.measure) {
    return `the record was measured as ${recorded.measure}, this run measures as ${expected.measure}`
  }
  if (recorded.source !== expected.source) return 'the Dockerfile or its build context differ from the record'
  if (recorded.build !== expected.build) return 'the target, build-args or platform differ from the record'
  const moved = Object.keys({ ...recorded.from, ...expected.from }).filter(
    reference => recorded.from[reference] !== expected.from[reference]
  )
  if (moved.length) {
    const [first] = moved
    const now = first ? expected.from[first] : undefined
    const then = first ? recorded.from[first] : undefined
    return `${first} resolves to ${shortId(now)} now, ${shortId(then)} when recorded`
  }
  return null
}

/**
 * The images a Dockerfile pulls in from outside itself: each FROM that is not an earlier
 * stage or `scratch`, and each `COPY --from` that names an image. Variables in them are
 * resolved from build-args and the ARGs before the first FROM; one that stays unresolved
 * makes the image's inputs unknown.
 */
export function externalImages(
  dockerfileText: string,
  buildArgs: Record<string, string>
): { references: string[] } | { unresolved: string } {
  const parsed = DockerfileParser.parse(dockerfileText)
  const globals: Record<string, string> = {}
  const stages = new Set<string>()
  const references = new Set<string>()
  let seenFrom = false
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase()
    if (keyword === 'ARG' && !seenFrom) {
      for (const arg of instruction.getArguments()) {
        const [name, ...value] = arg.getValue().split('=')
        if (name) globals[name] = buildArgs[name] ?? value.join('=')
      }
    }
    let reference: string | null = null
    if (keyword === 'FROM') {
      seenFrom = true
      const from = instruction as From
      reference = from.getImage()
      const stage = from.getBuildStage()
      if (reference !== null && stages.has(reference.toLowerCase())) reference = null
      if (stage) stages.add(stage.toLowerCase())
    } else if (keyword === 'COPY') {
      const flag = instruction.getArguments().find(arg => arg.getValue().startsWith('--from='))
      const value = flag?.getValue().slice('--from='.length) ?? null
      if (value !== null && !stages.has(value.toLowerCase()) && !/^\d+$/.test(value)) reference = value
    }
    if (reference === null) continue
    const expanded = expand(reference, globals)
    if (expanded === null) return { unresolved: `the image ${reference} depends on a variable with no value` }
    if (expanded.toLowerCase() !== 'scratch') references.add(expanded)
  }
  return { references: [...references].sort() }
}

function expand(text: string, values: Record<string, string>): string | null {
  let unresolved = false
  const result = text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a, dflt, b) => {
      const name = (a ?? b) as string
      const value = values[name] || (dflt as string | undefined)
      if (value === undefined || value === '') unresolved = true
      return value ?? ''
    }
  )
  return unresolved ? null : result
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

function shortId(id: string | undefined): string {
  if (!id) return 'nothing'
  return id.replace(/^sha256:/, '').slice(0, 12)
}
