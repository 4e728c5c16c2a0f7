/** A bad input value: its message names the input, the value and the fix. */
export class InputError extends Error {}
