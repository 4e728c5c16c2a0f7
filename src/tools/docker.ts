import { Readable } from 'node:stream'
import { engineGoneMessage } from './engine-errors.js'
import { CommandError, CommandResult, runCommand, RunOptions, streamCommand } from './exec.js'
import { EngineInfo } from '../shared/types.js'
import { Logger, quietLogger } from '../shared/logger.js'
import { EngineUnavailableError, firstLine } from '../shared/errors.js'

/** Runs one docker command; the seam through which tests could pass another runner. */
export type DockerRunner = (args: string[], options?: RunOptions) => Promise<CommandResult>

const defaultDockerRunner: DockerRunner = (args, options) => runCommand('docker', args, options)

/** `docker history`'s command line (parsed by measure/history.ts): byte sizes (`--human=false`) and whole commands (`--no-trunc`). */
export function historyArgs(reference: string): string[] {
  return ['image', 'history', '--no-trunc', '--human=false', '--format', '{{json .}}', reference]
}

/** Every docker command of the action goes through this class. */
export class Docker {
  private readonly run: DockerRunner

  constructor(
    run: DockerRunner = defaultDockerRunner,
    /** Variables for every docker command besides the process's own (DOCKER_HOST). */
    private readonly env?: Record<string, string>,
    /** The run's log: each command line at debug level, a streamed build's output. */
    private readonly log: Logger = quietLogger
  ) {
    this.run = (args, options = {}) => run(args, { log, ...options })
  }

  /** Every command on the engine at `host` (a DOCKER_HOST value), whatever the process's own. */
  static onHost(host: string, log: Logger = quietLogger): Docker {
    const env = { DOCKER_HOST: host }
    return new Docker(
      (args, options = {}) => runCommand('docker', args, { ...options, env: { ...options.env, ...env } }),
      env,
      log
    )
  }

  /** Asks the engine who it is; throws one clear error where no engine answers. */
  async engineInfo(): Promise<EngineInfo> {
    // Asked at once: these round trips are a tenth of a second of every run.
    const [info, version] = await Promise.all([
      this.run(['info', '--format', '{{json .}}']),
      this.run(['version', '--format', '{{.Server.APIVersion}}'])
    ])
    const parsed = info.exitCode === 0 ? parseEngineInfo(info.stdout) : null
    if (!parsed) {
      throw new EngineUnavailableError(
        `No Docker engine answers (\`docker info\` exited ${info.exitCode}: ${firstLine(info.stderr || info.stdout)}). ` +
          'Start the Docker daemon, or check DOCKER_HOST and that this user may use the docker socket.'
      )
    }
    // `docker info` lists the CLI's plugins; only a CLI too old to say costs one more process.
    const buildx = buildxListed(info.stdout) ?? (await this.run(['buildx', 'version'])).exitCode === 0
    return {
      ...parsed,
      apiVersion: version.exitCode === 0 ? version.stdout.trim() : 'unknown',
      builder: buildx ? 'buildx' : 'legacy'
    }
  }

  build(args: string[], options: RunOptions = {}): Promise<CommandResult> {
    return this.run(args, options)
  }

  /** The raw `docker image inspect` JSON of one image. */
  async inspectImage(reference: string): Promise<string> {
    const result = await this.run(['image', 'inspect', reference])
    const gone = engineGoneMessage(result)
    if (gone) throw new EngineUnavailableError(gone)
    if (result.exitCode !== 0) throw new CommandError('docker', ['image', 'inspect', reference], result)
    return result.stdout
  }

  /** The id the engine has for an image reference, or null when it has no such image. */
  async localImageId(reference: string): Promise<string | null> {
    if (reference.startsWith('-')) return null
    const result = await this.run(['image', 'inspect', '--format', '{{.Id}}', reference])
    const gone = engineGoneMessage(result)
    if (gone) throw new EngineUnavailableError(gone)
    const id = result.stdout.trim()
    return result.exitCode === 0 && /^sha256:[0-9a-f]{64}$/.test(id) ? id : null
  }

