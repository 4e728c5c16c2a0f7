// The plain data that flows through the pipeline. Each step takes and returns these
// shapes, so every step can be tested without the ones before it. A leaf: it imports nothing
// of the project, so that no step imports another to get a type. An image's measurement is
// derived from its one schema (measurement.ts), which the run files and the records share.
import type { ImageMeasurement, InstructionSize, RecordedLayer } from './measurement.js'
export type {
  DockerInstruction,
  ImageMeasurement,
  InstructionSize,
  RecordedLayer,
  StageSummary
} from './measurement.js'

/** One limit on growth: a number of bytes, or a share of the base image's size. */
export type GrowthLimit = { kind: 'bytes'; bytes: number } | { kind: 'percent'; percent: number }

/**
 * A growth threshold such as `10%`, `25MB` or `10%, 5MB`. With several limits the
 * threshold is passed only when the growth passes every one of them: `10%, 5MB` lets a
 * tiny image grow by 50% as long as that is under 5 MB, and a huge one by 4 MB.
 */
export interface GrowthThreshold {
  limits: GrowthLimit[]
  /** The text the user wrote, for messages. */
  text: string
}

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

interface BuildOptions {
  target?: string
  buildArgs?: Record<string, string>
  platform?: string
  /**
   * Named contexts (`--build-context`), by name: a folder from the repository root,
   * `docker-image://<reference>`, or `target:<image name>` (another image of the run, built
   * first on the same side).
   */
  contexts?: Record<string, string>
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
  /** Build options for the head: from the images config, or the compose or bake file. */
  build?: BuildOptions
  /**
   * Build options for the base, from the base commit's config (or compose or bake file): each
   * side is built as its own commit defines it. Absent: the same as `build`.
   */
  baseBuild?: BuildOptions
  /** Where the image was declared: absent for a Dockerfile found by the `dockerfiles` globs. */
  from?: 'config' | 'compose' | 'bake'
  /** What the PR changes in the limits this image is held to, one sentence each, for the comment. */
  limitNotes?: string[]
  /** Limits from the images config, each replacing the global one for this image (null: none). */
  limits?: Partial<Omit<Limits, 'missingBaseline'>>
  /** The Dockerfile and the build context (after .dockerignore) are the same at both commits. */
  identical?: boolean
  /** Where the base's figures came from when not from a build in this run. */
  baseline?: { source: 'record'; commit: string; behind: number }
  /** The image's size on the default branch in its last baseline records, oldest first. */
  trend?: RecordedSize[]
  /** An image read from a registry, built by nobody here: one row per platform. */
  reference?: ImageReferences
}

/** A registry image's row: the references compared and the platform whose manifests the row is. */
export interface ImageReferences {
  /** The head's reference as configured; null for a platform only the base has. */
  head: string | null
  /** The base's reference; null where the base came from a record or is missing. */
  base: string | null
  /** os/architecture[/variant]. */
  platform: string
  /** The platform's manifest digest on each side, where it was read. */
  headDigest: string | null
  baseDigest: string | null
}

/** The name a target is shown and sorted by. */
export function labelOf(target: Pick<ImageTarget, 'name' | 'dockerfile' | 'reference'>): string {
  // A registry image has a row per platform: each named by it.
  const platform = target.reference?.platform ? ` (${target.reference.platform})` : ''
  return `${target.name ?? target.dockerfile}${platform}`
}

/** One record's figure of an image: the commit it was recorded at, when, and the size. */
interface RecordedSize {
  commit: string
  recordedAt: string
  bytes: number
}

/** The engine a run measured on. */
export interface EngineInfo {
  serverVersion: string
  apiVersion: string
  /** e.g. overlay2, or io.containerd.snapshotter.v1 with the containerd image store. */
  storageDriver: string
  builder: 'buildx' | 'legacy'
  /**
   * `containerd` when the engine keeps images in containerd (the default of new Docker 29
   * installs), where `docker image inspect`'s Size means something else; `graphdriver` otherwise.
   */
  imageStore: 'containerd' | 'graphdriver'
  /** The engine's own platform as `docker info` says it (`linux/x86_64`): what a build without --platform is for. */
  platform?: string
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
  /** The Dockerfile line of the step that failed, where it is known (scheduler/failed-step.ts). */
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
  /** What an image whose base could not be measured gets; absent: fail. */
  missingBaseline?: 'fail' | 'warn'
}

