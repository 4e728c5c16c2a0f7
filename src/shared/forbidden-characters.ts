/**
 * Characters no path, reason or build log of ours holds: C0 controls other than tab and line
 * feed, DEL, and the bidirectional controls that make text read differently than it is (the
 * embeddings, overrides and isolates, and the marks LRM, RLM and ALM). An artifact that holds
 * one was not written by the tool. Mentions, references and links need no neutralizing here:
 * the report puts every outside string inside code (report/escape.ts), where GitHub makes none.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this pattern is for
export const FORBIDDEN_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/
