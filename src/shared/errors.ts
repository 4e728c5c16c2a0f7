/** A bad input value: its message names the input, the value and the fix. */
export class InputError extends Error {}

/** The message of anything thrown: an Error's message, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
