import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { discoverAffectedImages, discoverImages, SideTree } from '../../src/discover/discover.js'
import { isDockerignore } from '../../src/discover/dockerignore.js'
import { ImageSpec } from '../../src/inputs/images-config.js'
import { ChangedFile } from '../../src/shared/types.js'
import { DEFAULT_DOCKERFILE_GLOBS, globMatcher } from '../../src/inputs/globs.js'
import { nth } from '../support/lists.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'

describe('the default Dockerfile globs', () => {
  const isDockerfile = globMatcher(DEFAULT_DOCKERFILE_GLOBS)

  it.each([
    'Dockerfile',
    'services/api/Dockerfile',
    'dockerfile',
    'DOCKERFILE',
    'Dockerfile.prod',
    'deploy/prod.Dockerfile',
    'app.dockerfile',
    'dockerfile-multistage',
    'Containerfile',
    '.devcontainer/Dockerfile'
  ])('match %s', path => {
    expect(isDockerfile(path)).toBe(true)
  })

  it.each(['README.md', 'docs/Dockerfiles.md', 'Dockerfile.dockerignore', '.dockerignore', 'src/dockerfile.go.txt/x'])(
    'do not match %s',
    path => {
      expect(isDockerfile(path)).toBe(false)
    }
  )

  it('honour exclusions', () => {
    expect(globMatcher(['**/Dockerfile', '!legacy/**'])('legacy/Dockerfile')).toBe(false)
  })
})

describe('discoverImages', () => {
  it('finds each changed Dockerfile with its folder as the context', () => {
    const targets = discoverImages(
      [
        { path: 'README.md', status: 'modified' },
        { path: 'svc/api/Dockerfile', status: 'modified' },
        { path: 'Dockerfile', status: 'added' },
        { path: 'old/Dockerfile.prod', status: 'removed' }
      ],
      DEFAULT_DOCKERFILE_GLOBS
    )
    expect(targets.map(t => [t.dockerfile, t.context, t.change])).toEqual([
      ['Dockerfile', '.', 'added'],
      ['old/Dockerfile.prod', 'old', 'removed'],
      ['svc/api/Dockerfile', 'svc/api', 'modified']
    ])
  })

  it('follows a rename to the base path', () => {
    const [target] = discoverImages(
      [{ path: 'new/Dockerfile', status: 'renamed', previousPath: 'old/Dockerfile' }],
      DEFAULT_DOCKERFILE_GLOBS
    )
    expect(target).toMatchObject({
      dockerfile: 'new/Dockerfile',
      baseDockerfile: 'old/Dockerfile',
      baseContext: 'old',
      change: 'renamed'
    })
  })

  it('treats a rename away from a Dockerfile name as a removal', () => {
    const [target] = discoverImages(
      [{ path: 'old/Dockerfile.bak.txt', status: 'renamed', previousPath: 'old/Dockerfile' }],
      ['**/Dockerfile']
    )
    expect(target).toMatchObject({ dockerfile: 'old/Dockerfile', change: 'removed' })
  })

  it('finds nothing in a README-only change', () => {
    expect(discoverImages([{ path: 'README.md', status: 'modified' }], DEFAULT_DOCKERFILE_GLOBS)).toEqual([])
  })
})

