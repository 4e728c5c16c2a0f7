// Two-platform images pushed to a test registry the way a workflow's build step pushes them:
// `docker buildx build --platform linux/amd64,linux/arm64 --push` on the Docker 28.5 engine
// with the containerd image store (scripts/engines.sh starts it), whose default builder
// builds several platforms. `FROM scratch` + `COPY` needs no emulation; TARGETARCH picks
// each platform's own file, so the platforms differ.
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** What scripts/engines.sh wrote: the engines' sockets and the CLI config folder holding buildx 0.29. */
function enginesEnv(): { containerdHost: string; cliConfig: string } {
  let text = ''
  try {
    text = readFileSync('/run/dsc-engines/env', 'utf8')
  } catch {
    // Said below, with the fix.
  }
  const hosts = process.env.DSC_ENGINE_HOSTS ?? /DSC_ENGINE_HOSTS='([^']*)'/.exec(text)?.[1] ?? ''
  const containerdHost = /containerd=(\S+)/.exec(hosts)?.[1]
  const cliConfig = process.env.DOCKER_CONFIG_28 ?? /DOCKER_CONFIG_28='([^']*)'/.exec(text)?.[1]
  if (!containerdHost || !cliConfig) {
    throw new Error(
      'No containerd engine in DSC_ENGINE_HOSTS or /run/dsc-engines/env: start the engines with scripts/engines.sh.'
    )
  }
  return { containerdHost, cliConfig }
}

/** A DOCKER_CONFIG folder of a test's own (for its docker login), with the engines' buildx plugin. */
export async function privateDockerConfig(): Promise<string> {
  const { cliConfig } = enginesEnv()
  const dir = await mkdtemp(join(tmpdir(), 'dsc-docker-config-'))
  await mkdir(join(dir, 'cli-plugins'))
  const plugin = join(cliConfig, 'cli-plugins', 'docker-buildx')
  if (!existsSync(plugin)) throw new Error(`No buildx plugin at ${plugin}: run scripts/engines.sh.`)
  await symlink(plugin, join(dir, 'cli-plugins', 'docker-buildx'))
  return dir
}

/** docker as the containerd engine's client, with a DOCKER_CONFIG of the caller's choosing. */
export async function dockerOnContainerd(
  args: string[],
  options: { dockerConfig?: string; input?: string } = {}
): Promise<string> {
  const { containerdHost, cliConfig } = enginesEnv()
  const child = execFileAsync('docker', args, {
    env: { ...process.env, DOCKER_HOST: containerdHost, DOCKER_CONFIG: options.dockerConfig ?? cliConfig },
    maxBuffer: 64 * 1024 * 1024
  })
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input)
  }
  try {
    return (await child).stdout
  } catch (error) {
    const failed = error as { stderr?: string; message: string }
    throw new Error(`docker ${args.join(' ')} failed: ${failed.stderr?.slice(-3000) ?? failed.message}`, {
      cause: error
    })
  }
}

export interface PushedPair {
  /** HOST/NAME:main and HOST/NAME:pr */
  main: string
  pr: string
  /** Removes the tags the builds left in the engine, and the build folder. */
  cleanup(): Promise<void>
}

export interface PairSizes {
  /** Bytes of random data both tags and both platforms share (one layer). */
  common: number
  /** Each platform's own file at main. */
  main: { amd64: number; arm64: number }
  /** Each platform's own file at pr. */
  pr: { amd64: number; arm64: number }
}

/** arm64 grown by 3 MB and amd64 by 100 B between main and pr; 1 MB shared. */
export const APP_SIZES: PairSizes = {
  common: 1_000_000,
  main: { amd64: 1_000, arm64: 1_000 },
  pr: { amd64: 1_100, arm64: 3_001_000 }
}

/**
 * Builds NAME:main and NAME:pr for linux/amd64 and linux/arm64 and pushes them to `host`.
 * Random bytes, so that compression changes nothing: each layer's compressed size is its
 * file's size plus the tar and gzip framing.
 */
export async function pushTwoPlatformPair(
  host: string,
  name: string,
  options: { sizes?: PairSizes; dockerConfig?: string } = {}
): Promise<PushedPair> {
  const sizes = options.sizes ?? APP_SIZES
  const dir = await mkdtemp(join(tmpdir(), 'dsc-multi-platform-'))
  const common = randomBytes(sizes.common)
  const refs = { main: `${host}/${name}:main`, pr: `${host}/${name}:pr` }
  for (const tag of ['main', 'pr'] as const) {
    const context = join(dir, tag)
    await mkdir(context)
    await writeFile(
      join(context, 'Dockerfile'),
      [
        'FROM scratch',
        'ARG TARGETARCH',
        'COPY common.bin /data/common.bin',
        'COPY ${TARGETARCH}.bin /data/arch.bin',
        ''
      ].join('\n')
    )
    await writeFile(join(context, 'common.bin'), common)
    for (const arch of ['amd64', 'arm64'] as const)
      await writeFile(join(context, `${arch}.bin`), randomBytes(sizes[tag][arch]))
    await dockerOnContainerd(
      ['buildx', 'build', '--quiet', '--platform', 'linux/amd64,linux/arm64', '-t', refs[tag], '--push', context],
      options.dockerConfig ? { dockerConfig: options.dockerConfig } : {}
    )
  }
  return {
    ...refs,
    async cleanup() {
      await dockerOnContainerd(['image', 'rm', '--force', refs.main, refs.pr]).catch(() => undefined)
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** A repository name of the test's own in a shared registry. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`
}
