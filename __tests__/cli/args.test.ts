import { describe, expect, it } from '@jest/globals'
import {
  DEFAULT_MAX_INCREASE,
  HELP_TEXT,
  HELP_WIDTH,
  INPUT_FLAGS,
  NOT_LOCAL,
  parseCommandLine,
  UsageError
} from '../../src/cli/args.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { DEFAULT_DOCKERFILE_GLOBS } from '../../src/inputs/globs.js'

describe('--image and --base-image', () => {
  it('check the two references and nothing else', () => {
    const command = parseCommandLine(['--image', 'ghcr.io/o/app:pr', '--base-image', 'ghcr.io/o/app:main'])
    expect(command.kind === 'check' && command.options.references).toEqual([
      { image: 'ghcr.io/o/app:pr', baseImage: 'ghcr.io/o/app:main' }
    ])
  })
  it('refuse flags that choose what to build, and a base-image alone', () => {
    expect(() => parseCommandLine(['--image', 'app:1', '--dockerfile', 'Dockerfile'])).toThrow(UsageError)
    expect(() => parseCommandLine(['--base-image', 'app:1'])).toThrow('Flag --base-image needs --image')
    expect(() => parseCommandLine(['--image', 'App'])).toThrow("Invalid --image 'App'")
  })
})

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
      headFrom: 'working-tree',
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
