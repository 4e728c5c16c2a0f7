// Pure tests of reading `docker buildx bake --print`, on its recorded output, and of what
// discovery makes of the images it describes at the two sides.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  BakeDefinitionError,
  BakeImage,
  composeReferences,
  declaredTargets,
  interpolate,
  parseDotenv,
  definitionFiles,
  definitionFolders,
  familiarReference,
  isRemote,
  parseBakePrint,
  toBakeImages
} from '../../src/discover/bake-definition.js'
import { bakeEnvironment, withoutProgress } from '../../src/discover/bake.js'
import { oneImagePerBuild } from '../../src/discover/images-source.js'
import { dependencyOrder } from '../../src/scheduler/schedule.js'
import { BaseImage, bakeCandidates } from '../../src/discover/bake-images.js'
import { discoverAffectedImages } from '../../src/discover/discover.js'
import { resolveInTree } from '../../src/discover/tree-paths.js'
import { ImageTarget, SideTree } from '../../src/shared/types.js'

const RUN_DIR = '/tmp/bake-run/repo'

function fixture(name: string): string {
  return readFileSync(join(import.meta.dirname, '..', '..', '__fixtures__', 'bake', name), 'utf8')
}

function images(stdout: string, kind: 'compose' | 'bake' = 'compose'): BakeImage[] {
  return toBakeImages(parseBakePrint(stdout), { source: 'compose.yaml', kind, runDir: RUN_DIR })
}

function printed(target: Record<string, unknown>): string {
  return JSON.stringify({ target: { web: target } })
}

