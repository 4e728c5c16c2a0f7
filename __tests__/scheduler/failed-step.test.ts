import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cleanLog } from '../../src/serialized/fields.js'
import { failedStepLine, parseFailedStep } from '../../src/scheduler/failed-step.js'

const fixture = (name: string) =>
  cleanLog(readFileSync(join(import.meta.dirname, '..', '..', '__fixtures__', 'build-output', name), 'utf8'))
const RUN = 'RUN echo one && echo two >&2 && for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line $i; done && exit 3'

describe('parseFailedStep', () => {
  it("reads BuildKit's summary of the failed step from the last lines it keeps", () => {
    const step = parseFailedStep(fixture('buildkit-0.13-run-failed.txt'))
    expect(step).toEqual({
      step: '3/4',
      instruction: RUN,
      line: null,
      output: ['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12'],
      error: `executor failed running [/bin/sh -c ${RUN.slice(4)}]: exit code: 3`
    })
  })

  it('takes the line from the Dockerfile that newer BuildKit quotes', () => {
    const step = parseFailedStep(fixture('buildkit-excerpt.documented.txt'))
    expect(step?.line).toBe(3)
    expect(step?.instruction).toBe('RUN apt-get update &&     apt-get install -y nosuchpackage')
    expect(step?.output).toEqual(['Reading package lists...', 'E: Unable to locate package nosuchpackage'])
  })

  it("reads the step's own block when the summary is cut off", () => {
    const log = [
      '#1 [internal] load build definition from Dockerfile',
      '#1 DONE 0.0s',
      '#5 [build 2/3] RUN make',
      '#5 0.101 cc -o app main.c',
      '#5 0.230 main.c:1: error',
      '#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2'
    ].join('\n')
    expect(parseFailedStep(log)).toEqual({
      step: 'build 2/3',
      instruction: 'RUN make',
      line: null,
      output: ['cc -o app main.c', 'main.c:1: error'],
      error: 'process "/bin/sh -c make" did not complete successfully: exit code: 2'
    })
  })

  it("reads the legacy builder's Step header and its output", () => {
    const step = parseFailedStep(fixture('legacy-20.10-run-failed.txt'))
    expect(step?.step).toBe('3/4')
    expect(step?.instruction).toBe(RUN)
    expect(step?.output.at(-1)).toBe('line 12')
    expect(step?.output).not.toContain(' ---> Running in')
    expect(step?.error).toMatch(/^The command '\/bin\/sh -c echo one .*' returned a non-zero code: 3$/)
  })

  it('finds no step in a log that names none', () => {
    expect(parseFailedStep('Cannot connect to the Docker daemon')).toBeNull()
  })
})

describe('failedStepLine', () => {
  const dockerfile = [
    'FROM busybox:local',
    'COPY . /app',
    'run echo one && echo two >&2 && for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line $i; \\',
    '    done && exit 3',
    'RUN echo never'
  ].join('\n')

  it('finds the line of the instruction the builder names, where it quotes none', () => {
    expect(failedStepLine(fixture('buildkit-0.13-run-failed.txt'), dockerfile)).toBe(3)
    expect(failedStepLine(fixture('legacy-20.10-run-failed.txt'), dockerfile)).toBe(3)
  })

  it("takes the builder's own quote first", () => {
    expect(failedStepLine(fixture('buildkit-excerpt.documented.txt'), 'FROM scratch\n')).toBe(3)
  })

  it('gives no line where the instruction stands twice, or nowhere', () => {
    const twice = `FROM busybox:local\nRUN make\nFROM busybox:local\nRUN make\n`
    const log = '#5 [2/2] RUN make\n#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2'
    expect(failedStepLine(log, twice)).toBeNull()
    expect(failedStepLine(log, 'FROM busybox:local\nRUN other\n')).toBeNull()
    expect(failedStepLine(log, '')).toBeNull()
  })
})
