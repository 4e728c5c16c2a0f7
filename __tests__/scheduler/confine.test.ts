// Real folders and symlinks in a temporary folder: what refuseOutside reads is the disk.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { refuseOutside } from '../../src/scheduler/confine.js'

let folder: string
let root: string
let outside: string
beforeAll(async () => {
  folder = await realpath(await mkdtemp(join(tmpdir(), 'dsc-confine-test-')))
  root = join(folder, 'checkout')
  outside = join(folder, 'home')
  await mkdir(join(root, 'api'), { recursive: true })
  await mkdir(join(root, 'shared'), { recursive: true })
  await mkdir(outside, { recursive: true })
  await writeFile(join(root, 'api', 'Dockerfile'), 'FROM scratch\n')
  await writeFile(join(outside, 'secret'), 'not for the builder\n')
  await symlink(outside, join(root, 'ctx'))
  await symlink(join(outside, 'secret'), join(root, 'api', 'Outside.Dockerfile'))
  await symlink(join(root, 'shared'), join(root, 'sibling'))
  await mkdir(join(root, 'ignored'))
  await writeFile(join(root, 'ignored', 'Dockerfile'), 'FROM scratch\n')
  await symlink(join(outside, 'secret'), join(root, 'ignored', '.dockerignore'))
  await symlink(join(outside, 'secret'), join(root, 'api', 'Dockerfile.dockerignore'))
})
afterAll(async () => {
  await rm(folder, { recursive: true, force: true })
})

describe('refuseOutside', () => {
  it('lets a build whose paths stay in the checkout through', async () => {
    await expect(refuseOutside(root, 'ignored/Dockerfile', 'shared')).resolves.toBeNull()
  })

  it('lets a symlink to a folder inside the checkout through', async () => {
    await expect(refuseOutside(root, 'shared/Dockerfile', 'sibling')).resolves.toBeNull()
  })

  it('lets paths that do not exist through (the build says what is missing)', async () => {
    await expect(refuseOutside(root, 'none/Dockerfile', 'none')).resolves.toBeNull()
  })

  it('refuses a build context that leaves the checkout through a symlink, naming it and where it leads', async () => {
    const refused = await refuseOutside(root, 'shared/Dockerfile', 'ctx')
    expect(refused).toContain("the build context 'ctx' leaves the repository")
    expect(refused).toContain(outside)
  })

  it('refuses a Dockerfile that is a symlink out of the checkout', async () => {
    const refused = await refuseOutside(root, 'api/Outside.Dockerfile', 'shared')
    expect(refused).toContain("the Dockerfile 'api/Outside.Dockerfile' leaves the repository")
  })

  it("refuses a context's .dockerignore that leads out of the checkout", async () => {
    const refused = await refuseOutside(root, 'shared/Dockerfile', 'ignored')
    expect(refused).toContain("the ignore file 'ignored/.dockerignore' leaves the repository")
  })

  it("refuses a Dockerfile's own ignore file that leads out of the checkout", async () => {
    const refused = await refuseOutside(root, 'api/Dockerfile', 'shared')
    expect(refused).toContain("the ignore file 'api/Dockerfile.dockerignore' leaves the repository")
  })
})
