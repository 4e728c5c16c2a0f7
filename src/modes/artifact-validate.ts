import { constants } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineInfo } from '../tools/docker.js'
import { InstructionSize } from '../explain/attribute.js'
import { ImageChange, ImageMeasurement, Side } from '../shared/types.js'
import { ARTIFACT_FILE, ARTIFACT_SCHEMA_VERSION, ArtifactImage, SizeArtifact } from './artifact.js'
import { FORBIDDEN_CHARACTERS, neutralizeMarkdown } from '../report/sanitize.js'

/** The artifact was refused: its message says which field and why, never quoting more than a little of it. */
export class ArtifactError extends Error {}

/** Caps on what an artifact may hold; well above any real run, far below what could hurt. */
export const ARTIFACT_LIMITS = {
  /** The file's size. A real report of 1,000 images with failed builds is under 1 MB. */
  maxBytes: 4 * 1024 * 1024,
  maxImages: 1000,
  /** A path from the repository root (Linux allows 4,096; no repository needs that). */
  maxPath: 1024,
  /** A reason, an error, an engine field. */
  maxText: 2000,
  /** The last lines of a failed build's output (the measure run keeps 20 lines). */
  maxLog: 8000,
  maxSize: Number.MAX_SAFE_INTEGER,
  maxLayers: 10_000,
  /** Instructions of one image's stage. */
  maxInstructions: 1000
} as const

/**
 * Reads the artifact file in `dir`. It must be a regular file (a link could point at a file
 * of the runner's) of at most `maxBytes`; it is read through one descriptor opened without
 * following links, so it cannot be swapped between the check and the read.
 */
export async function readArtifact(dir: string): Promise<SizeArtifact> {
  const path = join(dir, ARTIFACT_FILE)
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      throw new ArtifactError(
        `No ${ARTIFACT_FILE} in ${dir}. Download the measure run's artifact there first ` +
          '(actions/download-artifact with run-id: ${{ github.event.workflow_run.id }}), or point artifact-path at it.'
      )
    }
    if (code === 'ELOOP') throw new ArtifactError(`${path} is a symbolic link; the artifact must be a plain file.`)
    throw new ArtifactError(`Could not open ${path}: ${(error as Error).message}`)
  }
  try {
    const stats = await handle.stat()
    if (!stats.isFile()) throw new ArtifactError(`${path} is not a plain file.`)
    if (stats.size > ARTIFACT_LIMITS.maxBytes) {
      throw new ArtifactError(`${path} is ${stats.size} bytes, over the limit of ${ARTIFACT_LIMITS.maxBytes}.`)
    }
    const buffer = Buffer.alloc(ARTIFACT_LIMITS.maxBytes + 1)
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0)
    if (bytesRead > ARTIFACT_LIMITS.maxBytes) {
      throw new ArtifactError(`${path} grew past the limit of ${ARTIFACT_LIMITS.maxBytes} bytes while read.`)
    }
    return parseArtifact(buffer.subarray(0, bytesRead).toString('utf8'))
  } finally {
    await handle.close()
  }
}

/**
 * Checks every field of the artifact and builds a new object from the known ones alone:
 * unknown fields are dropped, strings are capped, checked for control characters and
 * neutralized for markdown, numbers must be whole and in range.
 */
