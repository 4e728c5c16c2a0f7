// The local command's pure parts: flags, exit statuses, colour, progress lines and the table.
import { calculatorRegression, measuredImage } from '../../__fixtures__/images.js'
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import {
  DEFAULT_MAX_INCREASE,
  HELP_TEXT,
  HELP_WIDTH,
  INPUT_FLAGS,
  NOT_LOCAL,
  parseCommandLine,
  UsageError
} from '../../src/cli/args.js'
import { EXIT, exitCodeFor, exitCodeForError } from '../../src/cli/main.js'
import { InterruptedError } from '../../src/scheduler/interrupt.js'
import { alignColumns, renderTerminalReport, textTable } from '../../src/cli/render.js'
import {
  defaultBaseCandidates,
  mergeWorkingTreeChanges,
  parseRemoteHead,
  pickRemote
} from '../../src/cli/repository.js'
import { clock, formatDuration, Output, TerminalProgress, useColour, useLiveLine } from '../../src/cli/terminal.js'
import { compareImages, Limits, MeasuredImage } from '../../src/judge/judge.js'
import { EngineUnavailableError } from '../../src/tools/docker.js'
import { DEFAULT_DOCKERFILE_GLOBS } from '../../src/inputs/globs.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { nth } from '../support/lists.js'

function check(argv: string[]) {
  const command = parseCommandLine(argv)
  if (command.kind !== 'check') throw new Error(`expected a check, got ${command.kind}`)
  return command.options
}

