// Elements of a list that a test expects to be there. With noUncheckedIndexedAccess,
// `list[0]` may be undefined; these say so in the test's failure instead of a cast, and
// `only` checks the count too.

/** The one element of `list`; throws, naming the count, when it holds none or several. */
export function only<T>(list: readonly T[], what = 'element'): T {
  const [first] = list
  if (list.length !== 1 || first === undefined) throw new Error(`Expected exactly one ${what}, got ${list.length}`)
  return first
}

/** `list[index]`; throws when the list is shorter. */
export function nth<T>(list: readonly T[], index: number, what = 'element'): T {
  const element = list[index]
  if (element === undefined) throw new Error(`Expected a ${what} at index ${index}, got ${list.length} in all`)
  return element
}
