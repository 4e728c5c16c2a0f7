/**
 * "base from the record of abc1234 (3 commits behind)", for the log and the comment. Pure:
 * the comment passes `commit` to put the short id in code; the log takes it as it is.
 */
export function describeRecordedBaseline(
  baseline: { commit: string; behind: number },
  commit: (short: string) => string = short => short
): string {
  const behind =
    baseline.behind === 0 ? 'the merge-base' : `${baseline.behind} commit${baseline.behind === 1 ? '' : 's'} behind`
  return `base from the record of ${commit(baseline.commit.slice(0, 7))} (${behind})`
}