export function parseArtifact(text: string): SizeArtifact {
  if (text.length > ARTIFACT_LIMITS.maxBytes) throw new ArtifactError('The artifact is too large.')
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new ArtifactError('The artifact is not valid JSON.')
  }
  const root = record(json, 'the artifact')
  if (root.tool !== 'docker-size-check') {
    throw new ArtifactError("The artifact's `tool` is not docker-size-check: it is not a docker-size-check artifact.")
  }
  if (root.schemaVersion !== ARTIFACT_SCHEMA_VERSION) {
    throw new ArtifactError(
      `The artifact's schemaVersion is ${short(root.schemaVersion)}; this version reads ${ARTIFACT_SCHEMA_VERSION}. ` +
        'Use the same version of docker-size-check in the measure and the comment workflows.'
    )
  }
  const images = array(root.images, 'images')
  if (images.length > ARTIFACT_LIMITS.maxImages) {
    throw new ArtifactError(
      `The artifact lists ${images.length} images, over the limit of ${ARTIFACT_LIMITS.maxImages}.`
    )
  }
  return {
    schemaVersion: ARTIFACT_SCHEMA_VERSION,
    tool: 'docker-size-check',
    pullRequest: nullable(root.pullRequest, 'pullRequest', value => {
      const pr = record(value, 'pullRequest')
      return {
        number: integer(pr.number, 'pullRequest.number', 1, 1e9),
        headSha: sha(pr.headSha, 'pullRequest.headSha')
      }
    }),
    revisions: (() => {
      const revisions = record(root.revisions, 'revisions')
      return {
        baseSha: sha(revisions.baseSha, 'revisions.baseSha', true),
        headSha: sha(revisions.headSha, 'revisions.headSha', true)
      }
    })(),
    engine: nullable(root.engine, 'engine', value => engine(value)),
    error: nullable(root.error, 'error', value => text_(value, 'error', ARTIFACT_LIMITS.maxText)),
    images: images.map((image, index) => artifactImage(image, `images[${index}]`))
  }
}

function artifactImage(value: unknown, at: string): ArtifactImage {
  const image = record(value, at)
  const failed = array(image.failedBuilds, `${at}.failedBuilds`)
  if (failed.length > 2)
    throw new ArtifactError(`${at}.failedBuilds has ${failed.length} entries; an image has two sides.`)
  return {
    dockerfile: path(image.dockerfile, `${at}.dockerfile`),
    context: path(image.context, `${at}.context`),
    baseDockerfile: path(image.baseDockerfile, `${at}.baseDockerfile`),
    baseContext: path(image.baseContext, `${at}.baseContext`),
    change: oneOf<ImageChange>(image.change, `${at}.change`, ['added', 'modified', 'removed', 'renamed', 'unchanged']),
    checkedBecause: text_(image.checkedBecause, `${at}.checkedBecause`, ARTIFACT_LIMITS.maxText),
    base: nullable(image.base, `${at}.base`, side => measurement(side, `${at}.base`)),
    head: nullable(image.head, `${at}.head`, side => measurement(side, `${at}.head`)),
    failedBuilds: failed.map((build, index) => {
      const where = `${at}.failedBuilds[${index}]`
      const entry = record(build, where)
      return {
        side: oneOf<Side>(entry.side, `${where}.side`, ['base', 'head']),
        error: text_(entry.error, `${where}.error`, ARTIFACT_LIMITS.maxText),
        logTail: text_(entry.logTail, `${where}.logTail`, ARTIFACT_LIMITS.maxLog, true)
      }
    })
  }
}

function measurement(value: unknown, at: string): ImageMeasurement {
  const side = record(value, at)
  const id = side.id
  if (typeof id !== 'string' || !/^[a-z0-9]+:[0-9a-f]{32,128}$/.test(id)) {
    throw new ArtifactError(`${at}.id is not an image id such as sha256:<64 hex digits>.`)
  }
  const measured: ImageMeasurement = {
    size: integer(side.size, `${at}.size`, 0, ARTIFACT_LIMITS.maxSize),
    id,
    layers: integer(side.layers, `${at}.layers`, 0, ARTIFACT_LIMITS.maxLayers)
  }
  // What explains the size is optional: a measure run without it is still a measure run.
  if (side.sizeSource !== undefined) {
    measured.sizeSource = oneOf(side.sizeSource, `${at}.sizeSource`, ['inspect', 'layers', 'layer-files'] as const)
  }
  for (const field of ['inspectSize', 'layerBytes', 'compressedSize'] as const) {
    if (side[field] !== undefined) measured[field] = integer(side[field], `${at}.${field}`, 0, ARTIFACT_LIMITS.maxSize)
  }
  if (side.instructions !== undefined) {
    const instructions = array(side.instructions, `${at}.instructions`)
    if (instructions.length > ARTIFACT_LIMITS.maxInstructions) {
      throw new ArtifactError(
        `${at}.instructions lists ${instructions.length}, over the limit of ${ARTIFACT_LIMITS.maxInstructions}.`
      )
    }
    measured.instructions = instructions.map((value, index) => instruction(value, `${at}.instructions[${index}]`))
  }
  return measured
}