describe('parsing bake --print', () => {
  it('reads a compose file: context from the root, the Dockerfile relative to it, target and args', () => {
    expect(images(fixture('print-0.13-compose.json'))).toEqual([
      {
        name: 'web',
        context: '.',
        dockerfile: 'docker/web.Dockerfile',
        target: 'runtime',
        buildArgs: { MODE: 'prod' }
      },
      { name: 'worker', context: 'worker', dockerfile: 'worker/Dockerfile' }
    ])
  })

  it('has no image for a service with only image: (bake prints no target for it)', () => {
    expect(fixture('compose.yaml')).toContain('image: postgres:16')
    expect(images(fixture('print-0.13-compose.json')).map(image => image.name)).not.toContain('db')
  })

  it('reads an HCL file: a Dockerfile relative to its context, the platform, an empty variable', () => {
    expect(images(fixture('print-0.13-hcl.json'), 'bake')).toEqual([
      {
        name: 'api',
        context: 'services/api',
        dockerfile: 'docker/api.Dockerfile',
        target: 'prod',
        buildArgs: { TOKEN: '', VERSION: '1.10' },
        platform: 'linux/amd64'
      },
      { name: 'web', context: '.', dockerfile: 'docker/web.Dockerfile' }
    ])
  })

  it("reads later buildx's cwd:// context and takes the first of several platforms", () => {
    expect(images(fixture('print-newer.documented.json'))).toEqual([
      {
        name: 'web',
        context: '.',
        dockerfile: 'docker/web.Dockerfile',
        target: 'runtime',
        buildArgs: { MODE: 'prod' },
        platform: 'linux/arm64'
      }
    ])
  })

  it('takes absolute paths inside the folder bake ran in as paths from the root', () => {
    expect(images(printed({ context: `${RUN_DIR}/app`, dockerfile: `${RUN_DIR}/docker/app.Dockerfile` }))).toEqual([
      { name: 'web', context: 'app', dockerfile: 'docker/app.Dockerfile' }
    ])
    expect(images(printed({ context: RUN_DIR }))).toEqual([{ name: 'web', context: '.', dockerfile: 'Dockerfile' }])
  })

  it('has no images when bake prints no target', () => {
    expect(parseBakePrint('{"group": {}}').size).toBe(0)
  })

  it('says what bake printed when it is no JSON', () => {
    expect(() => parseBakePrint('#1 [internal] load local bake definitions')).toThrow(
      'docker buildx bake --print did not print JSON: #1 [internal]'
    )
  })

  it.each([
    ['https://github.com/octo/app.git#main'],
    ['git@github.com:octo/app.git'],
    ['github.com/octo/app'],
    ['https://example.invalid/context.tar.gz'],
    ['docker-image://busybox'],
    ['target:base'],
    ['octo/app.git#main']
  ])('refuses the remote context %s, naming the service, the value and the fix', context => {
    expect(isRemote(context)).toBe(true)
    const refusal = () => images(printed({ context }))
    expect(refusal).toThrow(BakeDefinitionError)
    expect(refusal).toThrow(
      `compose.yaml: service 'web': the build context '${context}' is not a folder of the repository`
    )
    expect(refusal).toThrow('set images-from: dockerfiles')
  })

  it.each([['.'], ['services/api'], ['./app'], ['cwd://app']])('takes %s as a local context', context => {
    expect(isRemote(context.replace(/^cwd:\/\//, ''))).toBe(false)
  })

  it.each([
    [{ context: '..' }, "context '..' leaves the repository"],
    [{ context: '/etc' }, "context '/etc' leaves the repository"],
    [{ context: 'app', dockerfile: '../../Dockerfile' }, "dockerfile '../../Dockerfile' leaves the repository"],
    [{ dockerfile: '/etc/passwd' }, "dockerfile '/etc/passwd' leaves the repository"],
    [{ context: `${RUN_DIR}-other` }, 'leaves the repository']
  ])('refuses %j', (target, message) => {
    expect(() => images(printed(target))).toThrow(message)
  })

  it('refuses an inline Dockerfile and one read from stdin', () => {
    expect(() => images(printed({ 'dockerfile-inline': 'FROM scratch' }))).toThrow('inline Dockerfile')
    expect(() => images(printed({ dockerfile: '-' }))).toThrow("read from stdin ('-')")
  })

  it('refuses a platform that is not one platform', () => {
    expect(() => images(printed({ platforms: ['linux'] }))).toThrow("platform 'linux' is not one platform")
  })

  it('builds bake\'s platforms = ["local"] for the engine\'s own platform', () => {
    const [image] = images(printed({ platforms: ['local'] }), 'bake')
    expect(image).toBeDefined()
    expect(image?.platform).toBeUndefined()
  })

  it('leaves out args without a value and names that are no build arg', () => {
    expect(images(printed({ args: { A: '1', B: null, 'bad name': 'x' } }))[0]?.buildArgs).toEqual({ A: '1' })
  })

  it('strips the progress block from an error', () => {
    const stderr = '#1 [internal] load local bake definitions\n#1 DONE 0.0s\nERROR: failed to find target default\n'
    expect(withoutProgress(stderr).trim()).toBe('ERROR: failed to find target default')
  })
})

describe('files in subfolders and named contexts', () => {
  const inFolder = (target: Record<string, unknown>, folder: string) =>
    toBakeImages(parseBakePrint(printed(target)), {
      source: `${folder}/compose.yaml`,
      kind: 'compose',
      runDir: RUN_DIR,
      folder
    })

  it("resolves a subfolder file's paths from its folder and names its images after the folder", () => {
    expect(inFolder({ context: 'backend', contexts: { shared: '../shared' } }, 'samples/one')).toEqual([
      {
        name: 'samples/one/web',
        context: 'samples/one/backend',
        dockerfile: 'samples/one/backend/Dockerfile',
        contexts: { shared: 'samples/shared' },
        source: 'samples/one/compose.yaml',
        kind: 'compose'
      }
    ])
    // Absolute paths bake printed still stand for the root.
    expect(inFolder({ context: `${RUN_DIR}/samples/one/backend` }, 'samples/one')[0]?.context).toBe(
      'samples/one/backend'
    )
  })

  it('keeps images and targets as named contexts, the target named as discovery names it', () => {
    expect(
      inFolder(
        { contexts: { base: 'target:base', tools: 'docker-image://debian:bookworm', 'docker.io/library/alpine': 'x' } },
        'sub'
      )[0]?.contexts
    ).toEqual({ base: 'target:sub/base', 'docker.io/library/alpine': 'sub/x', tools: 'docker-image://debian:bookworm' })
  })

  it.each([
    [{ up: '../../..' }, "named context 'up' '../../..' leaves the repository"],
    [{ abs: '/etc' }, "named context 'abs' '/etc' leaves the repository"],
    [{ git: 'https://github.com/octo/app.git' }, "the named context 'git' is 'https://github.com/octo/app.git'"],
    [{ oci: 'oci-layout:///tmp/layout' }, "the named context 'oci' is 'oci-layout:///tmp/layout'"],
    [{ 'bad name': '.' }, 'the named context "bad name" is not a context name']
  ])('refuses the named contexts %j', (contexts, message) => {
    expect(() => inFolder({ contexts }, 'sub')).toThrow(message)
  })

  it('finds every folder with a compose or bake file, the root first', () => {
    const paths = ['b/compose.yaml', 'compose.yaml', 'a/x/docker-bake.hcl', 'a/x/Dockerfile', 'c/notcompose.yaml']
    expect(definitionFolders(paths, ['bake', 'compose'])).toEqual(['.', 'a/x', 'b'])
    expect(definitionFolders(paths, ['compose'])).toEqual(['.', 'b'])
    // Vendored dependencies' files declare none of this repository's images.
    expect(
      definitionFolders(['vendor/x/docker-bake.hcl', 'web/node_modules/y/compose.yaml'], ['bake', 'compose'])
    ).toEqual([])
    expect(definitionFiles('compose', path => paths.includes(path), 'b')).toEqual(['b/compose.yaml'])
  })
})

describe('one image per build', () => {
  const image = (name: string, extra: Partial<BakeImage> = {}): BakeImage => ({
    name,
    context: 'app',
    dockerfile: 'app/Dockerfile',
    ...extra
  })

  it('lists services of the same build once under all their names, and keeps a named context pointing at them', () => {
    const images = oneImagePerBuild([
      image('web', { buildArgs: { A: '1' }, tags: ['web:1'] }),
      image('worker', { buildArgs: { A: '1' } }),
      image('cron', { buildArgs: { A: '2' } }),
      image('edge', { context: 'edge', dockerfile: 'edge/Dockerfile', contexts: { app: 'target:worker' } })
    ])
    expect(images.map(one => one.name)).toEqual(['web, worker', 'cron', 'edge'])
    expect(images[0]?.tags).toEqual(['web:1'])
    expect(images[2]?.contexts).toEqual({ app: 'target:web, worker' })
  })

  it('names an image as BuildKit names the context that stands for it', () => {
    expect(familiarReference('docker.io/library/alpine:latest')).toBe('alpine')
    expect(familiarReference('issue-21/base:latest')).toBe('issue-21/base')
    expect(familiarReference('ghcr.io/o/a:1')).toBe('ghcr.io/o/a:1')
    expect(familiarReference('scratch')).toBeNull()
    expect(familiarReference('')).toBeNull()
  })

  it('orders images after those they are built on, and names a cycle', () => {
    const target = (name: string, on?: string): ImageTarget => ({
      name,
      dockerfile: `${name}/Dockerfile`,
      context: name,
      baseDockerfile: `${name}/Dockerfile`,
      baseContext: name,
      change: 'modified',
      reason: '',
      ...(on ? { build: { contexts: { base: `target:${on}` } } } : {})
    })
    expect(dependencyOrder([target('app', 'base'), target('base'), target('other')])).toEqual([1, 0, 2])
    expect(() => dependencyOrder([target('a', 'b'), target('b', 'a')])).toThrow(
      'The images are built on each other in a cycle: a -> b -> a'
    )
  })
})

describe('which files', () => {
  it('takes the first compose name docker compose looks for, and every bake file', () => {
    const has = (names: string[]) => (path: string) => names.includes(path)
    expect(definitionFiles('compose', has(['docker-compose.yml', 'compose.yaml']))).toEqual(['compose.yaml'])
    expect(definitionFiles('compose', has(['docker-compose.yml']))).toEqual(['docker-compose.yml'])
    expect(definitionFiles('bake', has(['docker-bake.override.hcl', 'docker-bake.hcl']))).toEqual([
      'docker-bake.hcl',
      'docker-bake.override.hcl'
    ])
    expect(definitionFiles('bake', has(['compose.yaml']))).toEqual([])
  })

  it('finds the targets of a bake file without a default group', () => {
    const hcl = [
      'target "_common" {\n  args = { A = "1" }\n}',
      'target "api" {\n  inherits = ["_common", "docker-metadata-action"]\n  context = "."\n}',
      '  target "web-1" {}',
      'target "docker-metadata-action" {}',
      '# target "no" {',
      ''
    ].join('\n')
    expect(
      declaredTargets([
        { path: 'docker-bake.hcl', text: hcl },
        { path: 'docker-bake.json', text: '{"target": {"json": {"inherits": ["base"]}, "base": {}}}' }
      ])
    ).toEqual(['api', 'json', 'web-1'])
  })
})

describe('the files a compose file makes bake read', () => {
  it('follows include, extends and env_file, from the including file, and lists those outside apart', () => {
    const compose = [
      'include:',
      '  - infra/compose.yaml',
      '  - path: [more/a.yaml, more/b.yaml]',
      '    env_file: more/.env',
      'services:',
      '  web:',
      '    build: .',
      '    env_file: [web.env, {path: optional.env, required: false}]',
      '  api:',
      '    extends: {file: common.yml, service: base}',
      '  other:',
      '    env_file: ${SECRET_FILE}',
      '  out:',
      '    env_file: ../../etc/passwd',
      ''
    ].join('\n')
    const references = composeReferences('compose.yaml', compose)
    expect(references.inside.sort()).toEqual(
      ['common.yml', 'infra/compose.yaml', 'more/.env', 'more/a.yaml', 'more/b.yaml', 'optional.env', 'web.env'].sort()
    )
    expect(references.outside).toEqual(['../../etc/passwd'])
    expect(composeReferences('infra/compose.yaml', 'services:\n  db:\n    env_file: db.env\n').inside).toEqual([
      'infra/db.env'
    ])
    expect(composeReferences('compose.yaml', 'include: [/home/runner/.docker/config.json]\n').outside).toEqual([
      '/home/runner/.docker/config.json'
    ])
    expect(composeReferences('compose.yaml', 'not: [valid')).toEqual({ inside: [], envFiles: [], outside: [] })
  })

  it('reads a path with a variable as bake would, so a HOME that leads out of the repository is refused', () => {
    const compose = [
      'include:',
      '  - path: sub/compose.yaml',
      '    env_file: ${HOME}/../../../outside.env',
      'services:',
      '  web:',
      '    env_file: ${ENV_DIR:-config}/web.env',
      '    label_file: $$literal',
      ''
    ].join('\n')
    const references = composeReferences('compose.yaml', compose, { HOME: '/tmp/run/bake-1/home' })
    expect(references.outside).toEqual(['${HOME}/../../../outside.env'])
    expect(references.inside.sort()).toEqual(['$literal', 'config/web.env', 'sub/compose.yaml'])
    expect(references.envFiles.sort()).toEqual(['$literal', 'config/web.env'])
    expect(
      composeReferences('a/compose.yaml', 'services: {x: {env_file: "${D}/x.env"}}', { D: '../..' }).outside
    ).toEqual(['${D}/x.env'])
  })
})

describe("compose's variables", () => {
  it('are replaced as compose-go replaces them', () => {
    const vars = { SET: 'v', EMPTY: '' }
    expect(interpolate('$SET/${SET}/$$SET', vars)).toBe('v/v/$SET')
    expect(interpolate('${UNSET:-d}|${EMPTY:-d}|${EMPTY-d}|${UNSET-d}', vars)).toBe('d|d||d')
    expect(interpolate('${SET:+alt}|${EMPTY:+alt}|${EMPTY+alt}|${UNSET+alt}', vars)).toBe('alt||alt|')
    expect(interpolate('${UNSET:-${SET}/x}', vars)).toBe('v/x')
    expect(interpolate('${UNSET:?must be set}', vars)).toBe('')
  })

  it('are read from .env as compose reads it', () => {
    expect(parseDotenv('# note\nA=1\nexport B = two words # comment\nC="quoted # kept"\nnot a line\n')).toEqual({
      A: '1',
      B: 'two words',
      C: 'quoted # kept'
    })
  })
})

describe("bake's environment", () => {
  const runner = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/runner',
    GITHUB_TOKEN: 'ghs_secret',
    INPUT_GITHUB_TOKEN: 'ghs_secret',
    ACTIONS_RUNTIME_TOKEN: 'secret',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'secret',
    RUNNER_TEMP: '/tmp/runner',
    AWS_SECRET_ACCESS_KEY: 'secret',
    NPM_TOKEN: 'secret',
    DOCKER_HOST: 'unix:///var/run/docker.sock'
  }

  it('holds nothing of the runner but PATH and the engine, and a home of its own', () => {
    const env = bakeEnvironment(runner, '/tmp/scratch/home')
    expect(env).toMatchObject({
      PATH: '/usr/bin:/bin',
      HOME: '/tmp/scratch/home',
      DOCKER_CONFIG: '/tmp/scratch/home/.docker',
      DOCKER_HOST: 'unix:///var/run/docker.sock'
    })
    for (const name of Object.keys(env)) expect(name).not.toMatch(/^(?:GITHUB_|INPUT_|ACTIONS_|RUNNER_|AWS_|NPM_)/)
    expect(Object.values(env).join('\n')).not.toContain('secret')
  })

  it('points every proxy at a port where nothing answers, and lets only a tcp engine through', () => {
    const env = bakeEnvironment({ ...runner, DOCKER_HOST: 'tcp://10.0.0.5:2376' }, '/h')
    expect(env.HTTPS_PROXY).toBe('http://127.0.0.1:9')
    expect(env.ALL_PROXY).toBe('http://127.0.0.1:9')
    expect(env.NO_PROXY).toBe('10.0.0.5')
    expect(bakeEnvironment({ ...runner, DOCKER_HOST: 'weird' }, '/h').DOCKER_HOST).toBeUndefined()
  })
})

describe('symbolic links in a commit', () => {
  const links: Record<string, string> = {
    'docker/current': 'v2',
    'app/shared': '../lib',
    'app/escape': '../..',
    'app/abs': '/etc',
    loop: 'loop'
  }
  const target = (path: string) => links[path]

  it.each([
    ['docker/current/web.Dockerfile', 'docker/v2/web.Dockerfile'],
    ['app/shared', 'lib'],
    ['app/shared/x', 'lib/x'],
    ['.', '.'],
    ['./app/../app', 'app']
  ])('follows %s to %s', (path, expected) => {
    expect(resolveInTree(path, target)).toBe(expected)
  })

  it.each([['app/escape'], ['app/abs/passwd'], ['loop'], ['..'], ['app/../../x']])(
    'finds that %s leaves the repository',
    path => {
      expect(resolveInTree(path, target)).toBeNull()
    }
  )
})

function tree(files: Record<string, string>): SideTree {
  return {
    files: new Map(Object.entries(files).map(([path, id]) => [path, `100644 blob ${id}`])),
    dockerignores: new Map()
  }
}

describe('images from compose or bake at the two sides', () => {
  const web: BakeImage = {
    name: 'web',
    context: '.',
    dockerfile: 'docker/web.Dockerfile',
    target: 'runtime',
    buildArgs: { MODE: 'prod' }
  }
  const api: BakeImage = { name: 'api', context: 'api', dockerfile: 'api/Dockerfile' }
  const files = {
    'docker/web.Dockerfile': 'a'.repeat(40),
    'src/app.js': 'b'.repeat(40),
    'api/Dockerfile': 'c'.repeat(40)
  }
  const discover = (head: BakeImage[], base: BaseImage[], changed: string[], headFiles = files) =>
    discoverAffectedImages({
      changed: changed.map(path => ({ path, status: 'modified' as const })),
      dockerfileGlobs: [],
      images: null,
      head: tree({ ...headFiles, ...Object.fromEntries(changed.map(path => [path, 'f'.repeat(40)])) }),
      base: tree(files),
      candidates: bakeCandidates({
        kind: 'compose',
        source: 'compose.yaml',
        head,
        base,
        changed: changed.map(path => ({ path, status: 'modified' as const })),
        headHas: path => path in headFiles
      })
    })

  it('checks a root-context image for a change anywhere under the root, by its service name', () => {
    const [target, ...rest] = discover([web, api], [web, api], ['src/app.js'])
    expect(rest).toHaveLength(0)
    expect(target).toMatchObject({
      name: 'web',
      dockerfile: 'docker/web.Dockerfile',
      context: '.',
      from: 'compose',
      trigger: 'context',
      reason: 'build context changed: src/app.js',
      build: { target: 'runtime', buildArgs: { MODE: 'prod' } }
    })
    expect(target?.baseBuild).toBeUndefined()
  })

  it('checks an image whose args the PR changes, with each side built its own way', () => {
    const changedWeb = { ...web, buildArgs: { MODE: 'debug' } }
    const [target] = discover([changedWeb, api], [web, api], ['compose.yaml'])
    expect(target).toMatchObject({
      name: 'web',
      change: 'unchanged',
      trigger: 'dockerfile',
      build: { buildArgs: { MODE: 'debug' } },
      baseBuild: { target: 'runtime', buildArgs: { MODE: 'prod' } },
      identical: false
    })
    expect(target?.reason).toContain('build args changed in compose.yaml')
  })

  it('has a service the PR adds as a new image and one it removes as gone', () => {
    const added = discover([web, api], [web], ['compose.yaml']).find(target => target.name === 'api')
    expect(added).toMatchObject({ change: 'added', reason: 'service added in compose.yaml' })
    const removed = discover([web], [web, api], ['compose.yaml']).find(target => target.name === 'api')
    expect(removed).toMatchObject({ change: 'removed', reason: 'service removed from compose.yaml' })
  })

  it('pairs a renamed service with its base by what it builds, not by its name', () => {
    const [target, ...rest] = discover([{ ...api, name: 'backend' }], [api], ['api/Dockerfile'])
    expect(rest).toHaveLength(0)
    expect(target).toMatchObject({ name: 'backend', change: 'modified', dockerfile: 'api/Dockerfile' })
    expect(target?.reason).toContain("service 'api' at the base")
  })

  it('pairs a service with the Dockerfile the base checked by its globs or its config, with the config limits', () => {
    const fromGlobs = discover(
      [api],
      [{ ...api, name: 'api/Dockerfile', declaredBy: 'the dockerfiles globs' }],
      ['api/Dockerfile']
    )
    expect(fromGlobs).toEqual([
      expect.objectContaining({
        name: 'api',
        change: 'modified',
        reason: expect.stringContaining('the dockerfiles globs')
      })
    ])
    const limits = { maxSize: 2_000_000 }
    const fromConfig = discover(
      [api],
      [{ ...api, name: 'old', declaredBy: 'the images config', limits }],
      ['api/Dockerfile']
    )
    expect(fromConfig).toEqual([expect.objectContaining({ name: 'api', change: 'modified', limits })])
  })

  it('pairs by stage where one Dockerfile builds several, and leaves a Dockerfile only the globs found alone', () => {
    const dev = { ...web, name: 'web-dev', target: 'dev' }
    const pairs = discover(
      [
        { ...web, name: 'site' },
        { ...dev, name: 'site-dev' }
      ],
      [web, dev],
      ['docker/web.Dockerfile']
    )
    expect(pairs.map(target => [target.name, target.change, target.baseBuild?.target ?? target.build?.target])).toEqual(
      [
        ['site', 'modified', 'runtime'],
        ['site-dev', 'modified', 'dev']
      ]
    )
    const unclaimed = discover(
      [web],
      [web, { ...api, name: 'api/Dockerfile', declaredBy: 'the dockerfiles globs' }],
      ['api/Dockerfile']
    )
    expect(unclaimed.map(target => target.name)).toEqual(['web'])
  })

  it("drops the base's last-stage row where the PR points the service at its last stage, rather than calling it removed", () => {
    const dev = { ...web, target: 'dev' }
    const lastStage = { ...web, name: 'web (last stage)', lastStage: true }
    const pairs = discover([web], [dev, lastStage], ['compose.yaml'])
    expect(pairs.map(target => [target.name, target.change, target.reason])).toEqual([
      ['web', 'unchanged', 'target changed in compose.yaml, build context changed: compose.yaml']
    ])
  })

  it('says so when the head names a Dockerfile the repository does not have', () => {
    expect(() => discover([{ ...api, dockerfile: 'api/Missing.Dockerfile' }], [api], ['x'])).toThrow(
      "compose.yaml: service 'api': dockerfile 'api/Missing.Dockerfile' is not in the repository at the head commit"
    )
  })
})
