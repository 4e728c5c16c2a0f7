// The `records-ref` input: where the baseline records live (records/store.ts).

export const DEFAULT_RECORDS_REF = 'refs/docker-size-check/records'

/**
 * A ref the store may use: a full ref name outside branches and tags, as git allows it.
 * `label` names the value as the user gave it: the input `records-ref`, or the command's `--records-ref`.
 */
export function assertRecordsRef(ref: string, label = 'records-ref'): void {
  const valid =
    /^refs\/[A-Za-z0-9._/-]+$/.test(ref) &&
    !/^refs\/(heads|tags|remotes|pull)\//.test(ref) &&
    !/\.\.|\/\/|\/$|\.lock(\/|$)|(^|\/)\./.test(ref)
  if (!valid) {
    throw new Error(
      `Invalid ${label} '${ref}'. Expected a full ref name outside branches and tags, such as ${DEFAULT_RECORDS_REF}.`
    )
  }
}
