// Reaching into parsed JSON by a dotted path (`images.0.head.size`), for tests that break a
// document on purpose: they write values its type forbids (a string for a number, a field
// removed), so they work on `unknown` and say where, instead of typing the document `any`.

type Container = Record<string, unknown> | unknown[]

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null
}

function step(container: Container, key: string): unknown {
  return Array.isArray(container) ? container[Number(key)] : container[key]
}

/** The value at `path`; throws when a step of it is missing, so a test cannot aim at nothing. */
export function getPath(json: unknown, path: string): unknown {
  let value = json
  for (const key of path.split('.')) {
    if (!isContainer(value)) throw new Error(`No ${path} in the JSON: nothing holds '${key}'`)
    value = step(value, key)
  }
  return value
}

/** Sets the value at `path`; `undefined` removes the field (JSON.stringify leaves it out). */
export function setPath(json: unknown, path: string, value: unknown): void {
  const keys = path.split('.')
  const last = keys.pop() ?? ''
  const parent = keys.length ? getPath(json, keys.join('.')) : json
  if (!isContainer(parent)) throw new Error(`No ${path} in the JSON: ${keys.join('.')} holds no fields`)
  if (Array.isArray(parent)) parent[Number(last)] = value
  else if (value === undefined) delete parent[last]
  else parent[last] = value
}
