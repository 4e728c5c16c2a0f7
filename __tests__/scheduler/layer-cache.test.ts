import { describe, expect, it } from '@jest/globals'
import { cacheArgs, cacheExportSupported, cacheSlug } from '../../src/scheduler/layer-cache.js'

describe('cacheArgs', () => {
  const settings = {
    cacheFrom: ['type=gha', 'type=local,src=/c/{image}'],
    cacheTo: ['type=gha,mode=max', 'type=local,dest=/c/{image},ignore-error=false']
  }

  it('gives each image a gha scope of its own and puts the image in {image}', () => {
    expect(cacheArgs(settings, 'services/API/Dockerfile', { write: false })).toEqual([
      '--cache-from',
      'type=gha,scope=docker-size-check-services-api-dockerfile',
      '--cache-from',
      'type=local,src=/c/services-api-dockerfile'
    ])
  })

  it('writes only where asked, and a cache that cannot be written never fails the build unless the spec says so', () => {
    expect(cacheArgs(settings, 'web', { write: true }).slice(4)).toEqual([
      '--cache-to',
      'type=gha,mode=max,scope=docker-size-check-web,ignore-error=true',
      '--cache-to',
      'type=local,dest=/c/web,ignore-error=false'
    ])
  })

  it('keeps a scope the spec gives', () => {
    expect(cacheArgs({ cacheFrom: ['type=gha,scope=mine'], cacheTo: [] }, 'web', { write: true })).toEqual([
      '--cache-from',
      'type=gha,scope=mine'
    ])
  })

  it('makes a slug that a scope or a tag can hold', () => {
    expect(cacheSlug('../Évil name|$(x)')).toBe('vil-name-x')
    expect(cacheSlug('///')).toBe('image')
  })
})

describe('cacheExportSupported', () => {
  it('knows the docker driver exports only on the containerd image store', () => {
    const docker = 'Name:          default\nDriver:        docker\n'
    expect(cacheExportSupported(docker, 'graphdriver')).toBe(false)
    expect(cacheExportSupported(docker, 'containerd')).toBe(true)
    expect(cacheExportSupported('Name: builder\nDriver: docker-container\n', 'graphdriver')).toBe(true)
  })
})
