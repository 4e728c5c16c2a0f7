// The plain data that flows through the pipeline. Each step takes and returns these
// shapes, so every step can be tested without the ones before it.
import type { GrowthThreshold } from '../inputs/thresholds.js'

import type { InstructionSize } from '../explain/attribute.js'

/** How the PR changed a file, in the GitHub API's words (`pulls.listFiles`). */
export type FileStatus = 'added' | 'modified' | 'removed' | 'renamed' | 'copied' | 'changed' | 'unchanged'

export interface ChangedFile {
  /** Path from the repository root, at the head. For a removed file, its path at the base. */
  path: string
  status: FileStatus
  /** For a rename or copy: the path at the base. */
  previousPath?: string
}

/** The two commits being compared. */
export interface Revisions {
  baseSha: string
  headSha: string
  /** The head is the working tree: headSha plus changes not committed yet (the local command). */
  headUncommitted?: boolean
}

/** How the Dockerfile itself changed between the two sides. */
export type ImageChange = 'added' | 'modified' | 'removed' | 'renamed' | 'unchanged'

export interface BuildOptions {
  target?: string
  buildArgs?: Record<string, string>
  platform?: string
}

/** One image to check: a Dockerfile and its build context, on each side where it exists. */
export interface ImageTarget {
  /** Dockerfile path at the head (at the base when removed), from the repository root. */
  dockerfile: string
  /** Build context folder from the repository root ('.' for the root). */
  context: string
  /** Dockerfile path at the base when it differs (renamed), else the same as `dockerfile`. */
  baseDockerfile: string
  baseContext: string
  change: ImageChange
  /** Why this image was checked, for the reader of the comment. */
  reason: string
  /** The name the images config gives it; the Dockerfile path stands for it otherwise. */
  name?: string
  /** What made it affected; absent means its own Dockerfile changed. */
  trigger?: 'dockerfile' | 'context' | 'watch'
  /** Build options from the images config (or the compose or bake file, at the head). */
  build?: BuildOptions
  /** The base's own build options where they differ from the head's (a compose or bake file changed). */
  baseBuild?: BuildOptions
  /** Where the image was declared: absent for a Dockerfile found by the `dockerfiles` globs. */
  from?: 'config' | 'compose' | 'bake'
  /** Limits from the images config, each replacing the global one for this image (null: none). */
  limits?: { maxIncrease?: GrowthThreshold | null; warnIncrease?: GrowthThreshold | null; maxSize?: number | null }
  /** The Dockerfile and the build context (after .dockerignore) are the same at both commits. */
  identical?: boolean
  /** Where the base's figures came from when not from a build in this run. */
  baseline?: { source: 'record'; commit: string; behind: number }
}

/** What `docker image inspect` tells about one image, and what its layers add to that. */
export interface ImageMeasurement {
  /** Bytes: the figure compared; how it was computed is in `sizeSource`. */
  size: number
  id: string
  layers: number
  /** `inspect`: `docker image inspect`'s Size; `layers`: the sum of `docker history`'s layers. */
  sizeSource?: 'inspect' | 'layers'
  /** `docker image inspect`'s Size, kept when `size` comes from the layers. */
  inspectSize?: number
  /** Sum of the unpacked layers `docker history` lists. */
  layerBytes?: number
  /** Bytes of the layers gzip-compressed, as a registry stores them (compressed-size: true). */
  compressedSize?: number
  /** The built stage's instructions, each with the bytes its layers add. */
  instructions?: InstructionSize[]
}

export type Side = 'base' | 'head'

export interface BuildOutcome {
  side: Side
  ok: boolean
  /** The tag given to the built image (set when ok). */
  tag?: string
  /** The last lines of the build's output, when it failed. */
  logTail?: string
  /** One-line reason for a failure. */
  error?: string
  /** The Dockerfile line of the step that failed, where it is known (build/failed-step.ts). */
  failedLine?: number
  durationMs: number
  /** The build's whole output, when it was kept instead of streamed to the log. */
  output?: string
}

export type Verdict = 'pass' | 'warn' | 'fail' | 'error'

/** The limits an image is judged by; null where none applies. */
export interface Limits {
  maxIncrease: GrowthThreshold | null
  warnIncrease: GrowthThreshold | null
  maxSize: number | null
}

export interface ImageResult {
  target: ImageTarget
  base: ImageMeasurement | null
  head: ImageMeasurement | null
  /** head.size - base.size, null where either side is missing. */
  delta: number | null
  /** 100 * delta / base.size, null where either side is missing. */
  deltaPercent: number | null
  verdict: Verdict
  /** Why the verdict, in one sentence. */
  reason: string
  /** Notes on a side that could not be built (a base build that failed, say). */
  notes: string[]
  /** The last lines of a failed build's output. */
  logTail?: string
  /** The limits it was judged by: its own from the images config, else the run's. */
  limits: Limits
  /** Its builds that failed, by side (as measured). */
  failedBuilds: BuildOutcome[]
}

export interface Comparison {
  revisions: Revisions
  verdict: Verdict
  images: ImageResult[]
  /** Sum of every known delta, in bytes. */
  totalDelta: number
}
