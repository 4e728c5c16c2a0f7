// The local command's pure parts: the final report on the terminal.
import { calculatorRegression } from '../../__fixtures__/images.js'
import { describe, expect, it } from '@jest/globals'
import { alignColumns, renderTerminalReport, textTable } from '../../src/cli/render.js'
import { compareImages } from '../../src/judge/judge.js'
import { nth } from '../support/lists.js'
import { limits, measured, revisions } from '../support/command-images.js'

describe('the final report', () => {
  const context = {
    limits,
    baseName: 'main',
    headName: 'the working tree (2222222, with uncommitted changes)',
    runError: null,
    colour: false
  }

  it('aligns the table as the comment lays it out, numbers to the right', () => {
    const comparison = compareImages(
      revisions,
      [measured('services/api/Dockerfile', 1_269_760, 841_284_004), measured('web/Dockerfile', 50_000_000, 49_000_000)],
      limits
    )
    expect(textTable(comparison.images)).toEqual([
      'Dockerfile                  Base    Head        Δ         %  Status',
      'services/api/Dockerfile  1.27 MB  841 MB  +840 MB  +66,155%  ❌ over limit',
      'web/Dockerfile             50 MB   49 MB    -1 MB       -2%  📉 smaller'
    ])
  })

  it('pads by characters, not bytes', () => {
    expect(
      alignColumns(
        [
          ['é', '1'],
          ['ab', '22']
        ],
        ['left', 'right']
      )
    ).toEqual(['é   1', 'ab  22'])
  })

  it('prints the table, the reasons, the two sides and the verdict, without colour in a pipe', () => {
    const comparison = compareImages(revisions, [measured('a/Dockerfile', 100_000, 400_000)], limits)
    const text = renderTerminalReport(comparison, context)
    expect(text).not.toContain('\x1b[')
    expect(text.split('\n')).toEqual([
      'Dockerfile      Base    Head        Δ      %  Status',
      'a/Dockerfile  100 kB  400 kB  +300 kB  +300%  ❌ over limit',
      '',
      '❌ over limit a/Dockerfile: Grew +300 kB (+300%), past the max-increase of 10%.',
      '',
      'Base 1111111 (merge-base with main) → head the working tree (2222222, with uncommitted changes). Limits: max-increase 10%.',
      '❌ 1 image grew past the limit: +300 kB',
      ''
    ])
  })

  it("prints a failed build's failing step and its own last lines before the log", () => {
    const image = measured('a/Dockerfile', 100_000, null, true)
    nth(image.failedBuilds, 0).logTail = [
      '#1 [internal] load build definition from Dockerfile',
      '#5 [2/2] RUN make',
      '#5 0.101 cc main.c',
      '#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2'
    ].join('\n')
    image.base = {
      ...image.base!,
      instructions: [{ keyword: 'FROM', args: 'scratch', line: 1, endLine: 1, size: 100_000 }]
    }
    const other = measured('b/Dockerfile', 100_000, 100_500)
    const lines = renderTerminalReport(compareImages(revisions, [other, image], limits), context).split('\n')
    // The failed build first, and no instruction of its base listed as gone.
    expect(lines[1]).toMatch(/^a\/Dockerfile /)
    expect(lines.join('\n')).not.toContain('(gone)')
    const step = lines.indexOf('   The failing step (step 2/2): RUN make')
    expect(step).toBeGreaterThan(0)
    expect(lines[step + 1]).toBe('   │ cc main.c')
    expect(lines.indexOf('   │ #1 [internal] load build definition from Dockerfile')).toBeGreaterThan(step + 1)
  })

  it('names the instructions that moved the most bytes, largest first, with their lines', () => {
    const comparison = compareImages(revisions, [calculatorRegression()], limits)
    const lines = renderTerminalReport(comparison, context).split('\n')
    const listed = lines.indexOf('   The instructions that moved the most bytes:')
    expect(listed).toBeGreaterThan(0)
    expect(lines[listed + 1]).toMatch(
      /^ {3}L4 +\+618 MB {2}RUN apt-get update && apt-get install -y --no-install-recommends gola… \(new\)$/
    )
    // The final stage's FROM on each side, as the change it is.
    expect(lines[listed + 2]).toMatch(/^ {3}base L11 → L3 +\+199 MB {2}FROM scratch → FROM debian:bookworm$/)
    expect(lines[listed + 3]).toMatch(/^ {3}L9 +\+24\.\d MB {2}RUN go build .* \(new\)$/)
    expect(lines[listed + 4]).toBe('')
  })

  it('says the cause in one line, and what to do about it', () => {
    const image = calculatorRegression()
    image.base!.stages = [
      { name: 'build', from: 'debian:bookworm', line: 3 },
      { name: null, from: 'scratch', line: 11 }
    ]
    image.head!.stages = [{ name: null, from: 'debian:bookworm', line: 3 }]
    const lines = renderTerminalReport(compareImages(revisions, [image], limits), context).split('\n')
    expect(lines).toContain(
      "   Why it grew: The final stage's base changed from FROM scratch (base L11) to FROM debian:bookworm (L3) and " +
        'the stage build was dropped, so the build stage now ships; most of it from L4 RUN apt-get update && apt-get ' +
        'install -y --no-install-recom… (+618 MB).'
    )
    expect(lines.filter(line => line.startsWith('   warning: The build stage now ships'))).toHaveLength(1)
  })

  it("shows a failed head build's last lines", () => {
    const comparison = compareImages(revisions, [measured('a/Dockerfile', 100, null, true)], limits)
    const text = renderTerminalReport(comparison, context)
    expect(text).toContain('💥 build failed a/Dockerfile: The head build failed: COPY failed: no such file')
    expect(text).toContain('   │ COPY failed: no such file')
    expect(text).toContain('❌ 1 image failed to build')
  })

  it('says when no Dockerfile changed, and when the check could not finish', () => {
    expect(renderTerminalReport(compareImages(revisions, [], limits), context)).toContain(
      '✅ No Dockerfile changed between the base and the working tree (2222222, with uncommitted changes).'
    )
    const stopped = renderTerminalReport(compareImages(revisions, [], limits), {
      ...context,
      runError: 'No Docker engine answers.'
    })
    expect(stopped.trimEnd().split('\n').pop()).toBe('❌ The check could not finish: No Docker engine answers.')
  })

  it('colours on a terminal', () => {
    const comparison = compareImages(revisions, [measured('a/Dockerfile', 400_000, 100_000)], limits)
    expect(renderTerminalReport(comparison, { ...context, colour: true })).toContain('\x1b[32m✅ 1 image shrank')
  })
})
