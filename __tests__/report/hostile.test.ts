// Every string from the repository, the build or an artifact, rendered as GitHub renders the
// comment (cmark-gfm with GitHub's extensions): none may become a link, an image, HTML, a
// mention or a reference. Each hostile text is put in every field at once.
import { describe, expect, it } from '@jest/globals'
import { compareImages } from '../../src/judge/judge.js'
import { parseGrowthThreshold } from '../../src/inputs/thresholds.js'
import { renderMarkdown } from '../../src/report/markdown.js'
import { annotationsFor } from '../../src/report/annotations.js'
import { characters, fitReport } from '../../src/report/fit.js'
import { parseArtifact, stateFromArtifact, toArtifact } from '../../src/serialized/run-file.js'
import { EngineInfo, MeasuredImage, Revisions } from '../../src/shared/types.js'
import { liveParts, renderGfm } from '../support/gfm.js'
import { ArtifactError } from '../../src/shared/errors.js'

const limits = { maxIncrease: parseGrowthThreshold('max-increase', '10%'), warnIncrease: null, maxSize: null }
const revisions: Revisions = { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40) }
const COMMITS = 'https://github.com/octo/app/commit/'
const SUMMARY_URL = 'https://github.com/octo/app/actions/runs/1'
const context = { limits, commitUrl: (sha: string) => `${COMMITS}${sha}` }

/** What an attacker would name a folder, a file, a stage, or print in a build. */
const HOSTILE: [string, string][] = [
  ['a markdown link', '[Click to approve](https:evil.example)'],
  ['a changed file with a mention, a link and a reference', 'ctx/ @octocat [Docs](https:evil.example) #1.txt'],
  ['GH-1, a URL and www.', 'GH-1 see https://evil.example/login and www.evil.example or a@evil.example'],
  ['HTML', '<img src=x onerror=alert(1)> <b>bold</b> <details open> <script>x</script>'],
  ['emphasis and an image', '**bold** _em_ ~~gone~~ ![img](https://evil.example/x.png)'],
  ['backticks and pipes', 'back`tick``s ``` | pipe \\| and \\\\| [x](https://evil.example)'],
  ['a backtick at each end', '`[x](https://evil.example)`'],
  ['spaces at each end', ' @octocat #1 '],
  ['bidi controls', '\u202eevil\u202c \u2066@octocat\u2069 \u200f\u200e\u061c#1'],
  ['references of other kinds', 'octo/app#1 @org/team octo/app@deadbeefcafe e7e354a0'],
  [
    'line breaks that would start blocks',
    'line\n\n# heading @octocat\n> quote #1\n| a | b |\n[x](https://evil.example)'
  ],
  ['an HTML block end', '</code></pre></summary></details>\n\n@octocat [x](https://evil.example)'],
  ['an entity', '&#64;octocat &lt;img src=x&gt; &#91;x&#93;(https://evil.example)']
]

const engine = (text: string): EngineInfo => ({
  serverVersion: text,
  apiVersion: text,
  storageDriver: text,
  builder: 'buildx',
  imageStore: 'graphdriver'
})

/** Every field of a run that reaches the comment, each holding `text`. */
function hostileRun(text: string): MeasuredImage[] {
  const side = (size: number, run: string) => ({
    size,
    id: `sha256:${'0'.repeat(64)}`,
    layers: 3,
    instructions: [
      { keyword: 'FROM', args: `busybox:local AS ${text}`, line: 1, endLine: 1, size: 1_000 },
      { keyword: 'RUN', args: `echo ${text} # ${run}`, line: 2, endLine: 2, size: size - 1_000 }
    ]
  })
  const target = (dockerfile: string) => ({
    dockerfile,
    context: text,
    baseDockerfile: dockerfile,
    baseContext: text,
    change: 'modified' as const,
    reason: 'Dockerfile modified'
  })
  return [
    // A path (a folder and a file name) that grew, with the instructions that grew.
    { target: target(`${text}/Dockerfile`), base: side(10_000, 'a'), head: side(50_000, 'b'), failedBuilds: [] },
    // A config name, checked because files of its context changed, renamed from a hostile path.
    {
      target: {
        ...target(`svc/${text}.Dockerfile`),
        name: text,
        change: 'renamed',
        baseDockerfile: `old/${text}/Dockerfile`,
        trigger: 'context',
        reason: `Dockerfile modified, build context changed: ctx/${text}, ${text}.txt (+2 more)`
      },
      base: side(10_000, 'c'),
      head: side(10_000, 'c'),
      failedBuilds: []
    },
    // A build that failed on both sides, with the failure reason and output of the build.
    {
      target: { ...target(`fail/${text}/Dockerfile`), trigger: 'watch', reason: `watched files changed: ${text}` },
      base: null,
      head: null,
      failedBuilds: [
        { side: 'head', ok: false, durationMs: 1, error: `process "${text}" failed`, logTail: `#5 ${text}\n${text}` },
        { side: 'base', ok: false, durationMs: 1, error: text, logTail: text }
      ]
    }
  ]
}