  /**
   * The digest a registry serves for an image reference, without pulling it; null where no
   * registry answers. BuildKit keeps the images it pulls out of `docker image ls`, so on a
   * fresh runner this is how a base image is known before anything is built.
   */
  async registryDigest(reference: string): Promise<string | null> {
    if (reference.startsWith('-')) return null
    const result = await this.run(['buildx', 'imagetools', 'inspect', '--format', '{{.Manifest.Digest}}', reference])
    const digest = result.stdout.trim()
    return result.exitCode === 0 && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : null
  }

  /** What `docker buildx inspect` says of the current builder ('' where it says nothing). */
  async buildxInspect(builder?: string): Promise<string> {
    const result = await this.run(['buildx', 'inspect', ...(builder ? [builder] : [])])
    return result.exitCode === 0 ? result.stdout : ''
  }

  /** `docker history` of one image, as printed by historyArgs' command line. */
  async history(reference: string): Promise<string> {
    const args = historyArgs(reference)
    const result = await this.run(args)
    if (result.exitCode !== 0) throw new CommandError('docker', args, result)
    return result.stdout
  }

  /** Streams `docker save` of one image (or of several in one archive) into `consume`, never holding the archive whole. */
  async save<T>(reference: string | string[], consume: (archive: Readable) => Promise<T>): Promise<T> {
    // On the containerd store the compared figure comes from the save: an engine that goes
    // away under it is the run's one error, as for inspect.
    const references = typeof reference === 'string' ? [reference] : reference
    return streamCommand('docker', ['image', 'save', ...references], consume, this.env, this.log).catch(
      (error: unknown) => {
        const gone = error instanceof CommandError ? engineGoneMessage(error.result) : null
        throw gone ? new EngineUnavailableError(gone) : error
      }
    )
  }

  /** Removes images; never fails the run over an image that is already gone. */
  async removeImages(references: string[]): Promise<void> {
    if (references.length === 0) return
    await this.run(['image', 'rm', '--force', ...references])
  }

  /** Every image that carries the label `key`, with its tags and all its labels. */
  async imagesLabelled(key: string): Promise<LabelledImage[]> {
    const inspected = await this.inspectLabelled(
      ['image', 'ls', '--no-trunc', '--filter', `label=${key}`, '--format', '{{.ID}}'],
      ['image', 'inspect', '--format', '{{json .RepoTags}}\t{{json .Config.Labels}}']
    )
    return inspected === undefined ? [] : parseLabelledImages(inspected)
  }

