// The sandbox image against real Docker: the built image matches its definition, rebuilds are skipped, the Dockerfile builder works.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createDockerClient, describeDockerEndpoint} from '../../src/sandbox/docker-client.js'
import {defaultImageName, ensureImage, loadImageDefinition, type BuildProgress} from '../../src/sandbox/image/index.js'
import {Labels} from '../../src/sandbox/labels.js'
import {assertBuilt, runCli} from './run-cli.js'

const endpoint = describeDockerEndpoint()
const docker = createDockerClient(process.env, endpoint)
const definition = loadImageDefinition()
const image = defaultImageName()

async function imagePresent(name: string): Promise<boolean> {
  return docker
    .getImage(name)
    .inspect()
    .then(() => true)
    .catch(() => false)
}

beforeAll(async () => {
  assertBuilt()
  // CI builds it in its own step (then this is a quick no-op); alone, or after rootfs/ changed, it builds here.
  const result = await runCli(['sandbox', 'build'], {}, 600_000)
  expect(result.code, result.stderr).toBe(0)
  expect(await imagePresent(image)).toBe(true)
}, 600_000)

describe(`the built ${image}`, () => {
  it('has the config the Dockerfile gives: user, workdir, env, cmd, labels', async () => {
    const info = await docker.getImage(image).inspect()
    expect(info.Config.User).toBe(definition.spec.user.name)
    expect(info.Config.WorkingDir).toBe(definition.spec.workdir)
    expect(info.Config.Cmd).toEqual(definition.spec.cmd)
    for (const [key, value] of Object.entries(definition.spec.env)) expect(info.Config.Env).toContain(`${key}=${value}`)
    expect(info.Config.Labels).toMatchObject({[Labels.managed]: 'true', [Labels.imageDefinitionHash]: definition.hash})
  })

  it('runs as agent (uid 1000) in /workspace with the tools installed', async () => {
    const container = await docker.createContainer({
      Image: image,
      Cmd: [
        'bash',
        '-c',
        'id -u; id -un; pwd; stat -c %U /workspace; for t in git curl python3 make node npm ps; do command -v $t >/dev/null || echo missing $t; done; test -w /tmp && echo tmp-ok',
      ],
      Tty: true,
      HostConfig: {NetworkMode: 'none', AutoRemove: false},
      Labels: {[Labels.managed]: 'true', 'dev.sandbox-agent.test-run': 'image-test'},
    })
    try {
      await container.start()
      await container.wait()
      const logs = (await container.logs({stdout: true, stderr: true})).toString('utf8')
      const lines = logs
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean)
      expect(lines).toEqual(['1000', 'agent', '/workspace', 'agent', 'tmp-ok'])
    } finally {
      await container.remove({force: true})
    }
  })

  it('`agent sandbox build` skips the build when the definition hash matches, and says so', async () => {
    const result = await runCli(['sandbox', 'build'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/is current .*nothing to build/)
    expect(result.stdout).toMatch(new RegExp(`^${image.replace(/[.]/g, '\\.')} \\d+ MB\\n$`))
  })
})

describe('the Dockerfile builder', () => {
  const tag = `sandbox-agent/test-dockerfile:${process.pid}`
  let dir = ''

  beforeAll(() => {
    // A definition whose Dockerfile starts FROM the local sandbox image (no pull), with a rootfs/ file to copy.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-def-'))
    fs.copyFileSync(path.join(definition.dir, 'image.json'), path.join(dir, 'image.json'))
    fs.mkdirSync(path.join(dir, 'rootfs/opt/test'), {recursive: true})
    fs.writeFileSync(path.join(dir, 'rootfs/opt/test/hello.txt'), 'hello\n')
    fs.writeFileSync(path.join(dir, 'rootfs/.gitkeep'), '')
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nCOPY rootfs/ /\nLABEL ${Labels.managed}="true"\n`,
    )
  })

  afterAll(async () => {
    await docker
      .getImage(tag)
      .remove()
      .catch(() => undefined)
    fs.rmSync(dir, {recursive: true, force: true})
  })

  it('builds with the context packed from the definition, labels it, then skips the identical rebuild', async () => {
    const events: BuildProgress[] = []
    const def = loadImageDefinition(dir)
    const first = await ensureImage({
      docker,
      endpoint,
      name: tag,
      definition: def,
      builder: 'dockerfile',
      baseImage: image,
      onProgress: (e) => events.push(e),
    })
    expect(first).toMatchObject({built: true, builder: 'dockerfile'})
    expect(first.image).toMatchObject({present: true, current: true, definitionHash: def.hash, builder: 'dockerfile'})
    expect(events.some((e) => e.type === 'phase' && /^Step \d+\/\d+ : COPY/.test(e.message))).toBe(true)

    const second = await ensureImage({
      docker,
      endpoint,
      name: tag,
      definition: def,
      builder: 'dockerfile',
      baseImage: image,
    })
    expect(second.built).toBe(false)
  })

  it('a failing Dockerfile is one AgentError line with the daemon message', async () => {
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN exit 7\n')
    const def = loadImageDefinition(dir)
    await expect(
      ensureImage({docker, endpoint, name: tag, definition: def, builder: 'dockerfile', baseImage: image}),
    ).rejects.toThrow(/^docker build failed: .*returned a non-zero code: 7/)
  })
})
