import { describe, expect, it } from '@jest/globals'
import { buildCommandArgs, buildEnvironment } from '../../src/scheduler/build-command.js'
import { InputError } from '../../src/shared/errors.js'
import { assertSecretsSupported, parseSecrets } from '../../src/inputs/secrets.js'

describe('parseSecrets', () => {
  it('reads one id=value a line; the value keeps its own = signs', () => {
    expect(parseSecrets('npm_token=abc=def==\n\n# a comment\n  pip.index-url=https://u:p@host/simple  \n')).toEqual([
      { id: 'npm_token', value: 'abc=def==' },
      { id: 'pip.index-url', value: 'https://u:p@host/simple  ' }
    ])
    expect(parseSecrets('')).toEqual([])
  })

  it('keeps each value byte for byte: trailing spaces, a carriage return, a leading space', () => {
    expect(parseSecrets('a= lead\nb=trail  \nc=cr\r\n')).toEqual([
      { id: 'a', value: ' lead' },
      { id: 'b', value: 'trail  ' },
      { id: 'c', value: 'cr\r' }
    ])
  })

  it('reads a value of several lines written as id<<EOT … EOT', () => {
    const key =
      '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\nab=cd=\n-----END KEY-----'
    expect(parseSecrets(`key<<EOT\n${key}\nEOT\nnpm=x`)).toEqual([
      { id: 'key', value: key },
      { id: 'npm', value: 'x' }
    ])
    expect(parseSecrets('empty<<END\nEND')).toEqual([{ id: 'empty', value: '' }])
  })

  it.each([
    ['npm_token', "Invalid secrets line 1: it has no '='. Write one secret a line as id=value"],
    ['ok=1\nbad id=2', "Invalid secrets line 2: what comes before its first '=' is no id"],
    ['a,b=1', "Invalid secrets line 1: what comes before its first '=' is no id"],
    ['t=1\nt=2', 'Invalid secrets line 2: it gives the id of line 1 again.'],
    ['k<<EOT\nline', 'Invalid secrets line 1: the value it opens with << has no closing line'],
    ['k<<EOT\na\nEOT\nk=2', 'Invalid secrets line 4: it gives the id of line 1 again.']
  ])('refuses %p, naming the line and the fix but never the value', (input, message) => {
    expect(() => parseSecrets(input)).toThrow(InputError)
    expect(() => parseSecrets(input)).toThrow(message)
  })

  it('keeps a value out of the error of a bad line', () => {
    expect(() => parseSecrets('token hunter2-secret-value')).not.toThrow(/hunter2/)
  })

  // A key file given as `key=${{ secrets.KEY }}` spills its other lines into lines of their
  // own; the error comes before any value is masked, and reaches the comment.
  it('quotes no part of a multi-line value pasted as id=value', () => {
    const lines = [
      '-----BEGIN KEY-----',
      'MIIBOg+IBAAJBAKj/34GkxFhD90vc=',
      'hunter2abc=',
      'Zm9vYmFy',
      '-----END KEY-----'
    ]
    for (let cut = 1; cut < lines.length; cut++) {
      const input = `key=${lines.slice(0, cut).join('\n')}\n${lines.slice(cut).join('\n')}\nother=hunter2abc`
      let message = ''
      try {
        parseSecrets(input)
      } catch (error) {
        message = (error as Error).message
      }
      expect(message).toMatch(/^Invalid secrets line \d+/)
      for (const line of lines)
        for (const part of line.split('=')) if (part.length > 3) expect(message).not.toContain(part)
    }
  })
})

describe('secrets on the build command line', () => {
  const request = {
    dockerfile: '/w/Dockerfile',
    context: '/w',
    tag: 't:1',
    builder: 'buildx' as const,
    secrets: [
      { id: 'npm_token', value: 's3cr3t' },
      { id: 'other', value: 'x,y=z' }
    ]
  }

  it('names each secret by id and environment variable, never by value', () => {
    const args = buildCommandArgs(request)
    expect(args).toEqual(
      expect.arrayContaining([
        '--secret',
        'id=npm_token,env=DOCKER_SIZE_CHECK_SECRET_0',
        'id=other,env=DOCKER_SIZE_CHECK_SECRET_1'
      ])
    )
    expect(args.join(' ')).not.toContain('s3cr3t')
    expect(args).not.toContain('--build-arg')
    expect(buildEnvironment('buildx', request.secrets)).toEqual({
      DOCKER_SIZE_CHECK_SECRET_0: 's3cr3t',
      DOCKER_SIZE_CHECK_SECRET_1: 'x,y=z'
    })
  })

  it('needs BuildKit', () => {
    expect(() => assertSecretsSupported(request.secrets, 'legacy')).toThrow(
      /secrets input needs BuildKit, and this engine has only the legacy builder.*Install buildx/
    )
    expect(() => assertSecretsSupported(request.secrets, 'buildx')).not.toThrow()
    expect(() => assertSecretsSupported([], 'legacy')).not.toThrow()
  })
})
