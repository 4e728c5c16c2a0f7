// The signals are emitted on `process`, not sent with process.kill: jest runs test files in
// worker threads, whose process.pid is jest's own, and a real SIGINT would stop the whole run.
// The handlers under test are the only ones in a worker, and each test removes them.
import { afterEach, describe, expect, it } from '@jest/globals'
import { abortOnSignals, interruptionOf, SignalStop } from '../../src/scheduler/interrupt.js'
import { InterruptedError, StopSignal } from '../../src/shared/errors.js'

let stop: SignalStop | undefined
afterEach(() => {
  stop?.dispose()
  stop = undefined
})

/** Delivers the signal to this process's handlers, as the runtime does when it arrives. */
function send(name: StopSignal): void {
  process.emit(name, name)
}

describe('abortOnSignals', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('aborts the signal with an InterruptedError on %s', name => {
    const heard: Array<[StopSignal, boolean]> = []
    stop = abortOnSignals((signal, first) => heard.push([signal, first]))
    expect(stop.signal.aborted).toBe(false)
    send(name)
    expect(stop.signal.aborted).toBe(true)
    expect(stop.signal.reason).toBeInstanceOf(InterruptedError)
    expect((stop.signal.reason as InterruptedError).signal).toBe(name)
    expect(heard).toEqual([[name, true]])
  })

  it('keeps the first signal as the reason, and tells of the later ones as not first', () => {
    const heard: Array<[StopSignal, boolean]> = []
    stop = abortOnSignals((signal, first) => heard.push([signal, first]))
    send('SIGINT')
    send('SIGTERM')
    expect(heard).toEqual([
      ['SIGINT', true],
      ['SIGTERM', false]
    ])
    expect((stop.signal.reason as InterruptedError).signal).toBe('SIGINT')
  })

  it('removes its handlers on dispose', () => {
    const before = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }
    const installed = abortOnSignals()
    expect(process.listenerCount('SIGINT')).toBe(before.SIGINT + 1)
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM + 1)
    installed.dispose()
    expect(process.listenerCount('SIGINT')).toBe(before.SIGINT)
    expect(process.listenerCount('SIGTERM')).toBe(before.SIGTERM)
  })
})

describe('interruptionOf', () => {
  it("is the signal's InterruptedError when a signal stopped the run", () => {
    const controller = new AbortController()
    const reason = new InterruptedError('SIGTERM')
    controller.abort(reason)
    expect(interruptionOf(controller.signal)).toBe(reason)
  })

  it('is null for no signal, one not aborted, and one aborted for another reason', () => {
    expect(interruptionOf(undefined)).toBeNull()
    expect(interruptionOf(new AbortController().signal)).toBeNull()
    const other = new AbortController()
    other.abort(new Error('timed out'))
    expect(interruptionOf(other.signal)).toBeNull()
  })
})
