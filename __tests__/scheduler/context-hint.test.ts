// The hint a failed build gets when its COPY source is outside the Dockerfile's folder, on builders' recorded wording.
import { describe, expect, it } from '@jest/globals'
import { missingCopySource, withContextHint } from '../../src/scheduler/context-hint.js'
import { BuildOutcome, ImageTarget } from '../../src/shared/types.js'

describe('the hint for a Dockerfile built from another folder', () => {
  const target: ImageTarget = {
    dockerfile: 'app/Dockerfile',
    context: 'app',
    baseDockerfile: 'app/Dockerfile',
    baseContext: 'app',
    change: 'modified',
    reason: 'Dockerfile modified'
  }
  const failed = (error: string): BuildOutcome => ({ side: 'head', ok: false, durationMs: 1, error, logTail: error })

  it.each([
    ['failed to solve: failed to compute cache key: "/go.mod" not found: not found', 'go.mod'],
    [
      'failed to compute cache key: failed to calculate checksum of ref abc::def: "/src/main.go": not found',
      'src/main.go'
    ],
    [
      'COPY failed: file not found in build context or excluded by .dockerignore: stat go.mod: file does not exist',
      'go.mod'
    ],
    ['COPY failed: forbidden path outside the build context: ../go.mod ()', '../go.mod']
  ])('finds the missing source in %s', (output, source) => {
    expect(missingCopySource(output)).toBe(source)
  })

  it('says the context may be another folder and how to declare it', () => {
    const outcome = withContextHint(target, failed('failed to compute cache key: "/go.mod" not found: not found'))
    expect(outcome.error).toContain("go.mod is not in app/, the Dockerfile's folder")
    expect(outcome.error).toContain('images: [{dockerfile: app/Dockerfile, context: .}]')
    expect(outcome.error).toContain('compose.yaml or docker-bake.hcl')
  })

  it('says nothing for another failure, or for an image whose context was declared', () => {
    const other = failed('The command /bin/sh -c false returned a non-zero code: 1')
    expect(withContextHint(target, other)).toBe(other)
    const missing = failed('"/go.mod" not found: not found')
    expect(withContextHint({ ...target, from: 'compose' }, missing)).toBe(missing)
    expect(withContextHint({ ...target, context: '.' }, missing)).toBe(missing)
    // At the root, the source is missing from the repository itself.
    expect(withContextHint({ ...target, dockerfile: 'Dockerfile', context: '.' }, missing)).toBe(missing)
  })
})
