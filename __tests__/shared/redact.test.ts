import { describe, expect, it } from '@jest/globals'
import { redactor, secretFragments } from '../../src/shared/redact.js'

describe('redactor', () => {
  it('takes out each value wherever it stands, and leaves the rest', () => {
    const redact = redactor(['s3cr3t-value', 'other=x'])
    expect(redact('#7 0.21 token is s3cr3t-value, again s3cr3t-value\nother=x!')).toBe(
      '#7 0.21 token is ***, again ***\n***!'
    )
    expect(redactor([])('s3cr3t-value')).toBe('s3cr3t-value')
  })

  it('takes out every line of a multi-line value, printed one by one under prefixes of their own', () => {
    const key =
      '-----BEGIN KEY-----\r\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLIn\r\n  FEX6Ppy1tPf9Cnzj4p4  \r\n==\r\n-----END KEY-----'
    const log = [
      '#7 0.20 -----BEGIN KEY-----',
      '#7 0.20 MIIBOgIBAAJBAKj34GkxFhD90vcNLYLIn',
      '#7 0.20 FEX6Ppy1tPf9Cnzj4p4',
      '#7 0.20 ==',
      '#7 0.20 -----END KEY-----'
    ].join('\n')
    expect(redactor([key])(log)).toBe(
      ['#7 0.20 ***', '#7 0.20 ***', '#7 0.20 ***', '#7 0.20 ==', '#7 0.20 ***'].join('\n')
    )
    expect(redactor([key])(`printed whole: ${key}.`)).toBe('printed whole: ***.')
  })

  it('keeps a value whole where one of its lines is part of another', () => {
    expect(secretFragments(['abcd\nabcdefgh'])).toEqual(['abcd\nabcdefgh', 'abcdefgh', 'abcd'])
    expect(redactor(['abcd\nabcdefgh'])('abcdefgh')).toBe('***')
  })

  it('ignores empty values: an unset secret must not blank out the log', () => {
    expect(secretFragments(['', '  ', '\n'])).toEqual([])
  })
})
