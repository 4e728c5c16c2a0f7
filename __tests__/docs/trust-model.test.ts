// docs/trust-model.md quotes the workflows users copy as the files in examples/workflows/
// are, which the end-to-end tests run (fork-trusted.itg.test.ts): a change to one is a change
// to the other.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..', '..')
const doc = readFileSync(join(root, 'docs', 'trust-model.md'), 'utf8')
const examples = readdirSync(join(root, 'examples', 'workflows')).filter(name => name.endsWith('.yml'))

describe('docs/trust-model.md', () => {
  it('quotes each example workflow', () => {
    expect(examples.sort()).toEqual(['docker-size-record.yml', 'image-sizes.yml'])
  })

  it.each(examples)('quotes examples/workflows/%s as it is', name => {
    const text = readFileSync(join(root, 'examples', 'workflows', name), 'utf8')
    expect(doc).toContain(`\`\`\`yaml\n# .github/workflows/${name} (examples/workflows/${name})\n${text}\`\`\``)
  })
})