function usageMessage(argv: string[]): string {
  try {
    parseCommandLine(argv)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error(`${argv.join(' ')} was accepted`)
}

describe('parseCommandLine', () => {
  it('reads --explain as the action reads its input, and names a wrong word', () => {
    const settings = (argv: string[]) => {
      const command = parseCommandLine(argv)
      if (command.kind !== 'check') throw new Error('not a check')
      return command.options.settings
    }
    expect(settings([]).explain).toEqual({ paths: true, instructions: true })
    expect(settings(['--explain', 'instructions']).explain).toEqual({ paths: false, instructions: true })
    expect(() => parseCommandLine(['--explain=files'])).toThrow(
      new UsageError(
        "Invalid --explain 'files': 'files' is not one of paths, instructions. Expected a comma-separated list such as 'paths,instructions' (the default), 'instructions', or 'none'."
      )
    )
  })

  it('defaults to the working tree against the default base, with the action defaults', () => {
    const options = check([])
    expect(options).toMatchObject({ base: null, head: null, json: null, markdown: null, quiet: false, verbose: false })
    expect(options.settings).toMatchObject({
      dockerfileGlobs: DEFAULT_DOCKERFILE_GLOBS,
      warnIncrease: null,
      maxSize: null,
      baseRef: '',
      headFrom: 'workspace',
      keepImages: false,
      limitsFrom: 'base',
      missingBaseline: 'fail'
    })
    expect(options.settings.maxIncrease).toEqual({ limits: [{ kind: 'percent', percent: 10 }], text: '10%' })
    expect(check(['--limits-from', 'head', '--missing-baseline=warn']).settings).toMatchObject({
      limitsFrom: 'head',
      missingBaseline: 'warn'
    })
  })

  it('has the same max-increase default as action.yml', () => {
    const action = parse(readFileSync(join(import.meta.dirname, '..', '..', 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: string }>
    }
    expect(DEFAULT_MAX_INCREASE).toBe(action.inputs['max-increase']?.default)
  })

  it('reads every flag, in both spellings of a value', () => {
    const options = check([
      '--base',
      'develop',
      '--head=HEAD~1',
      '--dockerfile',
      'services/*/Dockerfile',
      '--dockerfile=!services/old/**,tools/Dockerfile',
      '--max-increase',
      '10%, 5MB',
      '--warn-increase=1MB',
      '--max-size',
      '1GiB',
      '--keep-images',
      '--json',
      'out/report.json',
      '--markdown=comment.md',
      '-q'
    ])
    expect(options).toMatchObject({
      base: 'develop',
      head: 'HEAD~1',
      json: 'out/report.json',
      markdown: 'comment.md',
      quiet: true
    })
    expect(options.settings).toMatchObject({
      dockerfileGlobs: ['services/*/Dockerfile', '!services/old/**', 'tools/Dockerfile'],
      maxSize: 1024 ** 3,
      baseRef: 'develop',
      headFrom: 'worktree',
      keepImages: true
    })
    expect(options.settings.maxIncrease?.limits).toEqual([
      { kind: 'percent', percent: 10 },
      { kind: 'bytes', bytes: 5_000_000 }
    ])
    expect(options.settings.warnIncrease?.limits).toEqual([{ kind: 'bytes', bytes: 1_000_000 }])
  })

  it('turns the limit off with an empty --max-increase', () => {
    expect(check(['--max-increase=']).settings.maxIncrease).toBeNull()
  })

  it('answers --help and --version before anything else', () => {
    expect(parseCommandLine(['--max-size', '1GB', '--help'])).toEqual({ kind: 'help' })
    expect(parseCommandLine(['-h'])).toEqual({ kind: 'help' })
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'version' })
  })

  it.each([
    [['--max-increase', '10 percent'], "Invalid --max-increase '10 percent'. Expected a size such as 25MB"],
    [['--warn-increase=lots'], "Invalid --warn-increase 'lots'. Expected a size such as 25MB"],
    [['--max-size', '10%'], "Invalid --max-size '10%'. Expected a size such as 500MB"],
    [['--frobnicate'], "Unknown flag '--frobnicate'. Run docker-size-check --help for the flags."],
    [['-x'], "Unknown flag '-x'."],
    [['--max-increase'], 'Flag --max-increase needs a value: --max-increase LIMIT.'],
    [['--base', '--quiet'], "Flag --base needs a value, but is followed by '--quiet'."],
    [['--keep-images=yes'], "Flag --keep-images takes no value (got 'yes')."],
    [['main'], "Unexpected argument 'main'."],
    [['--json', 'a.json', '--json', 'b.json'], 'Flag --json is given twice.'],
    [['--json='], 'Flag --json needs a file name'],
    [['--dockerfile', ' , '], 'Flag --dockerfile is empty.'],
    [['--base=-x'], "Invalid --base '-x'"],
    [['--quiet', '--verbose'], 'Flags --quiet and --verbose contradict each other'],
    [['--limits-from', 'pr'], "Invalid --limits-from 'pr'. Expected one of: base, head."],
    [['--missing-baseline', 'ignore'], "Invalid --missing-baseline 'ignore'. Expected one of: fail, warn."]
  ])('refuses %j, naming the flag', (argv, message) => {
    expect(usageMessage(argv)).toContain(message)
  })

  it('documents every flag in --help', () => {
    for (const flag of ['--base', '--head', '--dockerfile', '--max-increase', '--warn-increase', '--max-size']) {
      expect(HELP_TEXT).toContain(flag)
    }
    for (const flag of ['--keep-images', '--json', '--markdown', '--quiet', '--verbose', '--help', '--version']) {
      expect(HELP_TEXT).toContain(flag)
    }
    expect(HELP_TEXT).toContain('Exit status: 0 pass, 1')
  })

  it('reads --build-timeout as the input is read, 30 minutes by default', () => {
    const timeout = (argv: string[]) => {
      const command = parseCommandLine(argv)
      return command.kind === 'check' ? command.options.settings.buildTimeoutMs : null
    }
    expect(timeout([])).toBe(1_800_000)
    expect(timeout(['--build-timeout', '90s'])).toBe(90_000)
    expect(() => parseCommandLine(['--build-timeout=30'])).toThrow(
      new UsageError(
        "Invalid --build-timeout '30'. Expected a duration of whole hours, minutes or seconds above zero and up to 24h, such as 30m, 90s, 1h or 1h30m (default 30m)."
      )
    )
  })

  it('fits --help in 80 columns', () => {
    const long = HELP_TEXT.split('\n').filter(line => line.length > HELP_WIDTH)
    expect(long).toEqual([])
    expect(HELP_WIDTH).toBe(80)
  })

  it('has a flag for every input of action.yml that applies locally, and a reason for the others', () => {
    const action = parse(readFileSync(join(import.meta.dirname, '..', '..', 'action.yml'), 'utf8')) as {
      inputs: Record<string, unknown>
    }
    const inputs = Object.keys(action.inputs).sort()
    expect([...Object.keys(INPUT_FLAGS), ...Object.keys(NOT_LOCAL)].sort()).toEqual(inputs)
    const helpFlags = new Set([...HELP_TEXT.matchAll(/^ {2}(?:-\w, )? *(--[\w-]+)/gm)].map(match => match[1]))
    for (const flag of Object.values(INPUT_FLAGS)) expect(helpFlags).toContain(flag)
    for (const reason of Object.values(NOT_LOCAL)) expect(reason.length).toBeGreaterThan(20)
  })

  it('takes the flags the action has as inputs', () => {
    const options = check([
      '--compressed-size',
      '--parallel',
      '2',
      '--config',
      'ci/sizes.yml',
      '--records-depth=7',
      '--images=- dockerfile: api/Dockerfile\n  name: api'
    ])
    expect(options.settings).toMatchObject({
      compressedSize: true,
      parallel: 2,
      configFile: 'ci/sizes.yml',
      recordsDepth: 7,
      images: [{ dockerfile: 'api/Dockerfile', name: 'api' }]
    })
    expect(check([]).settings.compressedSize).toBe(false)
  })

  it('reads a --secret value from the environment, never from the command line', () => {
    const command = parseCommandLine(['--secret', 'npm_token=NPM_TOKEN'], { NPM_TOKEN: 's3cret' })
    expect(command.kind === 'check' && command.options.settings.secrets).toEqual([{ id: 'npm_token', value: 's3cret' }])
    expect(usageMessage(['--secret', 'npm_token=NPM_TOKEN'])).toContain('environment variable NPM_TOKEN is not set')
    expect(usageMessage(['--secret', 'npm_token=s3cret value'])).toContain("Invalid --secret 'npm_token=s3cret value'")
  })

  it.each([
    [['--parallel', '0'], "Invalid --parallel '0'"],
    [['--records-depth', 'x'], "Invalid --records-depth 'x'"],
    [['--images', 'nope'], '--images: expected a YAML list'],
    [['--config='], 'Flag --config needs a file name']
  ])('refuses %j, naming the new flag', (argv, message) => {
    expect(usageMessage(argv)).toContain(message)
  })

  it('has every flag of --help documented in docs/command.md', () => {
    const section = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'command.md'), 'utf8')
    const flags = [...HELP_TEXT.matchAll(/^ {2}(?:-\w, )? *(--[\w-]+)/gm)].map(match => match[1])
    expect(flags).toHaveLength(31)
    for (const flag of flags) expect(section).toContain(`\`${flag}`)
  })
})

