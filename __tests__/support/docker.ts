// What the tests ask the engine directly, to check what a run left behind.
import { execFileSync } from 'node:child_process'

/** Whether the engine holds an image, by id or tag. */
export function imageExists(reference: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', reference], { stdio: 'pipe' })
    return true
  } catch {
    return false
  }
}
