// The input table is the one description of every input: action.yml, the action's reading,
// the command's flags and their errors all come from it.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { updateActionInputs } from '../../scripts/docs.mjs'
import { ACTION_INPUTS, INPUT_ENTRIES } from '../../src/inputs/table.js'
import { getInputs, inputVariable } from '../../src/inputs/inputs.js'
import { parseCommandLine, UsageError } from '../../src/cli/args.js'
import { EXIT, runCli } from '../../src/cli/main.js'
import { Output } from '../../src/cli/terminal.js'
import { assertBuilderSupported } from '../../src/inputs/secrets.js'

const actionYaml = readFileSync(join(import.meta.dirname, '..', '..', 'action.yml'), 'utf8')

describe("action.yml's inputs", () => {
  it('are the input table, in its order, with its descriptions and defaults', () => {
    const action = parse(actionYaml) as { inputs: Record<string, { description: string; default: string }> }
    expect(Object.entries(action.inputs).map(([name, spec]) => ({ name, ...spec }))).toEqual(
      ACTION_INPUTS.map(input => ({ ...input, required: false }))
    )
  })

  it('are as `npm run docs` writes them from the table', () => {
    expect(updateActionInputs(actionYaml, ACTION_INPUTS)).toBe(actionYaml)
  })
})

describe('the input table', () => {
  it('has one entry per input and per flag', () => {
    const names = INPUT_ENTRIES.map(([, entry]) => entry.name)
    const flags = INPUT_ENTRIES.flatMap(([, entry]) => ('none' in entry.flag ? [] : [entry.flag.name]))
    expect(new Set(names).size).toBe(names.length)
    expect(new Set(flags).size).toBe(flags.length)
  })

  it("reads each input's default without a complaint, in the action and in the command", () => {
    for (const [, entry] of INPUT_ENTRIES) {
      expect(() => entry.parse(entry.default, entry.name)).not.toThrow()
    }
    expect(parseCommandLine([]).kind).toBe('check')
  })
})

/** The message the action gives for `value` in the input `name`. */
function actionError(name: string, value: string): string {
  try {
    getInputs({ [inputVariable(name)]: value })
  } catch (error) {
    return (error as Error).message
  }
  throw new Error(`${name} '${value}' was accepted`)
}

function commandError(argv: string[]): string {
  try {
    parseCommandLine(argv)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error(`${argv.join(' ')} was accepted`)
}

class Captured implements Output {
  text = ''
  write(text: string) {
    this.text += text
  }
}

describe('one validation for the action and the command', () => {
  it.each([
    ['max-increase', '10 percent'],
    ['warn-increase', 'lots'],
    ['max-size', '10%'],
    ['parallel', '0'],
    ['records-depth', 'x'],
    ['records-ref', 'refs/heads/main'],
    ['cache-from', 'gha'],
    ['build-timeout', '30'],
    ['explain', 'files'],
    ['images-from', 'helm'],
    ['limits-from', 'pr'],
    ['missing-baseline', 'ignore'],
    ['baseline', 'maybe'],
    ['images', 'nope'],
    ['dockerfiles', '[a/Dockerfile'],
    ['builder', '--driver=evil']
  ])('speaks of the input %s and of its flag, with the same fix', (name, value) => {
    const entry = INPUT_ENTRIES.find(([, entry]) => entry.name === name)?.[1]
    if (!entry || 'none' in entry.flag) throw new Error(`${name} has no flag`)
    const flag = `--${entry.flag.name}`
    const inAction = actionError(name, value)
    const inCommand = commandError([`${flag}=${value}`])
    expect(inAction).toMatch(new RegExp(`^(Invalid ${name} '|${name}: )`))
    // The same words, the flag where the input was named.
    expect(inCommand).toBe(inAction.replace(name, flag))
  })

  it('gives the example of the message in the README both ways', () => {
    expect(actionError('max-increase', '10 percent')).toMatch(/^Invalid max-increase '10 percent'\. Expected a size/)
    expect(commandError(['--max-increase', '10 percent'])).toMatch(
      /^Invalid --max-increase '10 percent'\. Expected a size/
    )
  })

  it('makes a bad flag a usage error of the command: exit status 2, the message on stderr', async () => {
    const out = new Captured()
    const err = new Captured()
    const status = await runCli(['--max-increase', '10 percent'], { stdout: out, stderr: err, env: {}, cwd: '/' })
    expect(status).toBe(EXIT.usage)
    expect(status).toBe(2)
    expect(err.text).toMatch(/^docker-size-check: Invalid --max-increase '10 percent'\. Expected a size/)
    expect(out.text).toBe('')
  })
})

describe('the builder input', () => {
  it('names a buildx builder in the action and in the command, empty for the current one', () => {
    expect(getInputs({}).builder).toBe('')
    expect(getInputs({ INPUT_BUILDER: 'ci-builder' }).builder).toBe('ci-builder')
    const command = parseCommandLine(['--builder', 'ci-builder'])
    expect(command.kind === 'check' && command.options.settings.builder).toBe('ci-builder')
  })

  it('needs BuildKit', () => {
    expect(() => assertBuilderSupported('ci-builder', 'legacy')).toThrow(
      "The builder input names the buildx builder 'ci-builder', and this engine has only the legacy builder"
    )
    expect(() => assertBuilderSupported('ci-builder', 'buildx')).not.toThrow()
    expect(() => assertBuilderSupported('', 'legacy')).not.toThrow()
  })
})
