import type { ChangedFile, FileStatus } from '../shared/types.js'
import type { Octokit } from '../tools/octokit.js'

/** GitHub's `pulls.listFiles` stops at this many files, without saying that it did. */
const PULL_FILES_API_LIMIT = 3000

export interface PullRef {
  owner: string
  repo: string
  pullNumber: number
}

export interface ChangedFiles {
  files: ChangedFile[]
  /**
   * False when the API may have cut the list short (3,000 files or more came back): the
   * caller should then compute the change set with `git diff` instead.
   */
  complete: boolean
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set<FileStatus>([
  'added',
  'modified',
  'removed',
  'renamed',
  'copied',
  'changed',
  'unchanged'
])

/** Reads every page of the PR's changed files. */
export async function listChangedFiles(octokit: Octokit, ref: PullRef): Promise<ChangedFiles> {
  const entries = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: ref.owner,
    repo: ref.repo,
    pull_number: ref.pullNumber,
    per_page: 100
  })
  const files = entries.map((entry): ChangedFile => {
    // A status GitHub adds later is safer read as 'modified' (the file's content counts as
    // changed) than dropped, which could hide an image the PR affects.
    const status: FileStatus = KNOWN_STATUSES.has(entry.status) ? entry.status : 'modified'
    const file: ChangedFile = { path: entry.filename, status }
    if (entry.previous_filename) file.previousPath = entry.previous_filename
    return file
  })
  // Exactly 3,000 may be the whole list or a cut one; the API does not tell, so assume cut.
  return { files, complete: files.length < PULL_FILES_API_LIMIT }
}
