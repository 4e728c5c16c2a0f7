// A real registry for the tests: Debian's docker-registry (distribution 2.8), on a free
// loopback port, its storage in a temp folder. Engines push to 127.0.0.1 without TLS
// settings (loopback is an insecure registry by default).
import { ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Registry {
  /** `127.0.0.1:PORT`, the prefix of the names pushed to it. */
  host: string
  /** The registry's output so far: with `accessLog`, one line per request (method, path, status). */
  output(): string
  /** The manifest of name:tag, following an index to its linux/amd64 image. */
  manifest(name: string, tag: string): Promise<{ layers: Array<{ size: number; digest: string }> }>
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

interface ManifestJson {
  mediaType?: string
  layers?: Array<{ size: number; digest: string }>
  manifests?: Array<{ digest: string; platform?: { os?: string; architecture?: string } }>
}

export interface RegistryOptions {
  /** Basic authentication through an htpasswd file (bcrypt, as `htpasswd -Bbc` writes it). */
  htpasswd?: { username: string; password: string }
  /** distribution's `auth: token`: the realm, service and issuer of a token service, and its certificate (PEM). */
  token?: { realm: string; service: string; issuer: string; certificate: string }
  /** One line per request in `output()`. */
  accessLog?: boolean
}

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'dsc-registry-'))
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const auth: string[] = []
  if (options.htpasswd) {
    const file = join(dir, 'htpasswd')
    // htpasswd from apache2-utils (scripts/engines.sh installs it); the password on its command line is a test's.
    execFileSync('htpasswd', ['-Bbc', file, options.htpasswd.username, options.htpasswd.password], { stdio: 'pipe' })
    auth.push('auth:', `  htpasswd: { realm: dsc-test, path: ${file} }`)
  }
  if (options.token) {
    const bundle = join(dir, 'token-ca.pem')
    await writeFile(bundle, options.token.certificate)
    auth.push(
      'auth:',
      '  token:',
      `    realm: ${options.token.realm}`,
      `    service: ${options.token.service}`,
      `    issuer: ${options.token.issuer}`,
      `    rootcertbundle: ${bundle}`
    )
  }
  await writeFile(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      `log: { level: error, accesslog: { disabled: ${options.accessLog ? 'false' : 'true'} } }`,
      'storage:',
      `  filesystem: { rootdirectory: ${join(dir, 'data')} }`,
      '  delete: { enabled: true }',
      'http:',
      `  addr: ${host}`,
      ...auth,
      ''
    ].join('\n')
  )
  let output = ''
  // Fails loudly where the package is missing: scripts/engines.sh installs it.
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout?.on('data', chunk => (output += chunk))
  child.stderr?.on('data', chunk => (output += chunk))
  const spawnError = new Promise<never>((_, reject) => child.on('error', reject))
  const deadline = Date.now() + 20_000
  for (;;) {
    const ready = await Promise.race([
      fetch(`http://${host}/v2/`).then(
        // Behind authentication /v2/ answers 401: it answers.
        response => response.ok || response.status === 401,
        () => false
      ),
      spawnError
    ])
    if (ready) break
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill()
      throw new Error(`docker-registry did not answer on ${host} within 20 s: ${output.slice(-2000)}`)
    }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  const get = async (name: string, reference: string): Promise<ManifestJson> => {
    const response = await fetch(`http://${host}/v2/${name}/manifests/${reference}`, { headers: { Accept: ACCEPT } })
    if (!response.ok) throw new Error(`GET manifest ${name}:${reference} answered ${response.status}`)
    return (await response.json()) as ManifestJson
  }
  return {
    host,
    output: () => output,
    async manifest(name, tag) {
      let manifest = await get(name, tag)
      if (manifest.manifests) {
        const image = manifest.manifests.find(
          entry => entry.platform?.os === 'linux' && entry.platform.architecture !== 'unknown'
        )
        if (!image) throw new Error(`The index of ${name}:${tag} has no linux image`)
        manifest = await get(name, image.digest)
      }
      return { layers: manifest.layers ?? [] }
    },
    async stop() {
      child.kill()
      await new Promise(resolve => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))
      await rm(dir, { recursive: true, force: true })
    }
  }
}
