import { InputError } from '../shared/errors.js'

/** A build secret: mounted in `RUN --mount=type=secret,id=<id>` steps, never stored in the image. */
export interface BuildSecret {
  id: string
  value: string
}

const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/

/**
 * Reads the `secrets` input: one `id=value` a line, as docker/build-push-action takes them, so
 * a workflow writes `npm_token=${{ secrets.NPM_TOKEN }}`. The value is everything after the
 * first `=` (it may hold `=` itself) and ends at the line's end. Errors name the line and the
 * id, never the value.
 */
export function parseSecrets(value: string): BuildSecret[] {
  const secrets: BuildSecret[] = []
  const lines = value.split(/\r?\n/)
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue
    const at = line.indexOf('=')
    const id = (at === -1 ? line : line.slice(0, at)).trim()
    const where = `secrets line ${index + 1}`
    if (at === -1) {
      throw new InputError(
        `Invalid ${where}: it has no '='. Write one secret a line as id=value, such as npm_token=\${{ secrets.NPM_TOKEN }}.`
      )
    }
    if (!ID_PATTERN.test(id)) {
      throw new InputError(
        `Invalid ${where}: the id '${id.slice(0, 80)}' may hold only letters, digits, '.', '_' and '-' (up to 64). ` +
          'Write id=value, with the id your Dockerfile mounts (RUN --mount=type=secret,id=npm_token).'
      )
    }
    if (secrets.some(secret => secret.id === id)) {
      throw new InputError(`Invalid ${where}: the id '${id}' is given twice. Give each secret once.`)
    }
    secrets.push({ id, value: line.slice(at + 1) })
  }
  return secrets
}

/** The environment variable that carries the n-th secret to `docker buildx build`. */
export function secretVariable(index: number): string {
  return `DOCKER_SIZE_CHECK_SECRET_${index}`
}

/**
 * The `--secret` flags. Each value goes through an environment variable of the build command
 * alone, so it is never on a command line (which the debug log prints) nor in a file on disk.
 */
export function secretArgs(secrets: BuildSecret[]): string[] {
  return secrets.flatMap((secret, index) => ['--secret', `id=${secret.id},env=${secretVariable(index)}`])
}

export function secretEnvironment(secrets: BuildSecret[]): Record<string, string> {
  return Object.fromEntries(secrets.map((secret, index) => [secretVariable(index), secret.value]))
}

/** Secrets need BuildKit: the legacy builder has no `--secret`. */
export function assertSecretsSupported(secrets: BuildSecret[] | undefined, builder: 'buildx' | 'legacy'): void {
  if (!secrets?.length || builder === 'buildx') return
  throw new InputError(
    `The secrets input needs BuildKit, and this engine has only the legacy builder (no docker buildx plugin). ` +
      'Install buildx (on GitHub runners: docker/setup-buildx-action), or remove the secrets input.'
  )
}
