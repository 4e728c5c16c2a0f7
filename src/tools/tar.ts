import { Readable } from 'node:stream'
import { extract, Header } from 'tar-stream'

/**
 * The entries of a tar stream as they arrive (nothing held whole, nothing written to disk). An
 * error of the source ends the iteration with it: tar-stream alone would wait forever.
 */
export function tarEntries(archive: Readable): ReturnType<typeof extract> {
  const entries = extract()
  archive.on('error', error => entries.destroy(error))
  archive.pipe(entries)
  return entries
}

/** Whether an entry holds a file's content (its bytes follow the header). */
export function isFileEntry(header: Header): boolean {
  return header.type === 'file' || header.type === 'contiguous-file'
}
