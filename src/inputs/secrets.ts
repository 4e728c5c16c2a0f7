import { InputError } from '../shared/errors.js'

/** A build secret: mounted in `RUN --mount=type=secret,id=<id>` steps, never stored in the image. */
export interface BuildSecret {
  id: string
  value: string
}

const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/
const HEREDOC = /^\s*([A-Za-z0-9_.-]{1,64})<<([A-Za-z0-9_]{1,64})\s*$/

const HOW = 'Write one secret a line as id=value, such as npm_token=${{ secrets.NPM_TOKEN }}'
const MULTILINE = 'and a value of several lines as id<<EOT, then its lines, then a line EOT'

/**
 * Reads the `secrets` input: one `id=value` a line, as docker/build-push-action takes them, so
 * a workflow writes `npm_token=${{ secrets.NPM_TOKEN }}`. The value is everything after the
 * first `=` (it may hold `=` itself) and ends at the line's end, kept byte for byte (read the
 * input untrimmed: a value's trailing space is part of it). A value of several lines (a key
 * file) is written as GitHub's own multi-line outputs are: `id<<EOT`, its lines, `EOT`.
 *
 * Errors name the line and never quote it: a multi-line secret pasted as `id=value` spills
 * its other lines into lines of their own, and the error is shown before any value is masked,
 * in the job log and in the comment.
 */
export function parseSecrets(value: string): BuildSecret[] {
  const secrets: BuildSecret[] = []
  const firstLine = new Map<string, number>()
  // Split on line feeds alone: a carriage return at a value's end is part of the value.
  const lines = value.split('\n')
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? ''
    if (line.trim() === '' || line.trim().startsWith('#')) continue
    const lineNumber = index + 1
    const where = `secrets line ${lineNumber}`
    const heredoc = HEREDOC.exec(line)
    let id: string
    let secretValue: string
    if (heredoc) {
      id = heredoc[1] ?? ''
      const delimiter = heredoc[2] ?? ''
      const end = lines.findIndex((candidate, at) => at > index && candidate.trim() === delimiter)
      if (end === -1) {
        throw new InputError(
          `Invalid ${where}: the value it opens with << has no closing line (the word after << alone on a line). ` +
            'End the value with that line.'
        )
      }
      secretValue = lines.slice(index + 1, end).join('\n')
      index = end
    } else {
      const at = line.indexOf('=')
      if (at === -1) {
        throw new InputError(`Invalid ${where}: it has no '='. ${HOW}, ${MULTILINE}.`)
      }
      id = line.slice(0, at).trim()
      if (!ID_PATTERN.test(id)) {
        throw new InputError(
          `Invalid ${where}: what comes before its first '=' is no id (letters, digits, '.', '_' and '-', up to 64). ` +
            `${HOW}, with the id your Dockerfile mounts (RUN --mount=type=secret,id=npm_token), ${MULTILINE}.`
        )
      }
      secretValue = line.slice(at + 1)
    }
    const earlier = firstLine.get(id)
    if (earlier !== undefined) {
      throw new InputError(`Invalid ${where}: it gives the id of line ${earlier} again. Give each secret once.`)
    }
    firstLine.set(id, lineNumber)
    secrets.push({ id, value: secretValue })
  }
  return secrets
}

/**
 * The command's `--secret ID=VAR`: the value from the environment, as `docker build --secret
 * id=ID,env=VAR` takes it, so that no secret is typed on a command line (and kept in a
 * shell's history).
 */
export function secretsFromEnvironment(values: string[], label: string, env: NodeJS.ProcessEnv): BuildSecret[] {
  const secrets: BuildSecret[] = []
  for (const value of values) {
    const match = /^([A-Za-z0-9_.-]{1,64})=([A-Za-z_][A-Za-z0-9_]*)$/.exec(value.trim())
    if (!match) {
      throw new InputError(
        `Invalid ${label} '${value}'. Expected ID=VAR: the id your Dockerfile mounts and the environment variable that holds the value, such as ${label} npm_token=NPM_TOKEN.`
      )
    }
    const [, id, variable] = match as unknown as [string, string, string]
    const secret = env[variable]
    if (secret === undefined) {
      throw new InputError(
        `Flag ${label} ${id}=${variable}: the environment variable ${variable} is not set. Export it first.`
      )
    }
    if (secrets.some(known => known.id === id)) throw new InputError(`Flag ${label} gives the id '${id}' twice.`)
    secrets.push({ id, value: secret })
  }
  return secrets
}

/** The environment variable that carries the n-th secret to `docker buildx build`. */
function secretVariable(index: number): string {
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

/** The `builder` input names a buildx builder: an engine with only the legacy builder has none. */
export function assertBuilderSupported(builder: string | undefined, engine: 'buildx' | 'legacy'): void {
  if (!builder || engine === 'buildx') return
  throw new InputError(
    `The builder input names the buildx builder '${builder}', and this engine has only the legacy builder (no docker ` +
      'buildx plugin). Install buildx (on GitHub runners: docker/setup-buildx-action), or leave builder empty.'
  )
}
