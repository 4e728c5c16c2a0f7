// End to end: the bundled command in real repositories, on the real engine. The images are
// FROM scratch with one file of a known size, so every number is known in advance.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PROJECT_ROOT } from '../support/action-runner.js'
import { runCliBundle } from '../support/cli-runner.js'
import { cleanupTempDirs, commitFiles, git, gitLine, makeRepo, makeTempDir, symlinkTo } from '../support/repo.js'
import { imageExists } from '../support/docker.js'
import { nth } from '../support/lists.js'
import { asRead } from '../support/gfm.js'

beforeAll(() => {
  // A missing engine fails here, loudly: these tests never skip themselves.
  execFileSync('docker', ['info'], { stdio: 'pipe' })
})

afterAll(async () => {
  await cleanupTempDirs()
})

function scratchImage(folder: string, bytes: number): Record<string, string> {
  const prefix = folder ? `${folder}/` : ''
  return {
    [`${prefix}Dockerfile`]: `FROM scratch\nCOPY payload-${bytes}.bin /payload.bin\n`,
    [`${prefix}payload-${bytes}.bin`]: 'x'.repeat(bytes)
  }
}

/** Writes files into the working tree without committing them. */
function writeFiles(repo: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(repo, file, '..'), { recursive: true })
    writeFileSync(join(repo, file), content)
  }
}

/** A repository whose main has `base`, and a branch `feature` (checked out) that commits `change`. */
async function branchRepo(base: Record<string, string>, change: Record<string, string | null>) {
  const repo = await makeRepo()
  const mainSha = await commitFiles(repo, base, 'base')
  await git(repo, ['checkout', '--quiet', '-b', 'feature'])
  const featureSha = await commitFiles(repo, change, 'the change')
  return { repo, mainSha, featureSha }
}

interface Report {
  schemaVersion: number
  base: { sha: string }
  head: { sha: string; uncommitted?: boolean }
  verdict: string
  error: string | null
  images: Array<{
    dockerfile: string
    status: string
    base: { size: number; id: string } | null
    head: { size: number; id: string } | null
    delta: number | null
    deltaPercent: number | null
    verdict: string
  }>
}

const readReport = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Report

describe('a branch that grows an image past the limit', () => {
  let repo: string
  let shas: { mainSha: string; featureSha: string }
  let run: Awaited<ReturnType<typeof runCliBundle>>

  beforeAll(async () => {
    const made = await branchRepo(scratchImage('services/app', 100_000), {
      ...scratchImage('services/app', 400_000),
      'services/app/payload-100000.bin': null
    })
    ;({ repo } = made)
    shas = made
    // Run from a subfolder: the command finds the repository's top itself.
    run = await runCliBundle(join(repo, 'services'), ['--json', 'out/report.json', '--markdown', '../comment.md'])
  })

  it('exits 1 and names the Dockerfile, the sizes and the limit', () => {
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toContain('services/app/Dockerfile  100 kB  400 kB  +300 kB  +300%  ❌ over limit')
    expect(run.stdout).toContain(
      '❌ over limit services/app/Dockerfile: Grew +300 kB (+300%), past the max-increase of 10%.'
    )
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('❌ 1 image grew past the limit: +300 kB')
  })

  it('names the path that grew and the line that put it there', () => {
    const lines = run.stdout.split('\n')
    const at = lines.indexOf('   The paths that moved the most bytes:')
    expect(at).toBeGreaterThan(0)
    expect(lines[at + 1]).toMatch(/^ {3}\/payload\.bin +\+300 kB +L2 COPY payload-400000\.bin \/payload\.bin$/)
  })

  it('shows its progress on stderr, in plain text with no workflow commands', () => {
    expect(run.stderr).toMatch(/^\[00:\d\d\] Build head: services\/app\/Dockerfile …$/m)
    // The base builds next to the head, within the head's step.
    expect(run.stderr).toMatch(/^\[00:\d\d\] {3}Build base: services\/app\/Dockerfile …$/m)
    expect(run.stderr).toMatch(
      /^\[00:\d\d\] services\/app\/Dockerfile: 100 kB → 400 kB \+300 kB \(\+300%\), ❌ over limit$/m
    )
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toContain('::')
      expect(text).not.toContain('\x1b[')
      // Build output stays out unless --verbose.
      expect(text).not.toContain('load build definition')
    }
  })

  it('writes the documented JSON report: the merge-base against the branch head', () => {
    const report = readReport(join(repo, 'services', 'out', 'report.json'))
    expect(report).toMatchObject({
      schemaVersion: 1,
      base: { sha: shas.mainSha },
      head: { sha: shas.featureSha },
      verdict: 'fail',
      error: null
    })
    expect(report.head.uncommitted).toBeUndefined()
    expect(report.images).toHaveLength(1)
    expect(report.images[0]).toMatchObject({
      dockerfile: 'services/app/Dockerfile',
      status: 'modified',
      base: { size: 100_000 },
      head: { size: 400_000 },
      delta: 300_000,
      deltaPercent: 300,
      verdict: 'fail'
    })
  })

  it("writes the comment's markdown", () => {
    const markdown = readFileSync(join(repo, 'comment.md'), 'utf8')
    expect(markdown.split('\n')[0]).toBe('**Docker image sizes** · ❌ 1 image grew past the limit: +300 kB')
    expect(asRead(markdown)).toContain(
      '| `services/app/Dockerfile` | 100 kB | 400 kB | +300 kB | +300% | ❌ over limit |'
    )
  })

  it('removes the images it built', () => {
    const report = readReport(join(repo, 'services', 'out', 'report.json'))
    expect(imageExists(nth(report.images, 0).head!.id)).toBe(false)
    expect(imageExists(nth(report.images, 0).base!.id)).toBe(false)
  })

  it('leaves no worktree behind', async () => {
    expect((await gitLine(repo, ['worktree', 'list', '--porcelain'])).match(/^worktree /gm)).toHaveLength(1)
  })
})