function render(measured: MeasuredImage[], runError: string, info: EngineInfo | null): string {
  const comparison = compareImages(revisions, measured, limits)
  return renderMarkdown(comparison, { ...context, runError, engine: info })
}

describe('hostile text in the comment, rendered by cmark-gfm', () => {
  it.each(HOSTILE)('%s: no link, image, HTML, mention or reference', (_, text) => {
    const html = renderGfm(render(hostileRun(text), `git failed: ${text}`, engine(text)))
    expect(liveParts(html, [COMMITS])).toEqual([])
  })

  it.each(HOSTILE)('%s: with links, only to the Dockerfile and its lines, percent-encoded', (_, text) => {
    const files = `https://github.com/octo/app/blob/${'c'.repeat(40)}/`
    const comparison = compareImages(revisions, hostileRun(text), limits)
    const html = renderGfm(
      renderMarkdown(comparison, {
        ...context,
        runError: `git failed: ${text}`,
        engine: engine(text),
        links: { url: 'https://github.com/octo/app', fileSha: 'c'.repeat(40) },
        pullHeadSha: 'c'.repeat(40)
      })
    )
    expect(liveParts(html, [COMMITS, files])).toEqual([])
    const blobs = [...html.matchAll(/<a href="([^"]*)"/g)]
      .map(match => match[1] as string)
      .filter(href => href.startsWith(files))
    expect(blobs.length).toBeGreaterThan(0)
    for (const href of blobs) {
      const path = href.slice(files.length).replace(/#L\d+$/, '')
      expect(path).not.toMatch(/[\s()[\]#?<>"'`|\\]/)
      expect(comparison.images.map(image => image.target.dockerfile)).toContain(
        path.split('/').map(decodeURIComponent).join('/')
      )
    }
  })

  it.each(HOSTILE)('%s: the same in every shortened comment', (_, text) => {
    const comparison = compareImages(revisions, hostileRun(text), limits)
    for (const max of [60_000, 3_000, 1_500, 600]) {
      const pointer = `The whole report is in the [job summary](${SUMMARY_URL}).`
      const fitted = fitReport(comparison, { ...context, runError: text }, { max, measure: characters, pointer })
      expect(liveParts(renderGfm(fitted.text), [COMMITS, SUMMARY_URL])).toEqual([])
    }
  })

  it('keeps the text as written, inside code: a path reads as it is named', () => {
    const text = 'back`tick``s | pipe @octocat [x](https:evil.example)'
    const html = renderGfm(render(hostileRun(text), '', null))
    const codes = [...html.matchAll(/<code>([\s\S]*?)<\/code>/g)].map(([, code = '']) =>
      code
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&')
    )
    expect(codes).toContain(`${text}/Dockerfile`)
    expect(codes).toContain(text)
    expect(codes).toContain(`RUN echo ${text} # b`)
  })

  it('writes no bidi control into the annotations', () => {
    const comparison = compareImages(revisions, hostileRun('\u202eevil\u202c\u200f'), {
      ...limits,
      maxIncrease: parseGrowthThreshold('max-increase', '1%')
    })
    const annotations = annotationsFor(comparison)
    expect(annotations.length).toBeGreaterThan(0)
    for (const annotation of annotations)
      expect(`${annotation.message}${annotation.file}`).not.toMatch(/[\u202a-\u202e\u200f]/)
  })
})

describe('hostile text in every field of a measure artifact', () => {
  /** The texts an artifact may hold at all (no line break or bidi control, except in a log). */
  const accepted = HOSTILE.filter(([, text]) => !/[\n\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/.test(text))

  it.each(accepted)('%s: no link, image, HTML, mention or reference', (_, text) => {
    const measured = hostileRun(text).map(image => ({ ...image, target: { ...image.target, name: undefined } }))
    // Written by the measure run's own writer, then every text field set to the hostile text.
    const artifact = toArtifact(
      { revisions, engine: engine(text), measured, error: text },
      { headSha: revisions.headSha, pullNumber: 1 }
    )
    for (const image of artifact.images) {
      image.checkedBecause = text
      image.failedBuilds = image.failedBuilds.map(build => ({ ...build, error: text, logTail: `${text}\n${text}` }))
    }
    artifact.error = text
    let parsed
    try {
      parsed = parseArtifact(JSON.stringify(artifact))
    } catch (error) {
      // Refused whole (a path that reads as a URL, say): none of it reaches a comment.
      expect(error).toBeInstanceOf(ArtifactError)
      return
    }
    const state = stateFromArtifact(parsed)
    const html = renderGfm(render(state.measured, state.error ?? '', state.engine))
    expect(liveParts(html, [COMMITS])).toEqual([])
  })
})

describe('the check itself', () => {
  it('finds what an unescaped report would make live', () => {
    const html = renderGfm('| a |\n| -- |\n| <code>[x](https://evil.example)</code> @octocat #1 <img src=x> |\n')
    expect(liveParts(html)).toEqual([
      'link <a href="https://evil.example">',
      'element <img>',
      expect.stringMatching(/^a mention outside code/),
      expect.stringMatching(/^a reference outside code/)
    ])
  })
})
