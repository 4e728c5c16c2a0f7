// Credentials where docker keeps them: `docker login` and docker/login-action write
// $DOCKER_CONFIG/config.json (~/.docker/config.json by default), either the credentials
// themselves under `auths` or, with `credsStore` or a host's `credHelpers`, the name of a
// docker-credential-* program that holds them. Nothing here ever logs what it reads: the
// caller gets the values and a callback (`onSecret`) through which the action masks them.
import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'

/** A username and password, or an identity token (an OAuth refresh token) that stands for them. */
export interface Credential {
  username: string
  password: string
  /** Set when the config holds an identity token: exchanged at a Bearer realm, never sent as Basic. */
  identityToken?: string
}

/** What answers "which credentials for this registry host": null for anonymous access. */
export type CredentialSource = (registry: string) => Promise<Credential | null>

class CredentialError extends Error {}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>
  credsStore?: string
  credHelpers?: Record<string, string>
}

/** Docker Hub's credentials are kept under the old index URL, as `docker login` writes them. */
const DOCKER_HUB_KEY = 'https://index.docker.io/v1/'

/** The folder docker reads its config from. */
function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker')
}

export interface DockerCredentialsOptions {
  env?: NodeJS.ProcessEnv
  /** Called with each secret value read, before it is used (the action masks it in the log). */
  onSecret?: (value: string) => void
  /** Credentials for a host the config has none for (the job's token for ghcr.io). */
  fallback?: CredentialSource
}

/**
 * Reads docker's config once, then answers per host: a host's credHelper, else the credsStore,
 * else `auths`, as the docker CLI looks them up. A host without any is read anonymously.
 */
export function dockerCredentials(options: DockerCredentialsOptions = {}): CredentialSource {
  const env = options.env ?? process.env
  const dir = dockerConfigDir(env)
  let config: Promise<DockerConfig> | null = null
  const cache = new Map<string, Promise<Credential | null>>()
  const lookup = async (registry: string): Promise<Credential | null> => {
    config ??= readDockerConfig(join(dir, 'config.json'))
    const found = await credentialFor(await config, registry, env)
    if (found) {
      for (const value of [found.password, found.identityToken]) if (value) options.onSecret?.(value)
      return found
    }
    return (await options.fallback?.(registry)) ?? null
  }
  return registry => {
    let known = cache.get(registry)
    if (!known) {
      known = lookup(registry)
      cache.set(registry, known)
    }
    return known
  }
}

async function readDockerConfig(path: string): Promise<DockerConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new CredentialError(`Could not read docker's config ${path}: ${(error as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    // The text itself may hold credentials: never quoted.
    throw new CredentialError(
      `docker's config ${path} is not valid JSON. Run docker login again, or fix the file (DOCKER_CONFIG names its folder).`
    )
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CredentialError(`docker's config ${path} is not a JSON object. Run docker login again.`)
  }
  return value
}

/** The config's keys for a host: as written, or as a URL (`https://host/`, Docker Hub's index URL). */
function keyMatches(key: string, registry: string): boolean {
  const host = key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '')
  if (registry === 'docker.io') return key === DOCKER_HUB_KEY || host === 'docker.io' || host === 'index.docker.io'
  return host === registry
}

async function credentialFor(
  config: DockerConfig,
  registry: string,
  env: NodeJS.ProcessEnv
): Promise<Credential | null> {
  const serverUrl = registry === 'docker.io' ? DOCKER_HUB_KEY : registry
  const helper = Object.entries(config.credHelpers ?? {}).find(([key]) => keyMatches(key, registry))?.[1]
  if (helper) return fromHelper(helper, serverUrl, env)
  if (config.credsStore) {
    const stored = await fromHelper(config.credsStore, serverUrl, env)
    if (stored) return stored
  }
  const entry = Object.entries(config.auths ?? {}).find(([key]) => keyMatches(key, registry))?.[1]
  if (!entry) return null
  if (entry.identitytoken) return { username: '', password: '', identityToken: entry.identitytoken }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password }
  if (!entry.auth) return null
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon <= 0) {
    throw new CredentialError(
      `docker's config holds credentials for ${registry} that are not user:password. Run docker login ${registry} again.`
    )
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

/** A docker-credential-* program's `get`: the server on stdin, {Username, Secret} on stdout. */
function fromHelper(name: string, serverUrl: string, env: NodeJS.ProcessEnv): Promise<Credential | null> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    return Promise.reject(
      new CredentialError(
        `docker's config names the credential helper '${name.slice(0, 60)}', which is not a program name.`
      )
    )
  }
  const program = `docker-credential-${name}`
  return new Promise((resolve, reject) => {
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', chunk => (stdout += chunk))
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('error', error =>
      reject(
        new CredentialError(
          `docker's config asks ${program} for the credentials of ${serverUrl}, and it could not be run ` +
            `(${(error as NodeJS.ErrnoException).code ?? error.message}). Install it on the PATH, or log in without it.`
        )
      )
    )
    child.on('close', code => {
      // The helpers' protocol: "credentials not found" on stdout, exit 1, for a host they do not hold.
      if (code !== 0) {
        if (/credentials not found/i.test(stdout + stderr)) return resolve(null)
        return reject(
          new CredentialError(
            `${program} get failed for ${serverUrl} (exit ${code}): ${stderr.trim().slice(0, 200) || 'no message'}. ` +
              `Run docker login ${serverUrl} again.`
          )
        )
      }
      let answer: { Username?: unknown; Secret?: unknown }
      try {
        answer = JSON.parse(stdout) as typeof answer
      } catch {
        return reject(new CredentialError(`${program} get printed something other than JSON for ${serverUrl}.`))
      }
      const username = typeof answer.Username === 'string' ? answer.Username : ''
      const secret = typeof answer.Secret === 'string' ? answer.Secret : ''
      if (!secret) return resolve(null)
      // The helpers' mark of an identity token in place of a password.
      if (username === '<token>') return resolve({ username: '', password: '', identityToken: secret })
      resolve({ username, password: secret })
    })
    child.stdin.end(`${serverUrl}\n`)
  })
}