describe('a branch that shrinks an image', () => {
  it('exits 0 and shows the win', async () => {
    const { repo } = await branchRepo(scratchImage('', 1_000_000), {
      ...scratchImage('', 3_000),
      'payload-1000000.bin': null
    })
    const run = await runCliBundle(repo, ['--quiet'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('Dockerfile  1 MB  3 kB  -997 kB  -99.7%  📉 smaller')
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('✅ 1 image shrank: -997 kB (-99.7%)')
    // --quiet: the result alone.
    expect(run.stderr).toBe('')
  })
})

describe('the working tree', () => {
  it('counts uncommitted and untracked Dockerfiles, never ignored ones', async () => {
    const repo = await makeRepo()
    const mainSha = await commitFiles(repo, { ...scratchImage('app', 10_000), '.gitignore': 'generated/\n' }, 'base')
    writeFiles(repo, scratchImage('app', 11_000)) // modified, not committed
    writeFiles(repo, scratchImage('worker', 5_000)) // untracked
    writeFiles(repo, scratchImage('generated', 9_000)) // ignored
    const run = await runCliBundle(repo, ['--json', 'report.json', '--max-increase', '50%'])
    expect(run.exitCode).toBe(0)
    const report = readReport(join(repo, 'report.json'))
    expect(report.head).toEqual({ sha: mainSha, uncommitted: true })
    expect(report.base.sha).toBe(mainSha)
    expect(report.images.map(image => [image.dockerfile, image.status, image.head?.size, image.delta])).toEqual([
      ['app/Dockerfile', 'modified', 11_000, 1_000],
      ['worker/Dockerfile', 'added', 5_000, null]
    ])
    expect(run.stdout).toContain(`head the working tree (${mainSha.slice(0, 7)}, with uncommitted changes)`)
    expect(run.stdout).toMatch(/^worker\/Dockerfile +— +5 kB +— +— +🆕 new$/m)
  })

  it('builds the working tree as git sees it: no ignored build output and no .git in a root context', async () => {
    const repo = await makeRepo()
    const base = {
      Dockerfile: 'FROM scratch\nCOPY . /app\n',
      '.gitignore': 'out/\n',
      'main.txt': 'x'.repeat(1_000)
    }
    await commitFiles(repo, base, 'base')
    // A 9-byte change, an untracked file that counts, and a 2 MB build output that is ignored.
    writeFiles(repo, {
      'main.txt': 'x'.repeat(1_009),
      'notes.txt': 'n'.repeat(100),
      'out/app.bin': 'o'.repeat(2_000_000)
    })
    const run = await runCliBundle(repo, ['--json', 'report.json', '--explain', 'paths'])
    expect(run.exitCode).toBe(0)
    const report = readReport(join(repo, 'report.json'))
    const image = nth(report.images, 0, 'image')
    // The ignored 2 MB and the repository's .git would be growth that the base's clean
    // checkout cannot have. What is left is the change (109 bytes) less the base worktree's
    // own `.git` pointer file (under 100 bytes), on either image store.
    expect(image.delta).toBeGreaterThan(0)
    expect(image.delta).toBeLessThan(5_000)
    expect(image.head?.size).toBeLessThan(10_000)
    expect(run.stderr).toContain('Copied the working tree as git sees it')
    // The user's working tree is left as it was.
    expect(readFileSync(join(repo, 'out', 'app.bin'), 'utf8')).toHaveLength(2_000_000)
    expect(await gitLine(repo, ['status', '--porcelain'])).toContain('notes.txt')
  })

  it('exits 1 when the head build fails, with the reason and the build output', async () => {
    const repo = await makeRepo()
    await commitFiles(repo, scratchImage('', 1_000), 'base')
    writeFiles(repo, { Dockerfile: 'FROM scratch\nCOPY missing.bin /missing.bin\n' })
    const run = await runCliBundle(repo, [])
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toMatch(/^💥 build failed Dockerfile: The head build failed: .*missing\.bin/m)
    expect(run.stdout).toContain('   │ ')
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('❌ 1 image failed to build')
  })

  it('says when nothing changed', async () => {
    const repo = await makeRepo()
    await commitFiles(repo, scratchImage('app', 1_000), 'base')
    const run = await runCliBundle(repo, [])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('✅ No Dockerfile changed')
    expect(run.stderr).not.toContain('Build head')
  })
})

describe('--head and --base', () => {
  it('checks a named commit from a clean checkout, whatever the working tree holds, and keeps the images when asked', async () => {
    const { repo, featureSha } = await branchRepo(scratchImage('', 100_000), {
      ...scratchImage('', 150_000),
      'payload-100000.bin': null
    })
    await git(repo, ['checkout', '--quiet', 'main'])
    // Broken in the working tree: must not matter with --head.
    writeFiles(repo, { Dockerfile: 'FROM scratch\nCOPY missing.bin /\n' })
    const report = join(await makeTempDir('cli-report'), 'report.json')
    const run = await runCliBundle(repo, ['--head', 'feature', '--base', 'main', '--keep-images', '--json', report])
    expect(run.exitCode).toBe(1)
    const result = readReport(report)
    expect(result.head).toEqual({ sha: featureSha })
    expect(result.images[0]).toMatchObject({ delta: 50_000, verdict: 'fail' })
    expect(run.stdout).toContain(`head feature (${featureSha.slice(0, 7)})`)
    const ids = [nth(result.images, 0).head!.id, nth(result.images, 0).base!.id]
    try {
      for (const id of ids) expect(imageExists(id)).toBe(true)
    } finally {
      execFileSync('docker', ['image', 'rm', '--force', ...ids], { stdio: 'pipe' })
    }
  })

  it('takes the merge-base with --base, so what landed there since does not count', async () => {
    const { repo } = await branchRepo(scratchImage('', 20_000), { 'README.md': 'docs only\n' })
    await git(repo, ['checkout', '--quiet', 'main'])
    await commitFiles(repo, { ...scratchImage('', 90_000), 'payload-20000.bin': null }, 'main moves on')
    await git(repo, ['checkout', '--quiet', 'feature'])
    const run = await runCliBundle(repo, ['--base', 'main'])
    expect(run.exitCode).toBe(0)
    // The README is in the root Dockerfile's build context, so the image is checked: at the
    // fork point on both sides, never at main's 90 kB.
    expect(run.stdout).toContain('✅ 1 image checked, no size changed')
    expect(run.stdout).not.toContain('90 kB')
  })
})

describe('bad usage', () => {
  let repo: string
  beforeAll(async () => {
    ;({ repo } = await branchRepo(scratchImage('', 1_000), scratchImage('', 2_000)))
  })

  it.each([
    [
      ['--max-increase', '10 percent'],
      "docker-size-check: Invalid --max-increase '10 percent'. Expected a size such as 25MB"
    ],
    [['--frobnicate'], "docker-size-check: Unknown flag '--frobnicate'."],
    [['--max-size'], 'docker-size-check: Flag --max-size needs a value'],
    [
      ['--base', 'no-such-branch'],
      "docker-size-check: Unknown --base 'no-such-branch': it names no branch, tag or commit here."
    ]
  ])('%j exits 2 with a message that names the flag', async (args, message) => {
    const run = await runCliBundle(repo, args)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain(message)
    expect(run.stdout).toBe('')
  })

  it('exits 2 for --images-from compose where the repository has no compose file', async () => {
    const run = await runCliBundle(repo, ['--images-from', 'compose'])
    expect(run.exitCode).toBe(2)
    expect(`${run.stdout}${run.stderr}`).toContain('images-from is compose, but the head has none of compose.yaml')
  })

  it('exits 2 outside a git repository', async () => {
    const folder = await makeTempDir('not-a-repo')
    const run = await runCliBundle(folder, [])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('is not inside a git repository')
  })

  it('prints the help and the version', async () => {
    const help = await runCliBundle(repo, ['--help'])
    expect(help.exitCode).toBe(0)
    expect(help.stdout).toMatch(/^Usage: docker-size-check \[flags\]/)
    const version = await runCliBundle(repo, ['--version'])
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(version.stdout).toBe(`docker-size-check ${pkg.version}\n`)
  })
})

describe('no Docker engine', () => {
  it('exits 3 and says what to do', async () => {
    const { repo } = await branchRepo(scratchImage('', 1_000), scratchImage('', 2_000))
    const run = await runCliBundle(repo, ['--json', 'report.json'], { DOCKER_HOST: 'unix:///nonexistent.sock' })
    expect(run.exitCode).toBe(3)
    expect(run.stdout).toContain('❌ The check could not finish: No Docker engine answers')
    expect(run.stdout).toContain('Start the Docker daemon, or check DOCKER_HOST')
    expect(readReport(join(repo, 'report.json'))).toMatchObject({ verdict: 'error', images: [] })
  })
})

describe('a build context that is a symlink out of the repository', () => {
  it('is refused by the command too, with --head HEAD and on the working tree', async () => {
    const reviewer = await makeTempDir('wtgate-reviewer')
    const secret = `reviewer-secret-${process.pid}-${Date.now()}`
    writeFileSync(join(reviewer, 'secret.txt'), `${secret}\n`)
    const repo = await makeRepo()
    await commitFiles(repo, scratchImage('app', 1_000), 'base')
    await git(repo, ['checkout', '--quiet', '-b', 'feature'])
    await commitFiles(
      repo,
      {
        'app/Dockerfile': 'FROM busybox:local\nCOPY . /ctx\nRUN cat /ctx/secret.txt; exit 1\n',
        '.github/docker-size-check.yml': 'images:\n  - dockerfile: app/Dockerfile\n    context: ctx\n',
        ctx: symlinkTo(reviewer)
      },
      'a branch of someone else'
    )
    for (const args of [
      ['--head', 'HEAD', '--base', 'main'],
      ['--base', 'main']
    ]) {
      const run = await runCliBundle(repo, [...args, '--json', 'report.json'])
      expect(run.exitCode).toBe(1)
      expect(run.stdout + run.stderr).not.toContain(secret)
      expect(run.stdout + run.stderr).toContain("the build context 'ctx' leaves the repository")
      const report = JSON.parse(readFileSync(join(repo, 'report.json'), 'utf8')) as Report
      expect(nth(report.images, 0).verdict).toBe('error')
    }
  })
})
