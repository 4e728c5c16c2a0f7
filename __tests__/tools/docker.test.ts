import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildxListed, historyArgs, parseEngineInfo, parseLabelledImages } from '../../src/tools/docker.js'

describe('parseEngineInfo', () => {
  it('reads the server and its storage', () => {
    expect(parseEngineInfo('{"ServerVersion":"20.10.24+dfsg1","Driver":"overlay2"}')).toEqual({
      serverVersion: '20.10.24+dfsg1',
      storageDriver: 'overlay2',
      imageStore: 'graphdriver'
    })
  })

  // Recorded on this machine's engine, and written from the documented format of Docker 29.
  it.each([
    ['info-20.10-overlay2.json', '20.10.24+dfsg1', 'overlay2', 'graphdriver'],
    ['info-29-overlay2.documented.json', '29.1.3', 'overlay2', 'graphdriver'],
    ['info-29-containerd.documented.json', '29.1.3', 'overlayfs', 'containerd']
  ])('tells the image store from %s', (file, serverVersion, storageDriver, imageStore) => {
    const stdout = readFileSync(join(import.meta.dirname, '..', '..', '__fixtures__', 'engine', file), 'utf8')
    expect(parseEngineInfo(stdout)).toEqual({ serverVersion, storageDriver, imageStore })
  })

  it('sees a CLI that reaches no daemon', () => {
    expect(parseEngineInfo('{"ServerVersion":"","Driver":""}')).toBeNull()
  })
})

describe('buildxListed', () => {
  const recorded = readFileSync(
    join(import.meta.dirname, '..', '..', '__fixtures__', 'engine', 'info-20.10-overlay2.json'),
    'utf8'
  )

  it('finds the buildx plugin among the CLI plugins that docker info lists', () => {
    expect(buildxListed(recorded)).toBe(true)
  })

  it('sees a CLI without buildx, and one whose buildx cannot run', () => {
    expect(buildxListed('{"ClientInfo":{"Plugins":[{"Name":"compose"}]}}')).toBe(false)
    expect(buildxListed('{"ClientInfo":{"Plugins":[{"Name":"buildx","Err":"not executable"}]}}')).toBe(false)
  })

  it('cannot tell from a CLI that lists no plugins', () => {
    expect(buildxListed('{"ServerVersion":"20.10.24"}')).toBeNull()
    expect(buildxListed('not json')).toBeNull()
  })
})

describe('the run labels', () => {
  it('are read back from docker image inspect, tags and labels, skipping lines that are not an image', () => {
    const stdout = [
      '["docker-size-check:1-2-abcdef-0-head"]\t{"docker-size-check.run":"1-2-abcdef@h","docker-size-check.temp-root":"/tmp/a, b=c"}',
      '[]\tnull',
      'Error: No such image: sha256:0',
      ''
    ].join('\n')
    expect(parseLabelledImages(stdout)).toEqual([
      {
        tags: ['docker-size-check:1-2-abcdef-0-head'],
        labels: { 'docker-size-check.run': '1-2-abcdef@h', 'docker-size-check.temp-root': '/tmp/a, b=c' }
      }
    ])
  })
})

describe('historyArgs', () => {
  it('asks for bytes and whole commands, one JSON object a row', () => {
    expect(historyArgs('img:tag')).toEqual([
      'image',
      'history',
      '--no-trunc',
      '--human=false',
      '--format',
      '{{json .}}',
      'img:tag'
    ])
  })
})
