/** How deep symbolic links may nest before a path counts as unresolvable (Linux's own limit). */
const MAX_LINK_HOPS = 40

/**
 * Where a path from the repository root really leads, following the symbolic links the
 * commit holds (`linkTarget` gives a link's text, undefined for anything that is no link).
 * Null when it leaves the repository: through `..` above the root, or a link to an absolute
 * path or out of the root. Pure, so that it is the same for a commit read from git.
 */
export function resolveInTree(path: string, linkTarget: (path: string) => string | undefined): string | null {
  let pending = path.split('/')
  const resolved: string[] = []
  let hops = 0
  while (pending.length) {
    const part = pending.shift() as string
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (!resolved.length) return null
      resolved.pop()
      continue
    }
    const target = linkTarget([...resolved, part].join('/'))
    if (target === undefined) {
      resolved.push(part)
      continue
    }
    if (++hops > MAX_LINK_HOPS || target.startsWith('/')) return null
    pending = [...target.split('/'), ...pending]
  }
  return resolved.join('/') || '.'
}
