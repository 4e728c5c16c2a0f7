/** What a comment key may hold; the sticky comment's marker (publish/sticky-comment.ts) is checked against the same pattern. */
export const COMMENT_KEY_PATTERN = /^[A-Za-z0-9._-]{1,64}$/