describe('discoverAffectedImages', () => {
  // A commit's tree from path → content: equal content gets an equal object id, as in git.
  const tree = (files: Record<string, string>): SideTree => ({
    files: new Map(
      Object.entries(files).map(([path, content]) => [
        path,
        `100644 ${createHash('sha1').update(content).digest('hex')}`
      ])
    ),
    dockerignores: new Map(Object.entries(files).filter(([path]) => isDockerignore(path)))
  })
  const base = {
    'api/Dockerfile': 'FROM scratch\nCOPY . /\n',
    'api/main.go': 'package main\n',
    'api/.dockerignore': 'docs\n*.md\n',
    'api/docs/guide.txt': 'guide\n',
    'web/Dockerfile': 'FROM scratch\nCOPY . /\n',
    'web/index.html': '<p>hi</p>\n',
    'shared/lib.go': 'package lib\n',
    'README.md': 'hello\n'
  }
  const discover = (
    changes: Record<string, string | null>,
    options: {
      images?: ImageSpec[]
      changed?: ChangedFile[]
      baseImages?: ImageSpec[] | null
      limitsFrom?: 'base' | 'head'
    } = {}
  ) => {
    const head: Record<string, string> = { ...base }
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) delete head[path]
      else head[path] = content
    }
    const changed =
      options.changed ??
      Object.entries(changes).map(([path, content]): ChangedFile => ({
        path,
        status: content === null ? 'removed' : path in base ? 'modified' : 'added'
      }))
    return discoverAffectedImages({
      changed,
      dockerfileGlobs: DEFAULT_DOCKERFILE_GLOBS,
      images: options.images ?? null,
      ...(options.baseImages !== undefined ? { baseImages: options.baseImages } : {}),
      ...(options.limitsFrom ? { limitsFrom: options.limitsFrom } : {}),
      globalLimits: { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null },
      head: tree(head),
      base: tree(base)
    })
  }
  const spec = (dockerfile: string, extra: Partial<ImageSpec> = {}): ImageSpec => ({
    dockerfile,
    context: dockerfile.includes('/') ? dockerfile.slice(0, dockerfile.lastIndexOf('/')) : '.',
    watch: [],
    ...extra
  })

  it('finds an image whose build context changed, and says which files', () => {
    const targets = discover({ 'api/main.go': 'package main // v2\n', 'api/util.go': 'package main\n' })
    expect(targets).toEqual([
      expect.objectContaining({
        dockerfile: 'api/Dockerfile',
        context: 'api',
        change: 'unchanged',
        trigger: 'context',
        reason: 'build context changed: api/main.go, api/util.go',
        identical: false
      })
    ])
  })

  it('leaves out a change that .dockerignore excludes', () => {
    expect(discover({ 'api/docs/guide.txt': 'new guide\n', 'api/NOTES.md': 'x\n' })).toEqual([])
  })

  it('counts a change of the .dockerignore itself', () => {
    const target = nth(discover({ 'api/.dockerignore': 'docs\n' }), 0)
    expect(target).toMatchObject({ dockerfile: 'api/Dockerfile', reason: 'build context changed: api/.dockerignore' })
  })

  it('names a few files and counts the rest', () => {
    const files = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map(name => [`web/${name}.js`, name]))
    expect(nth(discover(files), 0).reason).toBe('build context changed: web/a.js, web/b.js, web/c.js (+2 more)')
  })

  it('keeps the Dockerfile as the reason when it changed, and adds the context', () => {
    const target = nth(
      discover({ 'api/Dockerfile': 'FROM scratch\nCOPY main.go /\n', 'api/main.go': 'package x\n' }),
      0
    )
    expect(target).toMatchObject({
      change: 'modified',
      trigger: 'dockerfile',
      reason: 'Dockerfile modified, build context changed: api/main.go',
      identical: false
    })
  })

  it('sees a file outside every context as nothing', () => {
    expect(discover({ 'README.md': 'changed\n', 'shared/lib.go': 'package lib // 2\n' })).toEqual([])
  })

  it('knows a moved folder builds the same image', () => {
    const target = nth(
      discover(
        {
          'web/Dockerfile': null,
          'web/index.html': null,
          'site/Dockerfile': base['web/Dockerfile'],
          'site/index.html': base['web/index.html']
        },
        {
          changed: [
            { path: 'site/Dockerfile', status: 'renamed', previousPath: 'web/Dockerfile' },
            { path: 'site/index.html', status: 'renamed', previousPath: 'web/index.html' }
          ]
        }
      ),
      0
    )
    expect(target).toMatchObject({
      dockerfile: 'site/Dockerfile',
      baseContext: 'web',
      change: 'renamed',
      identical: true
    })
  })

  describe('with an images config', () => {
    it('checks only the listed images, with their context, options and limits', () => {
      const targets = discover(
        { 'shared/lib.go': 'package lib // 2\n', 'web/index.html': 'x' },
        {
          images: [
            spec('api/Dockerfile', { name: 'api', context: '.', target: 'prod', buildArgs: { A: '1' }, maxSize: 5 })
          ]
        }
      )
      expect(targets).toEqual([
        expect.objectContaining({
          name: 'api',
          dockerfile: 'api/Dockerfile',
          context: '.',
          trigger: 'context',
          reason: 'build context changed: shared/lib.go, web/index.html',
          build: { target: 'prod', buildArgs: { A: '1' } },
          limits: { maxSize: 5 }
        })
      ])
    })

    it('marks an image affected by a watch glob alone as identical on both sides', () => {
      const target = nth(
        discover({ 'README.md': 'new\n' }, { images: [spec('web/Dockerfile', { watch: ['*.md'] })] }),
        0
      )
      expect(target).toMatchObject({ trigger: 'watch', reason: 'watched files changed: README.md', identical: true })
    })

    it('reads <Dockerfile>.dockerignore before the context’s', () => {
      const images = [spec('api/Dockerfile', { context: '.' })]
      const ignoreAll = { 'api/Dockerfile.dockerignore': 'shared\nREADME.md\n' }
      expect(discover({ ...ignoreAll }, { images }).map(t => t.reason)).toEqual([
        'build context changed: api/Dockerfile.dockerignore'
      ])
      const head = { ...base, ...ignoreAll }
      const targets = discoverAffectedImages({
        changed: [{ path: 'shared/lib.go', status: 'modified' }],
        dockerfileGlobs: DEFAULT_DOCKERFILE_GLOBS,
        images,
        head: tree({ ...head, 'shared/lib.go': 'package lib // 3\n' }),
        base: tree(head)
      })
      expect(targets).toEqual([])
    })

    it('follows a removed Dockerfile, and rejects one that never existed', () => {
      const [removed] = discover({ 'web/Dockerfile': null }, { images: [spec('web/Dockerfile')] })
      expect(removed).toMatchObject({ change: 'removed', reason: 'Dockerfile removed' })
      expect(() => discover({}, { images: [spec('nope/Dockerfile', { name: 'nope' })] })).toThrow(
        "images[0] (nope): dockerfile 'nope/Dockerfile' is not in the repository at the head commit"
      )
    })
  })

  describe('with a config on each side', () => {
    const change = { 'api/main.go': 'package main // v2\n' }

    it('builds the base with the base config’s options, and never as one image when they differ', () => {
      const target = nth(
        discover(change, {
          images: [spec('api/Dockerfile', { target: 'runtime', buildArgs: { FILE: 'big.bin' } })],
          baseImages: null
        }),
        0
      )
      expect(target).toMatchObject({
        build: { target: 'runtime', buildArgs: { FILE: 'big.bin' } },
        baseBuild: {},
        baseContext: 'api',
        identical: false
      })
    })

    it('takes the limits from the base config, and says what the head changes in them', () => {
      const target = nth(
        discover(change, {
          images: [spec('api/Dockerfile', { name: 'api', maxIncrease: parseGrowthThreshold('max-increase', '1000%') })],
          baseImages: [spec('api/Dockerfile', { name: 'api', maxIncrease: parseGrowthThreshold('max-increase', '5%') })]
        }),
        0
      )
      expect(target.limits?.maxIncrease?.text).toBe('5%')
      expect(target.limitNotes).toEqual(["This PR raises api's max-increase from 5% to 1000%, from the merge on."])
    })

    it('takes them from the head with limits-from: head', () => {
      const target = nth(
        discover(change, {
          images: [spec('api/Dockerfile', { maxIncrease: parseGrowthThreshold('max-increase', '1000%') })],
          baseImages: [spec('api/Dockerfile', { maxIncrease: parseGrowthThreshold('max-increase', '5%') })],
          limitsFrom: 'head'
        }),
        0
      )
      expect(target.limits?.maxIncrease?.text).toBe('1000%')
    })

    it('holds an image the base config does not list to the inputs’ limits, not to the head’s own', () => {
      const target = nth(
        discover(change, {
          images: [spec('api/Dockerfile', { maxIncrease: null })],
          baseImages: []
        }),
        0
      )
      expect(target.limits).toBeUndefined()
      expect(target.limitNotes).toEqual(["This PR removes api/Dockerfile's max-increase of 10%, from the merge on."])
    })

    it('still checks an image the PR drops from its config, as the base lists it', () => {
      const targets = discover(change, {
        images: [spec('web/Dockerfile')],
        baseImages: [spec('web/Dockerfile'), spec('api/Dockerfile', { name: 'api', maxSize: 5 })]
      })
      expect(targets).toEqual([
        expect.objectContaining({
          name: 'api',
          limits: { maxSize: 5 },
          limitNotes: [
            "This PR drops api from the config; it is still checked as the base's config lists it, until the merge."
          ]
        })
      ])
      expect(
        discover(change, { images: [spec('web/Dockerfile')], baseImages: [spec('api/Dockerfile')], limitsFrom: 'head' })
      ).toEqual([])
    })

    it('compares a moved Dockerfile with the base path of the same name', () => {
      const target = nth(
        discover(
          { 'api/Dockerfile': null, 'svc/Dockerfile': 'FROM scratch AS other\n' },
          {
            images: [spec('svc/Dockerfile', { name: 'api' })],
            baseImages: [spec('api/Dockerfile', { name: 'api' })]
          }
        ),
        0
      )
      expect(target).toMatchObject({
        dockerfile: 'svc/Dockerfile',
        baseDockerfile: 'api/Dockerfile',
        baseContext: 'api',
        change: 'renamed'
      })
    })
  })
})
