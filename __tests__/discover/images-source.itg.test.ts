// Compose and bake files evaluated by the real `docker buildx bake --print` at a real git
// commit: symbolic links followed in the commit's tree and in the working tree, and the
// choice that images-from makes.
import { afterAll, describe, expect, it } from '@jest/globals'
import { quietLogger } from '../../src/shared/logger.js'
import { symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { discoverInRepository } from '../../src/discover/from-repository.js'
import { DEFAULT_DOCKERFILE_GLOBS } from '../../src/inputs/globs.js'
import { ImagesFrom } from '../../src/inputs/images-from.js'
import { Git } from '../../src/tools/git.js'
import { cleanupTempDirs, commitFiles, git, gitLine, makeRepo, makeTempDir } from '../support/repo.js'

afterAll(async () => {
  await cleanupTempDirs()
})

/** A repository whose second commit is `change` on top of `base`; `links` are made before the first. */
async function twoCommits(
  base: Record<string, string>,
  change: Record<string, string>,
  links: Record<string, string> = {}
) {
  const repo = await makeRepo()
  for (const [path, target] of Object.entries(links)) await symlink(target, join(repo, path))
  await commitFiles(repo, base, 'base')
  if (Object.keys(links).length) {
    await git(repo, ['add', '--all'])
    await git(repo, ['commit', '--quiet', '--amend', '--no-edit'])
  }
  const baseSha = await gitLine(repo, ['rev-parse', 'HEAD'])
  const headSha = await commitFiles(repo, change, 'change')
  return { repo, baseSha, headSha }
}

async function affected(
  setup: Awaited<ReturnType<typeof twoCommits>>,
  imagesFrom: ImagesFrom = 'auto',
  uncommitted = false
) {
  const git = new Git(setup.repo)
  const changed = await git.diffNameStatus(setup.baseSha, setup.headSha)
  const notes: string[] = []
  const targets = await discoverInRepository(
    git,
    { baseSha: setup.baseSha, headSha: setup.headSha, ...(uncommitted ? { headUncommitted: true } : {}) },
    changed,
    { dockerfileGlobs: DEFAULT_DOCKERFILE_GLOBS, imagesFrom, maxIncrease: null, warnIncrease: null, maxSize: null },
    setup.repo,
    {
      tempRoot: await makeTempDir('bake'),
      log: { ...quietLogger, info: note => notes.push(note), warning: note => notes.push(`warning: ${note}`) }
    }
  )
  return { targets, notes }
}

const composeFor = (context: string) =>
  `services:\n  web:\n    build:\n      context: ${context}\n      dockerfile: Dockerfile\n`

describe('a context behind a symbolic link', () => {
  it('is refused where the link leads out of the repository', async () => {
    const outside = await makeTempDir('outside')
    const setup = await twoCommits(
      { 'compose.yaml': composeFor('web'), 'app.txt': 'a' },
      { 'app.txt': 'b' },
      {
        web: outside
      }
    )
    await expect(affected(setup)).rejects.toThrow(
      `compose.yaml: service 'web': context 'web' leads outside the repository at the head (${setup.headSha.slice(0, 12)})`
    )
    // The working tree's link is followed the same way.
    await expect(affected(setup, 'auto', true)).rejects.toThrow(
      'leads outside the repository at the head (the working tree)'
    )
  })

  it('is followed where it stays inside: the image is affected by the files where it leads', async () => {
    const setup = await twoCommits(
      {
        'compose.yaml': composeFor('current'),
        'build/v2/Dockerfile': 'FROM scratch\nCOPY . /\n',
        'build/v2/a.txt': 'a'
      },
      { 'build/v2/a.txt': 'b' },
      { current: 'build/v2' }
    )
    const { targets, notes } = await affected(setup)
    expect(notes[0]).toContain('Images from compose.yaml (images-from: auto)')
    expect(targets).toEqual([
      expect.objectContaining({
        name: 'web',
        context: 'build/v2',
        dockerfile: 'build/v2/Dockerfile',
        reason: 'build context changed: build/v2/a.txt'
      })
    ])
  })
})

describe('a compose file that reads a file outside the repository', () => {
  it('is refused before bake runs', async () => {
    const compose = 'include:\n  - /etc/hostname\nservices:\n  web:\n    build: web\n'
    const setup = await twoCommits({ 'compose.yaml': compose, 'web/Dockerfile': 'FROM scratch\n' }, { 'web/a': 'a' })
    await expect(affected(setup)).rejects.toThrow(
      "compose.yaml: '/etc/hostname' (an include, extends, env_file or label_file) is outside the repository at the head"
    )
  })
})

describe('images-from', () => {
  const files = {
    'compose.yaml': composeFor('web'),
    'web/Dockerfile': 'FROM scratch\nCOPY . /\n',
    'web/a.txt': 'a',
    'other/Dockerfile': 'FROM scratch\n'
  }

  it('takes the Dockerfile globs alone when told to', async () => {
    const setup = await twoCommits(files, { 'web/a.txt': 'b', 'other/Dockerfile': 'FROM scratch\n# changed\n' })
    const fromCompose = await affected(setup, 'compose')
    expect(fromCompose.targets.map(target => target.name ?? target.dockerfile)).toEqual(['web'])
    const fromGlobs = await affected(setup, 'dockerfiles')
    expect(fromGlobs.notes).toEqual([
      'Images from the Dockerfiles the dockerfiles globs match (images-from: dockerfiles).'
    ])
    expect(fromGlobs.targets.map(target => target.name ?? target.dockerfile)).toEqual([
      'other/Dockerfile',
      'web/Dockerfile'
    ])
  })

  it('says which file is missing for bake and config', async () => {
    const setup = await twoCommits(files, { 'web/a.txt': 'b' })
    await expect(affected(setup, 'bake')).rejects.toThrow(
      'images-from is bake, but the head has none of docker-bake.json, docker-bake.hcl, docker-bake.override.hcl'
    )
    await expect(affected(setup, 'config')).rejects.toThrow('images-from is config, but there is no images input')
  })

  it('reads an env_file that is not committed as empty, and says so', async () => {
    const compose = `services:\n  web:\n    build: web\n    env_file: not-committed.env\n`
    const setup = await twoCommits({ ...files, 'compose.yaml': compose }, { 'web/a.txt': 'b' })
    const { targets, notes } = await affected(setup)
    expect(notes[0]).toMatch(
      /^warning: not-committed\.env \(an env_file\) is not in the repository at the head .*: read as empty\.$/
    )
    expect(notes[1]).toContain('Images from compose.yaml (images-from: auto)')
    expect(targets.map(target => [target.name, target.dockerfile])).toEqual([['web', 'web/Dockerfile']])
  })

  it('under auto, fails when the file does not evaluate at the head, instead of taking the globs', async () => {
    const broken = `services:\n  web:\n    build: web\n    extends: {file: not-committed.yaml, service: x}\n`
    const setup = await twoCommits(
      { ...files, 'compose.yaml': 'services:\n  web:\n    build: web\n' },
      {
        'web/a.txt': 'b',
        'compose.yaml': broken
      }
    )
    await expect(affected(setup)).rejects.toThrow(/docker buildx bake --print over compose\.yaml at the head .* failed/)
    await expect(affected(setup, 'compose')).rejects.toThrow('not-committed.yaml')
  })

  it('under auto, takes the globs when the compose file builds nothing', async () => {
    const setup = await twoCommits(
      { ...files, 'compose.yaml': 'services:\n  db:\n    image: postgres:16\n' },
      {
        'web/a.txt': 'b'
      }
    )
    const { targets, notes } = await affected(setup)
    expect(notes).toEqual(['Images from the Dockerfiles the dockerfiles globs match (images-from: auto).'])
    expect(targets.map(target => target.dockerfile)).toEqual(['web/Dockerfile'])
  })
})

describe("a compose file in a subfolder with additional_contexts (a named context beside the service's context)", () => {
  const compose = [
    'services:',
    '  api:',
    '    build:',
    '      context: api',
    '      additional_contexts:',
    '        shared: ../shared',
    '        tools: docker-image://debian:bookworm',
    ''
  ].join('\n')
  const files = {
    'apps/demo/compose.yaml': compose,
    'apps/demo/api/Dockerfile': 'FROM scratch\nCOPY --from=shared lib.txt /lib.txt\n',
    'apps/shared/lib.txt': 'a',
    'apps/shared/.dockerignore': 'ignored.txt\n'
  }

  it('is read from its folder, and a change in the named folder marks the image affected', async () => {
    const setup = await twoCommits(files, { 'apps/shared/lib.txt': 'b' })
    const { targets, notes } = await affected(setup)
    expect(notes[0]).toContain('Images from apps/demo/compose.yaml (images-from: auto)')
    expect(targets).toEqual([
      expect.objectContaining({
        name: 'apps/demo/api',
        context: 'apps/demo/api',
        dockerfile: 'apps/demo/api/Dockerfile',
        build: { contexts: { shared: 'apps/shared', tools: 'docker-image://debian:bookworm' } },
        reason: 'build context changed: apps/shared/lib.txt',
        identical: false
      })
    ])
  })

  it("follows the named folder's own .dockerignore", async () => {
    const setup = await twoCommits(files, { 'apps/shared/ignored.txt': 'x' })
    expect((await affected(setup)).targets).toEqual([])
  })

  it('is refused where the named context leaves the repository', async () => {
    const outside = compose.replace('../shared', '../../..')
    const setup = await twoCommits(files, { 'apps/demo/compose.yaml': outside })
    await expect(affected(setup)).rejects.toThrow(
      "apps/demo/compose.yaml: service 'api': named context 'shared' '../../..' leaves the repository"
    )
  })
})
