import { describe, expect, it } from '@jest/globals'
import { engineGoneMessage } from '../../src/tools/engine-errors.js'

describe('engineGoneMessage', () => {
  // Recorded from docker 28 (CLI) and buildx 0.13 against a socket with no daemon behind it.
  it.each([
    ['buildx', '', 'ERROR: Cannot connect to the Docker daemon at unix:///run/x.sock. Is the docker daemon running?\n'],
    [
      'image inspect',
      '[]\n',
      'Cannot connect to the Docker daemon at unix:///run/x.sock. Is the docker daemon running?\n'
    ],
    [
      'the legacy builder',
      '',
      'DEPRECATED: The legacy builder is deprecated\n\ntime="…" level=error msg="Can\'t add file /tmp/ctx/Dockerfile to tar: io: read/write on closed pipe"\nCannot connect to the Docker daemon at unix:///run/x.sock. Is the docker daemon running?\n'
    ],
    [
      'BuildKit losing the daemon mid-build',
      '',
      '#5 [2/3] RUN sleep 30\nERROR: failed to solve: rpc error: code = Unavailable desc = error reading from server: EOF\n'
    ],
    [
      'BuildKit whose connection was reset under a build',
      '',
      '#3 [internal] load build context\nERROR: failed to receive status: rpc error: code = Unavailable desc = error reading from server: read unix @->/tmp/d.sock: read: connection reset by peer\n'
    ],
    [
      // Recorded with buildx 0.29.1 on Docker 28.5, the engine's socket closed under the build.
      'buildx 0.29 losing the daemon mid-build',
      '',
      '#5 exporting to image\n#5 DONE 0.0s\nERROR: failed to build: failed to solve: Unavailable: error reading from server: EOF\n'
    ]
  ])('recognizes %s', (_, stdout, stderr) => {
    const message = engineGoneMessage({ exitCode: 1, stdout, stderr })
    expect(message).toMatch(/^The Docker engine stopped answering during the run \(.+\)\. Check that the Docker daemon/)
  })

  it('leaves a failed build alone', () => {
    const stderr = 'ERROR: failed to solve: failed to compute cache key: "/missing.bin": not found\n'
    expect(engineGoneMessage({ exitCode: 1, stdout: '', stderr })).toBeNull()
    expect(
      engineGoneMessage({ exitCode: 0, stdout: 'Cannot connect to the Docker daemon at x', stderr: '' })
    ).toBeNull()
  })
})
