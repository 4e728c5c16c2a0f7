import { createHash } from 'node:crypto'
import { DockerfileParser, From, Instruction } from 'dockerfile-ast'
import type { Fingerprint } from './schema.js'

// A record stands for a base build only when everything that decides the image is what it
// was when the record was made. That is, in parts (so a mismatch can say which part moved):
//   source   the Dockerfile's blob and every file of the context its dockerignore lets
//            through, by git object id (discovery's own view of the context)
//   build    target, build-args and platform
//   platform the platform built for: the one asked for, else the engine's own (never none:
//            an arm64 record does not stand for an amd64 build)
//   from     every image the Dockerfile reads (FROM, COPY --from, RUN --mount=…,from=),
//            resolved to an id. Named build contexts: the builds here pass none
//            (`--build-context`), so each such name that is no stage is an image, resolved.
//   secrets  each secret (and ssh socket) a RUN step mounts, and whether this run gives it:
//            a step can write other bytes with a secret than without
//   measure  the size method and the image store, since figures of two methods differ
// A part that cannot be known (an image reference built from a variable without a value, a
// mount id the same) means no record stands: the base is built.

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
  /** The ids of the build secrets this run passes (the `secrets` input). */
  secretIds: string[]
  /** The engine's own platform (os/arch), what a build without `platform` is for. */
  enginePlatform: string
}

export type FingerprintResult = { fingerprint: Fingerprint } | { unresolved: string }

export async function fingerprintImage(input: FingerprintInput): Promise<FingerprintResult> {
  const images = externalImages(input.dockerfileText, input.build?.buildArgs ?? {})
  if ('unresolved' in images) return images
  const given = new Set(input.secretIds)
  const platform = normalizePlatform(input.build?.platform || input.enginePlatform)
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
          platform
        })
      ),
      platform,
      from,
      secrets: Object.fromEntries(images.mounts.map(mount => [mount, mountGiven(mount, given)])),
      measure: input.measure
    }
  }
}

/** Whether this run provides a mounted secret (`secret:<id>`); ssh sockets never are (no `--ssh`). */
function mountGiven(mount: string, given: Set<string>): boolean {
  return mount.startsWith('secret:') && given.has(mount.slice('secret:'.length))
}

