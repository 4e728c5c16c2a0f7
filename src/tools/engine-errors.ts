import { CommandResult } from './exec.js'

/**
 * What the docker CLI prints when no engine answers any more: the daemon stopped or was
 * restarted, its socket went away, or BuildKit lost its connection in the middle of a build.
 * Matched on the words of the CLI and of buildx, which have stayed the same for years.
 */
const ENGINE_GONE = [
  /Cannot connect to the Docker daemon at [^\s]+/i,
  /error during connect: .+/i,
  /dial unix [^\s:]+: connect: (?:connection refused|no such file or directory)/i,
  // gRPC's Unavailable: the connection under a running build broke (EOF, reset by peer).
  /code = Unavailable desc = (?:error reading from server: .+|connection error.*)/i,
  // The same as buildx 0.29 words it: `failed to solve: Unavailable: error reading from server: EOF`.
  /failed to solve: Unavailable: (?:error reading from server: .+|connection error.*)/i
]

/** One clear sentence when a docker command failed because the engine is gone; null otherwise. */
export function engineGoneMessage(result: CommandResult): string | null {
  if (result.exitCode === 0) return null
  const output = `${result.stderr}\n${result.stdout}`
  for (const pattern of ENGINE_GONE) {
    const match = pattern.exec(output)
    if (match) {
      return (
        `The Docker engine stopped answering during the run (${match[0].trim().slice(0, 300)}). ` +
        'Check that the Docker daemon is running and reachable (DOCKER_HOST, the socket and its permissions), ' +
        'then run the check again; the images measured before it stopped are in the report.'
      )
    }
  }
  return null
}
