import { existsSync } from 'node:fs'
import type { Logger } from '../shared/logger.js'
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, posix } from 'node:path'
import {
  BakeDefinitionError,
  BakeImage,
  BakeKind,
  composeReferences,
  isLocalContext,
  declaredTargets,
  interpolate,
  parseDotenv,
  definitionFiles,
  parseBakePrint,
  toBakeImages
} from './bake-definition.js'
import { lastLines, runCommand } from '../tools/exec.js'

/** What `bake --print` may take: it only reads a few files, so this is for a definition that loops. */
const BAKE_TIMEOUT_MS = 30_000

/** Bake itself failed (or ran out of time) on the files: no refusal of ours. */
export class BakeFailedError extends BakeDefinitionError {}

/** One side's files, as the evaluation of its compose or bake files needs them. */
export interface DefinitionSource {
  /** `head (1a2b3c4d5e6f)`, for messages. */
  label: string
  /** Every file's path from the root. */
  paths(): Promise<Iterable<string>>
  has(path: string): boolean
  read(paths: string[]): Promise<Map<string, string>>
  /** Where a path from the root really leads (symbolic links followed); null when it leaves the repository. */
  resolve(path: string): Promise<string | null>
}

export interface BakeResult {
  /** The files bake read, from the root. */
  files: string[]
  images: BakeImage[]
  /** Whether bake ran in a network namespace of its own (else the proxies alone kept it off the network). */
  isolated: boolean
  /** What the log should say about how the files were read (an env_file read as empty). */
  notes: string[]
}

/**
 * Which images a side's compose or bake files in `folder` (`.`: the root) describe, by
 * `docker buildx bake --print` run in that folder, as `docker compose` would be. Null when
 * the folder has no such file. The files are the PR author's: bake runs in a folder of its
 * own holding only them (and compose's `.env`), with an environment that holds no token or
 * runner variable, a proxy that leads nowhere, and a time limit.
 */