const revisions = {
  baseSha: '1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  headSha: '2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'
}
const limits: Limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }

/** An image measured at `base` and `head` bytes; `headFailed`: its head build failed. */
function measured(dockerfile: string, base: number | null, head: number | null, headFailed = false): MeasuredImage {
  const image = measuredImage(dockerfile, base, head, headFailed ? 'modified' : undefined)
  if (headFailed) {
    image.failedBuilds.push({
      side: 'head',
      ok: false,
      durationMs: 10,
      error: 'COPY failed: no such file',
      logTail: '#4 ERROR\nCOPY failed: no such file'
    })
  }
  return image
}

describe('exit statuses', () => {
  it('is 1 for a broken limit or a failed head build, 0 otherwise', () => {
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 100, 400)], limits))).toBe(1)
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 100, null, true)], limits))).toBe(1)
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 400, 100)], limits))).toBe(0)
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 100, 105)], limits))).toBe(0)
    expect(exitCodeFor(compareImages(revisions, [], limits))).toBe(0)
    const warnOnly: Limits = { ...limits, maxIncrease: null, warnIncrease: parseGrowthThreshold('w', '1%') }
    expect(exitCodeFor(compareImages(revisions, [measured('a/Dockerfile', 100, 400)], warnOnly))).toBe(0)
  })

  it('is 2 for bad usage, 3 without an engine, 130 on Ctrl-C and 1 for anything else', () => {
    expect(exitCodeForError(new UsageError('x'))).toBe(EXIT.usage)
    expect(exitCodeForError(new EngineUnavailableError('x'))).toBe(3)
    expect(exitCodeForError(new InterruptedError('SIGINT'))).toBe(130)
    expect(exitCodeForError(new InterruptedError('SIGTERM'))).toBe(143)
    expect(exitCodeForError(new Error('git broke'))).toBe(1)
    expect(exitCodeForError('a string')).toBe(1)
  })
})

describe('colour', () => {
  const tty = { write: () => true, isTTY: true }
  const pipe = { write: () => true, isTTY: false }
  it.each([
    [tty, {}, true],
    [pipe, {}, false],
    [tty, { NO_COLOR: '1' }, false],
    [tty, { CI: 'true' }, false],
    [tty, { TERM: 'dumb' }, false],
    [pipe, { FORCE_COLOR: '1' }, true],
    [tty, { FORCE_COLOR: '0' }, false],
    [pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false]
  ])('on %j with %j: %s', (stream, env, expected) => {
    expect(useColour(stream, env)).toBe(expected)
  })

  it('keeps the live line to terminals', () => {
    expect(useLiveLine(tty, {})).toBe(true)
    expect(useLiveLine(pipe, {})).toBe(false)
    expect(useLiveLine(tty, { CI: '1' })).toBe(false)
  })
})

describe('times', () => {
  it('reads as a person would say them', () => {
    expect(formatDuration(41_230)).toBe('41.2 s')
    expect(formatDuration(83_000)).toBe('1 min 23 s')
    expect(formatDuration(3_605_000)).toBe('60 min 05 s')
    expect(clock(0)).toBe('[00:00]')
    expect(clock(83_999)).toBe('[01:23]')
  })
})