/** `amd64` and `linux/amd64` are one platform; the engine says `x86_64` for it. */
export function normalizePlatform(platform: string): string {
  const parts = platform.trim().toLowerCase().split('/')
  const [os, arch, ...variant] = parts.length === 1 ? ['linux', ...parts] : parts
  const machine: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64', armv7l: 'arm/v7', i386: '386' }
  return [os, machine[arch ?? ''] ?? arch, ...variant].filter(Boolean).join('/')
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
  if (recorded.platform !== expected.platform) {
    return `the record was built for ${recorded.platform}, this base is built for ${expected.platform}`
  }
  if (recorded.build !== expected.build) return 'the target, build-args or platform differ from the record'
  const mounts = Object.keys({ ...recorded.secrets, ...expected.secrets }).sort()
  const secret = mounts.find(mount => recorded.secrets[mount] !== expected.secrets[mount])
  if (secret !== undefined) {
    const state = (given: boolean | undefined) => (given === undefined ? 'not mounted' : given ? 'given' : 'not given')
    return `the ${secret.replace(':', ' ')} was ${state(recorded.secrets[secret])} when recorded, is ${state(expected.secrets[secret])} in this run`
  }
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
 * What a Dockerfile reads from outside itself and its context: each FROM that is not an
 * earlier stage or `scratch`, each `COPY --from` and `RUN --mount=…,from=` that names an
 * image; and each secret or ssh socket a `RUN --mount` mounts (`secret:<id>`, `ssh:<id>`).
 * Variables in them are resolved from build-args and the ARGs in scope; one that stays
 * unresolved makes the image's inputs unknown.
 */
export function externalImages(
  dockerfileText: string,
  buildArgs: Record<string, string>
): { references: string[]; mounts: string[] } | { unresolved: string } {
  const parsed = DockerfileParser.parse(dockerfileText)
  const globals: Record<string, string> = {}
  let scope: Record<string, string> = {}
  const stages = new Set<string>()
  const references = new Set<string>()
  const mounts = new Set<string>()
  let seenFrom = false
  const isStage = (name: string) => stages.has(name.toLowerCase()) || /^\d+$/.test(name)
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase()
    if (keyword === 'ARG') {
      for (const arg of instruction.getArguments()) {
        const [name, ...value] = arg.getValue().split('=')
        if (!name) continue
        const fallback = value.length ? value.join('=') : seenFrom ? globals[name] : undefined
        const resolved = buildArgs[name] ?? fallback
        if (resolved === undefined) continue
        if (seenFrom) scope[name] = resolved
        else globals[name] = resolved
      }
    }
    const found: string[] = []
    if (keyword === 'FROM') {
      seenFrom = true
      scope = {}
      const from = instruction as From
      const reference = from.getImage()
      const stage = from.getBuildStage()
      if (reference !== null && !stages.has(reference.toLowerCase())) found.push(reference)
      if (stage) stages.add(stage.toLowerCase())
    } else if (keyword === 'COPY') {
      const flag = instruction.getArguments().find(arg => arg.getValue().startsWith('--from='))
      const value = flag?.getValue().slice('--from='.length) ?? null
      if (value !== null && !isStage(value)) found.push(value)
    } else if (keyword === 'RUN') {
      for (const mount of runMounts(instruction)) {
        const vars = { ...globals, ...scope }
        if (mount.from !== undefined) {
          const from = expand(mount.from, vars)
          if (from === null)
            return { unresolved: `a RUN --mount from ${mount.from} depends on a variable with no value` }
          if (!isStage(from)) found.push(from)
        }
        if (mount.type === 'secret' || mount.type === 'ssh') {
          const id = expand(mount.id, vars)
          if (id === null)
            return { unresolved: `a RUN --mount ${mount.type} id ${mount.id} depends on a variable with no value` }
          mounts.add(`${mount.type}:${id}`)
        }
      }
    }
    for (const reference of found) {
      const expanded = expand(reference, seenFrom && keyword !== 'FROM' ? { ...globals, ...scope } : globals)
      if (expanded === null) return { unresolved: `the image ${reference} depends on a variable with no value` }
      if (expanded.toLowerCase() !== 'scratch') references.add(expanded)
    }
  }
  return { references: [...references].sort(), mounts: [...mounts].sort() }
}

interface RunMount {
  type: string
  from?: string
  /** The secret's or ssh socket's id, as BuildKit defaults it. */
  id: string
}

/** A RUN's `--mount` flags, read as BuildKit reads them (comma-separated key=value, type bind by default). */
function runMounts(instruction: Instruction): RunMount[] {
  const flags =
    (
      instruction as Instruction & { getFlags?: () => Array<{ getName(): string; getValue(): string | null }> }
    ).getFlags?.() ?? []
  const mounts: RunMount[] = []
  for (const flag of flags) {
    if (flag.getName().toLowerCase() !== 'mount') continue
    const fields = new Map<string, string>()
    for (const part of (flag.getValue() ?? '').split(',')) {
      const at = part.indexOf('=')
      const key = (at === -1 ? part : part.slice(0, at)).trim().toLowerCase()
      fields.set(
        key,
        at === -1
          ? 'true'
          : part
              .slice(at + 1)
              .trim()
              .replace(/^"(.*)"$/, '$1')
      )
    }
    const type = (fields.get('type') ?? 'bind').toLowerCase()
    const target = fields.get('target') ?? fields.get('dst') ?? fields.get('destination')
    // BuildKit: a secret's id defaults to its target's last part; an ssh socket's to `default`.
    const id = fields.get('id') ?? (type === 'ssh' ? 'default' : (target?.split('/').filter(Boolean).at(-1) ?? ''))
    const from = fields.get('from')
    mounts.push({ type, id, ...(from !== undefined ? { from } : {}) })
  }
  return mounts
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