/** Where no limits were read (a run that failed before its inputs, a merge of shards). */
export const NO_LIMITS: Limits = { maxIncrease: null, warnIncrease: null, maxSize: null }

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
  /** The limit a `fail` or `warn` verdict is for. */
  limit?: 'max-increase' | 'warn-increase' | 'max-size'
  /** The image exists at the base but has no base measurement (its base build failed). */
  baselineMissing?: boolean
  /** Where the bytes went, path by path (explain: paths); absent when not asked or not made. */
  paths?: PathBreakdown
}

export interface Comparison {
  revisions: Revisions
  verdict: Verdict
  images: ImageResult[]
  /** Sum of every known delta, in bytes. */
  totalDelta: number
}

/** Where a path's bytes came from: one instruction of one side's Dockerfile. */
export interface PathSource {
  side: Side
  /** 1-based line in that side's Dockerfile; null where the history did not fit it. */
  line: number | null
  /** The instruction as written, or as the image's history recorded it. */
  instruction: string
}

/** A folder or file whose bytes differ between the two sides' unshared layers. */
export interface PathChange {
  /** Absolute, as the image's filesystem names it. Text from the build: hostile. */
  path: string
  kind: 'folder' | 'file'
  /** Bytes under the path in the base's layers the head does not share (hidden copies included: they ship). */
  base: number
  head: number
  delta: number
  /** The instruction that put the most of these bytes there, on the side that has more. */
  source: PathSource | null
}

/** Something certain and actionable about where the bytes went. */
export type PathHint =
  | { kind: 'cache'; path: string; bytes: number; source: PathSource | null }
  /** Bytes a layer added that a later one deleted or replaced: gone from the filesystem, still shipped. */
  | {
      kind: 'deleted-later'
      path: string
      bytes: number
      files: number
      source: PathSource | null
      deletedBy: PathSource | null
    }

/** What happened to one layer of one side while the breakdown was made. */
export interface LayerRead {
  diffId: string | null
  /**
   * read: its headers were parsed; shared: the other side has it, so it was passed over;
   * recorded: a base layer as its baseline record keeps it (its files summed by folder);
   * unreadable: see `note`.
   */
  state: 'read' | 'shared' | 'recorded' | 'unreadable'
  note?: string
}

/** Where an image's bytes went between the two sides, folder by folder. */
export interface PathBreakdown {
  /** The rows that explain the delta, largest change first (up to 50). */
  paths: PathChange[]
  hints: PathHint[]
  layers: { base: LayerRead[]; head: LayerRead[] }
  /** Bytes of layers read, and of layers passed over because both sides have them. */
  bytesRead: number
  bytesSkipped: number
  durationMs: number
  /**
   * Set where a side's layers held more entries than the breakdown keeps (tools/layer-entries.ts):
   * paths deeper than `depth` folders were summed into their folder at that depth, `entries` of them;
   * `limit` is how many entries a side keeps.
   */
  folded?: { depth: number; entries: number; limit: number }
}

/** One commit's files, as discovery needs them. */
export interface SideTree {
  /** Every file path from the repository root → `<mode> <type> <object id>` (equal values: equal content). */
  files: Map<string, string>
  /** The text of every dockerignore file in the tree, by path. */
  dockerignores: Map<string, string>
}

export type ChangeKind = 'grew' | 'shrank' | 'same' | 'added' | 'removed'

/** One instruction on either side, and how the bytes it adds changed. */
export interface InstructionChange {
  kind: ChangeKind
  base: InstructionSize | null
  head: InstructionSize | null
  /** head bytes - base bytes, a missing side counting as 0. */
  delta: number
}

/** Why an image's size changed, instruction by instruction. */
export interface Growth {
  /** Every instruction whose bytes changed, largest change first. */
  changes: InstructionChange[]
  /** The head instruction that added the most bytes, if any did. */
  responsible: InstructionChange | null
  baseLayers: number | null
  headLayers: number | null
}

/** Everything known about one image after building and measuring both sides. */
export interface MeasuredImage {
  target: ImageTarget
  base: ImageMeasurement | null
  head: ImageMeasurement | null
  /** Builds that failed, by side. A side that was not built (the image does not exist there) has none. */
  failedBuilds: BuildOutcome[]
  /** Where the bytes went between the sides (explain: paths). */
  paths?: PathBreakdown
  /** mode: record: the head's layers summed by folder, written into its record; never in the report. */
  recordedLayers?: RecordedLayer[]
}

/** What a run has learned so far; filled step by step so that a failure loses nothing. */
export interface RunState {
  revisions: Revisions
  engine: EngineInfo | null
  measured: MeasuredImage[]
  error: string | null
}