class Buffer implements Output {
  text = ''
  constructor(readonly isTTY = false) {}
  write(text: string) {
    this.text += text
    return true
  }
}

describe('TerminalProgress', () => {
  function progress(options: { quiet?: boolean; live?: boolean; colour?: boolean } = {}) {
    const stream = new Buffer(options.live)
    let now = 1_000
    const tick = (ms: number) => (now += ms)
    const terminal = new TerminalProgress({
      stream,
      colour: options.colour ?? false,
      live: options.live ?? false,
      quiet: options.quiet ?? false,
      verbose: false,
      limits,
      now: () => now
    })
    return { stream, tick, terminal }
  }

  it('prints in a pipe one line per step and one per image, each with the elapsed time, in plain text', async () => {
    const { stream, tick, terminal } = progress()
    tick(5_000)
    const value = await terminal.group('Build head: a/Dockerfile', () => {
      tick(61_000)
      return Promise.resolve(42)
    })
    expect(value).toBe(42)
    terminal.info('head a/Dockerfile: 400 bytes in 61.0 s')
    terminal.warning('The base build of a/Dockerfile failed')
    terminal.imageDone(measured('a/Dockerfile', 100_000, 400_000))
    expect(stream.text.split('\n')).toEqual([
      '[00:05] Build head: a/Dockerfile …',
      '[01:06]   head a/Dockerfile: 400 bytes in 61.0 s',
      '[01:06] warning: The base build of a/Dockerfile failed',
      '[01:06] a/Dockerfile: 100 kB → 400 kB +300 kB (+300%), ❌ over limit',
      ''
    ])
    expect(terminal.streamBuilds).toBe(false)
  })

  it('on a terminal, ends the step line with its duration and colours the image line by verdict', async () => {
    const { stream, tick, terminal } = progress({ live: true, colour: true })
    await terminal.group('Changes', () => Promise.resolve(tick(1_500)))
    terminal.imageDone(measured('a/Dockerfile', 400_000, 100_000))
    expect(stream.text).toContain('\r\x1b[2K')
    expect(stream.text).toContain('Changes\x1b[22m \x1b[2m(1.5 s)\x1b[22m\n')
    expect(stream.text).toContain('\x1b[32ma/Dockerfile: 400 kB → 100 kB -300 kB (-75%), 📉 smaller\x1b[39m')
  })

  it('judges an image by its own limit, as the final table does', () => {
    const { stream, terminal } = progress()
    // Grows 5%: within the global 10%, past the image's own 1%.
    const strict = measured('a/Dockerfile', 100_000, 105_000)
    strict.target.name = 'strict api'
    strict.target.limits = { maxIncrease: parseGrowthThreshold('max-increase', '1%') }
    terminal.imageDone(strict)
    const table = renderTerminalReport(compareImages(revisions, [strict], limits), {
      limits,
      baseName: 'main',
      headName: 'the working tree',
      runError: null,
      colour: false
    })
    expect(stream.text).toContain('strict api: 100 kB → 105 kB +5 kB (+5%), ❌ over limit')
    expect(table).toMatch(/strict api.*over limit/)
  })

  it('says nothing when quiet, and still runs the work', async () => {
    const { stream, terminal } = progress({ quiet: true })
    expect(await terminal.group('Changes', () => Promise.resolve('done'))).toBe('done')
    terminal.info('x')
    terminal.warning('y')
    terminal.imageDone(measured('a/Dockerfile', 1, 2))
    expect(stream.text).toBe('')
  })
})

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

describe('the working tree', () => {
  it('counts untracked files as added, once', () => {
    expect(
      mergeWorkingTreeChanges([{ path: 'a/Dockerfile', status: 'modified' }], ['new/Dockerfile', 'a/Dockerfile'])
    ).toEqual([
      { path: 'a/Dockerfile', status: 'modified' },
      { path: 'new/Dockerfile', status: 'added' }
    ])
  })

  it('finds the default base: the remote default branch, then main, then master', () => {
    expect(defaultBaseCandidates('origin/trunk')).toEqual(['origin/trunk', 'main', 'master'])
    expect(defaultBaseCandidates(null)).toEqual(['main', 'master'])
    expect(parseRemoteHead('refs/remotes/origin/trunk\n')).toBe('origin/trunk')
    expect(parseRemoteHead('refs/heads/main')).toBeNull()
    expect(pickRemote(['upstream', 'origin'])).toBe('origin')
    expect(pickRemote(['upstream'])).toBe('upstream')
    expect(pickRemote([])).toBeNull()
  })
})