function instruction(value: unknown, at: string): InstructionSize {
  const entry = record(value, at)
  const keyword = text_(entry.keyword, `${at}.keyword`, 20)
  if (!/^[A-Z]+$/.test(keyword)) throw new ArtifactError(`${at}.keyword is not a Dockerfile instruction.`)
  const line = integer(entry.line, `${at}.line`, 1, 1_000_000)
  return {
    keyword,
    args: text_(entry.args, `${at}.args`, ARTIFACT_LIMITS.maxText),
    line,
    endLine: integer(entry.endLine, `${at}.endLine`, line, 1_000_000),
    size: integer(entry.size, `${at}.size`, 0, ARTIFACT_LIMITS.maxSize)
  }
}

function engine(value: unknown): EngineInfo {
  const info = record(value, 'engine')
  return {
    serverVersion: text_(info.serverVersion, 'engine.serverVersion', 100),
    apiVersion: text_(info.apiVersion, 'engine.apiVersion', 100),
    storageDriver: text_(info.storageDriver, 'engine.storageDriver', 100),
    builder: oneOf(info.builder, 'engine.builder', ['buildx', 'legacy'] as const),
    imageStore: oneOf(info.imageStore, 'engine.imageStore', ['containerd', 'graphdriver'] as const)
  }
}

// ---- field readers: each names the field it refused ---------------------------------------

function record(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArtifactError(`${at} is not an object.`)
  }
  return value as Record<string, unknown>
}

function array(value: unknown, at: string): unknown[] {
  if (!Array.isArray(value)) throw new ArtifactError(`${at} is not a list.`)
  return value
}

function nullable<T>(value: unknown, at: string, read: (value: unknown) => T): T | null {
  if (value === null) return null
  if (value === undefined) throw new ArtifactError(`${at} is missing.`)
  return read(value)
}

function integer(value: unknown, at: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ArtifactError(`${at} is ${short(value)}; expected a whole number from ${min} to ${max}.`)
  }
  return value
}

function oneOf<T extends string>(value: unknown, at: string, choices: readonly T[]): T {
  const match = choices.find(choice => choice === value)
  if (match === undefined) throw new ArtifactError(`${at} is ${short(value)}; expected one of ${choices.join(', ')}.`)
  return match
}

function sha(value: unknown, at: string, allowEmpty = false): string {
  if (typeof value === 'string' && ((allowEmpty && value === '') || /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(value))) {
    return value
  }
  throw new ArtifactError(`${at} is ${short(value)}; expected a commit SHA of 40 hex digits.`)
}

/**
 * A string of at most `max` characters, without control characters, neutralized for markdown.
 * Build output (`multiline`) is shown only inside `<pre>`, escaped, where GitHub links no
 * mentions or references; it stays as docker wrote it (BuildKit numbers its steps `#5`).
 */
function text_(value: unknown, at: string, max: number, multiline = false): string {
  if (typeof value !== 'string') throw new ArtifactError(`${at} is ${short(value)}; expected a string.`)
  if (value.length > max) throw new ArtifactError(`${at} is ${value.length} characters long, over the limit of ${max}.`)
  if (FORBIDDEN_CHARACTERS.test(value) || (!multiline && /[\n\t]/.test(value))) {
    throw new ArtifactError(`${at} holds control characters.`)
  }
  return multiline ? value : neutralizeMarkdown(value)
}

/** A relative path inside the repository: no `..` step, no leading `/`. */
function path(value: unknown, at: string): string {
  const text = text_(value, at, ARTIFACT_LIMITS.maxPath)
  if (text === '' || text.startsWith('/') || text.split('/').includes('..')) {
    throw new ArtifactError(`${at} is not a path inside the repository.`)
  }
  return text
}

/** A little of a refused value, JSON-quoted, for the message. */
function short(value: unknown): string {
  const text = value === undefined ? 'missing' : JSON.stringify(value)
  return text === undefined ? typeof value : text.length > 40 ? `${text.slice(0, 40)}…` : text
}
