import { describe, expect, it } from '@jest/globals'
import { quietLogger } from '../../src/shared/logger.js'
import { Progress, progressFor } from '../../src/scheduler/progress.js'
import { ImageTarget } from '../../src/shared/types.js'
import { RecordingProgress } from '../support/recording-progress.js'

class Log extends RecordingProgress {
  constructor() {
    super({ streamBuilds: true })
  }
}

const app: ImageTarget = {
  dockerfile: 'app/Dockerfile',
  context: 'app',
  baseDockerfile: 'app/Dockerfile',
  baseContext: 'app',
  change: 'modified',
  reason: 'Dockerfile modified'
}

describe('progressFor', () => {
  it('is the log itself when one image builds at a time', () => {
    const log = new Log()
    expect(progressFor(log, 1)).toBe(log)
  })

  it('opens no group and streams no build when images build side by side', async () => {
    const log = new Log()
    const parallel = progressFor(log, 3)
    expect(parallel.streamBuilds).toBe(false)
    const result = await parallel.group('Build head: app/Dockerfile', () => {
      parallel.info('inside')
      return Promise.resolve(42)
    })
    expect(result).toBe(42)
    expect(log.lines).toEqual(['Build head: app/Dockerfile …', 'inside'])
  })

  it("passes lines, warnings and finished images on to a class's methods", () => {
    const log = new Log()
    const parallel = progressFor(log, 2)
    parallel.info('one')
    parallel.warning('two')
    parallel.imageDone?.({ target: app, base: null, head: null, failedBuilds: [] })
    expect(log.lines).toEqual(['one', 'warning two'])
    expect(log.done).toEqual(['app/Dockerfile'])
  })

  it('tolerates a log that is not told of finished images', () => {
    const lines: string[] = []
    const plain: Progress = {
      ...quietLogger,
      streamBuilds: true,
      group: (_title, work) => work(),
      info: message => lines.push(message),
      warning: message => lines.push(message)
    }
    const parallel = progressFor(plain, 2)
    expect(() => parallel.imageDone?.({ target: app, base: null, head: null, failedBuilds: [] })).not.toThrow()
    parallel.info('still heard')
    expect(lines).toEqual(['still heard'])
  })
})
