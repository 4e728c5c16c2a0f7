// What the tests ask the engine directly, to check what a run left behind.
import { execFileSync } from 'node:child_process'
import { quietLogger } from '../../src/shared/logger.js'
import { devNull } from 'node:os'
import { measureBuiltImage } from '../../src/measure/measure-image.js'
import { Docker } from '../../src/tools/docker.js'

/** Whether the engine holds an image, by id or tag. */
export function imageExists(reference: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', reference], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
}

/**
 * An image's size as a run compares it on this engine (DOCKER_HOST's): inspect's Size on
 * overlay2, the files of its saved layers on the containerd store, where inspect's Size
 * counts compressed content.
 */
export async function comparedSize(reference: string): Promise<number> {
  const docker = new Docker()
  const engine = await docker.engineInfo()
  const measured = await measureBuiltImage(docker, { tag: reference, dockerfile: devNull }, engine, {
    compressed: false,
    log: quietLogger
  })
  return measured.size
}