export async function evaluateBake(
  kind: BakeKind,
  side: DefinitionSource,
  tempRoot: string,
  folder = '.',
  log?: Logger
): Promise<BakeResult | null> {
  const files = definitionFiles(kind, path => side.has(path), folder)
  if (!files.length) return null
  const scratch = await mkdtemp(join(tempRoot, 'docker-size-check-bake-'))
  try {
    const runDir = join(scratch, 'repo')
    const home = join(scratch, 'home')
    const env = bakeEnvironment(process.env, home)
    const { texts, notes } = await readDefinitions(kind, files, side, env, folder)
    await mkdir(runDir)
    await mkdir(home)
    for (const [path, text] of texts) {
      await mkdir(dirname(join(runDir, path)), { recursive: true })
      await writeFile(join(runDir, path), text)
    }
    await linkBuildxPlugin(process.env, env.DOCKER_CONFIG as string)
    const source = files.join(' + ')
    const isolation = await networkIsolation()
    const print = async (targets: string[]) => {
      const named = files.flatMap(file => ['-f', posix.relative(folder, file)])
      const args = ['docker', 'buildx', 'bake', '--print', ...named, ...targets]
      const [command, ...rest] = [...isolation, ...args] as [string, ...string[]]
      const cwd = join(runDir, folder)
      return runCommand(command, rest, { cwd, env, envOnly: true, timeoutMs: BAKE_TIMEOUT_MS, ...(log ? { log } : {}) })
    }
    let result = await print([])
    if (result.exitCode !== 0 && kind === 'bake' && /failed to find target default/i.test(result.stderr)) {
      // No `default` group: every target the files declare.
      const names = declaredTargets(files.map(path => ({ path, text: texts.get(path) ?? '' })))
      if (!names.length) return { files, images: [], isolated: isolation.length > 0, notes }
      result = await print(names)
    }
    if (result.exitCode !== 0) {
      const why =
        result.exitCode === 124
          ? `did not finish within ${BAKE_TIMEOUT_MS / 1000} s`
          : `failed: ${lastLines(withoutProgress(result.stderr || result.stdout), 5) || `exit code ${result.exitCode}`}`
      throw new BakeFailedError(
        `docker buildx bake --print over ${source} at the ${side.label} ${why}. ` +
          'Fix the file, list the images in .github/docker-size-check.yml, or set images-from: dockerfiles.'
      )
    }
    const images = toBakeImages(parseBakePrint(result.stdout), {
      source,
      kind,
      runDir: await realpath(runDir),
      folder
    })
    return {
      files,
      images: await Promise.all(images.map(image => followLinks(image, side, source, kind))),
      isolated: isolation.length > 0,
      notes
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** How many files bake may be given: a compose file that includes itself stops here. */
const MAX_DEFINITION_FILES = 100

/**
 * The definition files and what they make bake read: for compose, `.env` beside it and the
 * files it includes, extends or takes an env_file from, and so on from those. Every path is
 * read as bake will read it, with `env` (bake's own environment) and `.env`'s variables, and
 * refused when it leaves the repository. An env_file the side has not is read as empty (it
 * sets a container's environment, never a build's); other paths the side has not (or that
 * are symbolic links) are left for bake to name.
 */
async function readDefinitions(
  kind: BakeKind,
  files: string[],
  side: DefinitionSource,
  env: Record<string, string>,
  folder: string
): Promise<{ texts: Map<string, string>; notes: string[] }> {
  const texts = new Map<string, string>()
  const notes: string[] = []
  const variables: Record<string, string> = { ...env }
  const dotenv = posix.join(folder, '.env')
  if (kind === 'compose' && side.has(dotenv)) {
    const text = (await side.read([dotenv])).get(dotenv) ?? ''
    texts.set(dotenv, text)
    // As compose: the environment wins over .env, and a value may use the ones before it.
    for (const [name, value] of Object.entries(parseDotenv(text))) {
      if (!Object.prototype.hasOwnProperty.call(env, name)) variables[name] = interpolate(value, variables)
    }
  }
  let pending = [...files]
  const envFiles = new Set<string>()
  while (pending.length && texts.size < MAX_DEFINITION_FILES) {
    const wanted = [...new Set(pending)].filter(path => !texts.has(path))
    pending = []
    for (const path of wanted.filter(path => envFiles.has(path) && !side.has(path))) {
      texts.set(path, '')
      notes.push(`${path} (an env_file) is not in the repository at the ${side.label}: read as empty.`)
    }
    const batch = wanted.filter(path => side.has(path))
    if (!batch.length) break
    for (const [path, text] of await side.read(batch.slice(0, MAX_DEFINITION_FILES - texts.size))) {
      texts.set(path, text)
      if (kind !== 'compose' || !/\.ya?ml$/i.test(path)) continue
      const references = composeReferences(path, text, variables)
      const outside = references.outside[0]
      if (outside !== undefined) {
        throw new BakeDefinitionError(
          `${path}: '${outside}' (an include, extends, env_file or label_file) is outside the repository at the ${side.label}` +
            `${outside.includes('$') ? ` (read as '${interpolate(outside, variables).replace(home(env), '$HOME')}')` : ''}. ` +
            "The check reads only files of the repository, and gives bake an empty HOME and none of the runner's " +
            'variables: name a file inside the repository, or set images-from: dockerfiles.'
        )
      }
      for (const envFile of references.envFiles) envFiles.add(envFile)
      pending.push(...references.inside)
    }
  }
  return { texts, notes }
}

/** The scratch HOME bake gets, to show as `$HOME` in messages rather than a temporary path. */
function home(env: Record<string, string>): string {
  return env.HOME ?? '$HOME'
}

/** The context, Dockerfile and local named contexts where their links lead; refused when that is outside the repository. */
async function followLinks(
  image: BakeImage,
  side: DefinitionSource,
  source: string,
  kind: BakeKind
): Promise<BakeImage> {
  const follow = async (field: string, path: string) => {
    const real = await side.resolve(path)
    if (real === null) {
      throw new BakeDefinitionError(
        `${source}: ${kind === 'compose' ? 'service' : 'target'} '${image.name}': ${field} '${path}' ` +
          `leads outside the repository at the ${side.label} (through a symbolic link). ` +
          'Point it at a folder or file inside the repository, or set images-from: dockerfiles.'
      )
    }
    return real
  }
  const result: BakeImage = {
    ...image,
    context: await follow('context', image.context),
    dockerfile: await follow('dockerfile', image.dockerfile)
  }
  if (image.contexts) {
    const contexts: Record<string, string> = {}
    for (const [name, value] of Object.entries(image.contexts)) {
      contexts[name] = isLocalContext(value) ? await follow(`named context '${name}'`, value) : value
    }
    result.contexts = contexts
  }
  return result
}

let isolation: Promise<string[]> | null = null

/**
 * The command line that runs a command with no network at all: a network namespace of its
 * own holding only a loopback that is down (`unshare --net`, in a user namespace so that no
 * privilege is needed). Where the machine forbids that (Ubuntu 24.04 restricts unprivileged
 * user namespaces), nothing: the proxy variables of bake's environment are then what keeps
 * it off the network. Asked once per run.
 */
export function networkIsolation(): Promise<string[]> {
  const [command, ...args] = ['unshare', '--net', '--map-root-user', '--'] as const
  const prefix = [command, ...args]
  isolation ??= runCommand(command, [...args, 'true'], { timeoutMs: 5_000 }).then(result =>
    result.exitCode === 0 ? prefix : []
  )
  return isolation
}

/** An address no one listens on: a request that bake would make through a proxy goes nowhere. */
const NOWHERE = 'http://127.0.0.1:9'

/**
 * The whole environment bake runs with. Nothing of the runner's: no token, no `INPUT_*`,
 * `GITHUB_*`, `ACTIONS_*` or `RUNNER_*` variable, so an HCL `variable "GITHUB_TOKEN" {}`
 * reads empty; HOME and DOCKER_CONFIG in a folder of its own; DOCKER_HOST kept, as bake may
 * ask the engine about its builder; every proxy pointed at a port where nothing answers.
 */
export function bakeEnvironment(env: NodeJS.ProcessEnv, home: string): Record<string, string> {
  const result: Record<string, string> = {
    PATH: env.PATH || '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    DOCKER_CONFIG: join(home, '.docker'),
    HTTP_PROXY: NOWHERE,
    HTTPS_PROXY: NOWHERE,
    ALL_PROXY: NOWHERE,
    http_proxy: NOWHERE,
    https_proxy: NOWHERE,
    all_proxy: NOWHERE,
    NO_PROXY: '',
    no_proxy: '',
    // No "what's next" hints or telemetry from the CLI.
    DOCKER_CLI_HINTS: 'false',
    BUILDX_NO_DEFAULT_ATTESTATIONS: '1'
  }
  const host = env.DOCKER_HOST
  if (host && /^(?:unix|npipe|tcp|ssh):\/\//.test(host)) {
    result.DOCKER_HOST = host
    const engineHost = /^tcp:\/\/([^:/]+)/.exec(host)?.[1]
    // The engine is the one address bake may reach.
    if (engineHost) result.NO_PROXY = result.no_proxy = engineHost
  }
  return result
}

/**
 * A buildx installed for the user (docker/setup-buildx-action puts it in ~/.docker/cli-plugins)
 * is found through DOCKER_CONFIG, which bake's environment replaces: link it there. One
 * installed for the system (/usr/libexec/docker/cli-plugins) is found without help.
 */
async function linkBuildxPlugin(env: NodeJS.ProcessEnv, dockerConfig: string): Promise<void> {
  const userConfig = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker')
  const plugin = join(userConfig, 'cli-plugins', 'docker-buildx')
  if (!existsSync(plugin)) return
  await mkdir(join(dockerConfig, 'cli-plugins'), { recursive: true })
  await symlink(await realpath(plugin), join(dockerConfig, 'cli-plugins', 'docker-buildx'))
}

/** Bake's stderr without its `#1 [internal] load local bake definitions` progress block. */
export function withoutProgress(stderr: string): string {
  return stderr
    .split('\n')
    .filter(line => !/^#\d+ /.test(line))
    .join('\n')
}
