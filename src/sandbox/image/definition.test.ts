// The image definition: a stable hash, image.json in step with the Dockerfile, and the import changes that mirror it.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {
  defaultImageName,
  hashImageDefinition,
  imageConfigChanges,
  loadImageDefinition,
  packageVersion,
} from './definition.js'

function tempDefinition(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'def-'))
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), {recursive: true})
    fs.writeFileSync(path.join(dir, name), content)
  }
  return dir
}

describe('hashImageDefinition', () => {
  it('is stable across copies, mtimes and creation order', () => {
    const a = tempDefinition({Dockerfile: 'FROM x\n', 'rootfs/opt/a.js': 'a', 'rootfs/b': 'b'})
    const b = tempDefinition({'rootfs/b': 'b', 'rootfs/opt/a.js': 'a', Dockerfile: 'FROM x\n'})
    fs.utimesSync(path.join(b, 'rootfs/b'), new Date(0), new Date(0))
    expect(hashImageDefinition(a)).toBe(hashImageDefinition(b))
    expect(hashImageDefinition(a)).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  it('changes with content, with a path, and with the executable bit', () => {
    const dir = tempDefinition({Dockerfile: 'FROM x\n', 'rootfs/run.sh': 'echo'})
    const before = hashImageDefinition(dir)
    fs.chmodSync(path.join(dir, 'rootfs/run.sh'), 0o755)
    const afterChmod = hashImageDefinition(dir)
    expect(afterChmod).not.toBe(before)
    fs.writeFileSync(path.join(dir, 'rootfs/run.sh'), 'echo 2')
    expect(hashImageDefinition(dir)).not.toBe(afterChmod)
    const moved = tempDefinition({Dockerfile: 'FROM x\n', 'rootfs/other.sh': 'echo'})
    expect(hashImageDefinition(moved)).not.toBe(before)
  })

  it('does not confuse a path boundary with content', () => {
    expect(hashImageDefinition(tempDefinition({ab: 'c'}))).not.toBe(hashImageDefinition(tempDefinition({a: 'bc'})))
  })
})

describe('the default definition', () => {
  const definition = loadImageDefinition()
  const dockerfile = fs.readFileSync(path.join(definition.dir, 'Dockerfile'), 'utf8')
  const {spec} = definition

  it('is named after the package version, unless SANDBOX_AGENT_IMAGE names another', () => {
    expect(defaultImageName(undefined, {})).toBe(`sandbox-agent/sandbox:${packageVersion()}`)
    expect(defaultImageName(undefined, {SANDBOX_AGENT_IMAGE: 'mine/sandbox:dev'})).toBe('mine/sandbox:dev')
    expect(defaultImageName('1.2.3', {SANDBOX_AGENT_IMAGE: 'mine/sandbox:dev'})).toBe('sandbox-agent/sandbox:1.2.3')
  })

  it('Dockerfile says what image.json says (the offline builder reads image.json)', () => {
    expect(dockerfile).toContain(`ARG BASE_IMAGE=${spec.base}`)
    const install = /apt-get install -y --no-install-recommends\s*\\?\n?\s*([^\\\n]+)/
      .exec(dockerfile)?.[1]
      ?.trim()
      .split(/\s+/)
    expect(install).toEqual(spec.packages)
    expect(dockerfile).toContain(`groupadd --gid ${spec.user.gid} ${spec.user.name}`)
    expect(dockerfile).toContain(
      `useradd --create-home --uid ${spec.user.uid} --gid ${spec.user.gid} --shell ${spec.user.shell} ${spec.user.name}`,
    )
    expect(dockerfile).toContain(`chown ${spec.user.name}:${spec.user.name} ${spec.workdir}`)
    expect(dockerfile).toContain('COPY rootfs/ /')
    for (const [key, value] of Object.entries(spec.env))
      expect(dockerfile).toMatch(new RegExp(`${key}=${value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}( |$)`, 'm'))
    for (const [key, value] of Object.entries(spec.labels)) expect(dockerfile).toContain(`LABEL ${key}="${value}"`)
    expect(dockerfile).toContain(`WORKDIR ${spec.workdir}`)
    expect(dockerfile).toContain(`USER ${spec.user.name}`)
    expect(dockerfile).toContain(`CMD ${JSON.stringify(spec.cmd)}`)
  })

  it('gives docker import the same config as the Dockerfile', () => {
    const changes = imageConfigChanges(spec, {'dev.sandbox-agent.definition-hash': definition.hash})
    expect(changes).toContain('WORKDIR /workspace')
    expect(changes).toContain('USER agent')
    expect(changes).toContain('CMD ["bash"]')
    expect(changes).toContain('ENV LANG="C.UTF-8"')
    expect(changes).toContain('LABEL dev.sandbox-agent.managed="true"')
    expect(changes).toContain(`LABEL dev.sandbox-agent.definition-hash="${definition.hash}"`)
  })
})
