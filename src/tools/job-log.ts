import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { inertText } from '../shared/inert.js'
import { AnnotationPlace, Logger, OutputSink } from '../shared/logger.js'

/**
 * Whether the runner could read a line of this text as a workflow command: `::name …::` at
 * a line's start (after any white space) or `##[name …]` anywhere in a line (the runner's
 * older syntax, still parsed). Any `::` at all counts, so that no difference between our
 * idea of white space and the runner's can let one through; a false alarm costs two lines.
 */
export function couldBeCommand(text: string): boolean {
  return text.includes('::') || text.includes('##[')
}

/**
 * The action's Logger: the job log, through @actions/core.
 *
 * Outside text (a build's output, a path or a Dockerfile line in an info line) is the PR
 * author's, and the runner acts on every line of the job log that reads as a workflow
 * command: a build that prints `::error file=…::` forges an annotation, `::add-mask::` hides
 * words of the log, `::stop-commands::` silences ours. So outside text goes between
 * `::stop-commands::<token>` and `::<token>::`, the runner's documented way to print text it
 * must not act on, with a fresh random token per block: a build cannot print the token that
 * ends a block it cannot see. This keeps the text exactly as written (a path a user copies
 * from the log is the real path), where escaping a leading `::` would change it and would
 * still miss `##[…]`, which the runner reads anywhere in a line.
 *
 * Warnings, errors, groups and debug lines are our own commands (@actions/core escapes their
 * text into one line): a block open for a build's output is closed before each of them, or
 * the runner would not act on it either. Info lines with nothing command-like in them stay
 * plain, so the log is not doubled. Every text is inert too (shared/inert.ts): the log view
 * acts on some escape sequences, and no build's output needs them to be read.
 */
export class JobLog implements Logger {
  /** The token of the block open now, if any. */
  private token: string | null = null
  /** Streams of command output not ended yet: the block stays open while any writes. */
  private openStreams = 0
  private atLineStart = true

  /** Where @actions/core writes too, so that the blocks and the commands keep their order. */
  private write(text: string): void {
    process.stdout.write(text)
  }

  debug(message: string): void {
    this.closeBlock()
    core.debug(inertText(message))
  }

  info(message: string): void {
    const text = inertText(message)
    if (this.token === null && !couldBeCommand(text)) {
      core.info(text)
      return
    }
    this.toLineStart()
    this.inBlock(`${text}\n`)
    if (this.openStreams === 0) this.closeBlock()
  }

  warning(message: string, where?: AnnotationPlace): void {
    this.closeBlock()
    core.warning(inertText(message), where)
  }

  error(message: string, where?: AnnotationPlace): void {
    this.closeBlock()
    core.error(inertText(message), where)
  }

  async group<T>(title: string, work: () => Promise<T>): Promise<T> {
    this.closeBlock()
    core.startGroup(inertText(title))
    try {
      return await work()
    } finally {
      this.closeBlock()
      core.endGroup()
    }
  }

  commandOutput(): OutputSink {
    this.openStreams++
    let ended = false
    return {
      write: text => {
        const clean = inertText(text)
        if (!ended && clean) this.inBlock(clean)
      },
      end: () => {
        if (ended) return
        ended = true
        this.openStreams--
        if (this.openStreams === 0) this.closeBlock()
      }
    }
  }

  private inBlock(text: string): void {
    if (this.token === null) {
      // 128 random bits: never guessed, never the name of a command the runner knows.
      this.token = randomBytes(16).toString('hex')
      this.write(`::stop-commands::${this.token}\n`)
      this.atLineStart = true
    }
    this.write(text)
    this.atLineStart = text.endsWith('\n')
  }

  /** The resume line must stand at a line's start, or the runner reads it as text and stays stopped. */
  private toLineStart(): void {
    if (this.token !== null && !this.atLineStart) {
      this.write('\n')
      this.atLineStart = true
    }
  }

  private closeBlock(): void {
    if (this.token === null) return
    this.toLineStart()
    this.write(`::${this.token}::\n`)
    this.token = null
  }
}