  /** Makes a volume with these labels; false where the engine refused (a volume of that name exists, no volumes allowed). */
  async createVolume(name: string, labels: Record<string, string>): Promise<boolean> {
    const flags = Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`])
    return (await this.run(['volume', 'create', ...flags, name])).exitCode === 0
  }

  /** Removes volumes; never fails the run over one that is already gone. */
  async removeVolumes(names: string[]): Promise<void> {
    if (names.length === 0) return
    await this.run(['volume', 'rm', '--force', ...names])
  }

  /** Every volume that carries the label `key`, with its labels and when the engine made it (by its own clock). */
  async volumesLabelled(key: string): Promise<LabelledVolume[]> {
    const inspected = await this.inspectLabelled(
      ['volume', 'ls', '--quiet', '--filter', `label=${key}`],
      ['volume', 'inspect', '--format', '{{json .Name}}\t{{json .CreatedAt}}\t{{json .Labels}}']
    )
    return inspected === undefined ? [] : parseLabelledVolumes(inspected)
  }

  /**
   * Lists objects with `list` (one name or ID a line) and inspects them all at once with
   * `inspect`; undefined when none is listed. An object removed between the two makes inspect
   * exit 1, yet the others are still printed, so its exit status is not a failure here.
   */
  private async inspectLabelled(list: string[], inspect: string[]): Promise<string | undefined> {
    const listed = await this.run(list)
    if (listed.exitCode !== 0) throw new CommandError('docker', list.slice(0, 2), listed)
    const names = [...new Set(listed.stdout.split('\n').map(line => line.trim()))].filter(Boolean)
    if (names.length === 0) return undefined
    return (await this.run([...inspect, ...names])).stdout
  }
}

export interface LabelledVolume {
  name: string
  /** Milliseconds since the epoch by the engine's clock; whole seconds, as the engine keeps them. */
  createdAt: number
  labels: Record<string, string>
}

/** Reads `docker volume inspect --format '{{json .Name}}\t{{json .CreatedAt}}\t{{json .Labels}}'`, a line per volume. */
export function parseLabelledVolumes(stdout: string): LabelledVolume[] {
  const volumes: LabelledVolume[] = []
  for (const line of stdout.split('\n')) {
    const [name, createdAt, labels] = line.split('\t').map(field => {
      try {
        return JSON.parse(field) as unknown
      } catch {
        return undefined
      }
    })
    const created = typeof createdAt === 'string' ? Date.parse(createdAt) : NaN
    if (typeof name !== 'string' || Number.isNaN(created) || typeof labels !== 'object' || labels === null) continue
    volumes.push({ name, createdAt: created, labels: stringEntries(labels) })
  }
  return volumes
}

function stringEntries(object: object): Record<string, string> {
  return Object.fromEntries(
    Object.entries(object).filter((entry): entry is [string, string] => typeof entry[1] === 'string')
  )
}

export interface LabelledImage {
  tags: string[]
  labels: Record<string, string>
}

/** Reads `docker image inspect --format '{{json .RepoTags}}\t{{json .Config.Labels}}'`, a line per image. */
export function parseLabelledImages(stdout: string): LabelledImage[] {
  const images: LabelledImage[] = []
  for (const line of stdout.split('\n')) {
    const tab = line.indexOf('\t')
    if (tab === -1) continue
    try {
      const tags: unknown = JSON.parse(line.slice(0, tab))
      const labels: unknown = JSON.parse(line.slice(tab + 1))
      if (!Array.isArray(tags) || typeof labels !== 'object' || labels === null) continue
      images.push({
        tags: tags.filter((tag): tag is string => typeof tag === 'string'),
        labels: stringEntries(labels)
      })
    } catch {
      // Not a line of ours (a warning on stdout): skipped.
    }
  }
  return images
}

interface DockerInfoJson {
  ServerVersion?: string
  OSType?: string
  Architecture?: string
  Driver?: string
  DriverStatus?: [string, string][]
}

export function parseEngineInfo(stdout: string): Omit<EngineInfo, 'apiVersion' | 'builder'> | null {
  let info: DockerInfoJson
  try {
    info = JSON.parse(stdout) as DockerInfoJson
  } catch {
    return null
  }
  // A CLI that reaches no daemon still prints JSON, with the server fields empty.
  if (!info.ServerVersion) return null
  // With the containerd image store, `Driver` names the snapshotter (overlayfs) and
  // DriverStatus carries `["driver-type", "io.containerd.snapshotter.v1"]`.
  const containerd = (info.DriverStatus ?? []).some(
    ([key, value]) => key === 'driver-type' && value === 'io.containerd.snapshotter.v1'
  )
  return {
    serverVersion: info.ServerVersion,
    ...(info.OSType && info.Architecture ? { platform: `${info.OSType}/${info.Architecture}` } : {}),
    storageDriver: info.Driver || 'unknown',
    imageStore: containerd ? 'containerd' : 'graphdriver'
  }
}

/** Whether `docker info` lists the buildx plugin; null when the CLI does not list its plugins. */
export function buildxListed(stdout: string): boolean | null {
  let info: { ClientInfo?: { Plugins?: Array<{ Name?: string; Err?: string }> } }
  try {
    info = JSON.parse(stdout) as typeof info
  } catch {
    return null
  }
  const plugins = info.ClientInfo?.Plugins
  if (!Array.isArray(plugins)) return null
  // A plugin the CLI found but cannot run is listed with an `Err`.
  return plugins.some(plugin => plugin.Name === 'buildx' && !plugin.Err)
}
