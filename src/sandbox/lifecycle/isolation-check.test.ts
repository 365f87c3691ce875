// Fail closed: the checks flag every weakened isolation property, from inspect data and from the runner's report.
import type Dockerode from 'dockerode'
import {describe, expect, it} from 'vitest'

import {sandboxSettingsSchema} from '../../config/schema.js'
import {inspectProblems, selfTestProblems, type SelfTestReport} from './isolation-check.js'

const settings = sandboxSettingsSchema.parse({})

function inspect(
  host: Partial<Dockerode.HostConfig> = {},
  extra: Partial<Dockerode.ContainerInspectInfo> = {},
): Dockerode.ContainerInspectInfo {
  return {
    HostConfig: {
      NetworkMode: 'none',
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Memory: 1,
      MemorySwap: 1,
      PidsLimit: 10,
      Tmpfs: {'/tmp': 'rw,nosuid,nodev,exec,size=268435456'},
      ...host,
    },
    Config: {User: '1000:1000'},
    Mounts: [{Type: 'volume', Destination: '/workspace', Source: '/var/lib/docker/volumes/x', RW: true}],
    ...extra,
  } as unknown as Dockerode.ContainerInspectInfo
}

const report: SelfTestReport = {
  uid: 1000,
  gid: 1000,
  capEff: '0000000000000000',
  noNewPrivs: '1',
  interfaces: ['lo'],
  probes: {'1.1.1.1:443': 'ENETUNREACH'},
  dockerSocket: false,
  env: [],
}

describe('isolation checks', () => {
  it('accept a hardened container', () => {
    expect(inspectProblems(inspect(), settings)).toEqual([])
    expect(selfTestProblems(report, settings)).toEqual([])
  })

  it('flag each weakened property seen by docker inspect', () => {
    expect(inspectProblems(inspect({NetworkMode: 'bridge'}), settings)).toHaveLength(1)
    expect(inspectProblems(inspect({CapDrop: []}), settings)).toHaveLength(1)
    expect(inspectProblems(inspect({Tmpfs: {'/tmp': 'rw,nosuid'}}), settings)).toEqual([
      '/tmp is not a size-capped tmpfs',
    ])
    expect(inspectProblems(inspect({Tmpfs: {}}), settings)).toEqual(['/tmp is not a size-capped tmpfs'])
    expect(inspectProblems(inspect({CapAdd: ['SYS_ADMIN']}), settings)).toHaveLength(1)
    expect(inspectProblems(inspect({Privileged: true}), settings)).toHaveLength(1)
    expect(inspectProblems(inspect({SecurityOpt: []}), settings)).toHaveLength(1)
    expect(inspectProblems(inspect({MemorySwap: -1}), settings)).toHaveLength(1)
    expect(inspectProblems(inspect({Binds: ['/:/host']}), settings)).toHaveLength(1)
    expect(inspectProblems(inspect({}, {Config: {User: 'root'}} as never), settings)).toHaveLength(1)
    const socket = inspect({}, {
      Mounts: [{Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true}],
    } as never)
    expect(inspectProblems(socket, settings).join()).toContain('Docker socket')
  })

  it('flag what the runner sees from inside', () => {
    expect(selfTestProblems({...report, uid: 0}, settings)).toHaveLength(1)
    expect(selfTestProblems({...report, capEff: '00000000a80425fb'}, settings)).toHaveLength(1)
    expect(selfTestProblems({...report, noNewPrivs: '0'}, settings)).toHaveLength(1)
    expect(selfTestProblems({...report, interfaces: ['lo', 'eth0']}, settings)).toHaveLength(1)
    expect(selfTestProblems({...report, probes: {'1.1.1.1:443': 'connected'}}, settings)).toHaveLength(1)
    expect(selfTestProblems({...report, dockerSocket: true}, settings)).toHaveLength(1)
    // with the bridge network asked for, interfaces and connections are expected
    const bridge = sandboxSettingsSchema.parse({network: 'bridge'})
    expect(selfTestProblems({...report, interfaces: ['lo', 'eth0'], probes: {x: 'connected'}}, bridge)).toEqual([])
  })

  it('accept a separated runner only as root with SETUID/SETGID, and commands with no root id or capability', () => {
    const root = inspect({CapAdd: ['SETUID', 'SETGID', 'SETPCAP']}, {Config: {User: '0:0'}} as never)
    const separated: SelfTestReport = {
      ...report,
      command: {
        uid: [1000, 1000, 1000],
        gid: [1000, 1000, 1000],
        groups: '',
        capPrm: '0000000000000000',
        capAmb: '0',
        capInh: '0000000000000000',
        capBnd: '0000000000000000',
      },
      runner: {separated: true, uid: 0, capPrm: '00000000000001c0', capEff: '0000000000000000'},
    }
    expect(inspectProblems(root, settings, 'separate')).toEqual([])
    expect(selfTestProblems(separated, settings, 'separate')).toEqual([])
    // the same container is refused when the runner was meant to run as the agent
    expect(inspectProblems(root, settings)).toHaveLength(2)
    expect(
      inspectProblems(
        inspect({CapAdd: ['SETUID', 'SYS_PTRACE']}, {Config: {User: '0:0'}} as never),
        settings,
        'separate',
      ),
    ).toEqual(['capabilities added: SYS_PTRACE'])
    expect(inspectProblems(inspect(), settings, 'separate')).toEqual(['the runner runs as 1000:1000, expected 0:0'])
    // an old runner (no report of its own), one holding more, commands keeping a root id, a group 0 or capabilities
    expect(selfTestProblems(report, settings, 'separate')).toHaveLength(1)
    expect(
      selfTestProblems(
        {...separated, runner: {...separated.runner!, capPrm: '00000000000801c0'}},
        settings,
        'separate',
      ),
    ).toHaveLength(1)
    expect(
      selfTestProblems({...separated, command: {...separated.command!, uid: [1000, 1000, 0]}}, settings, 'separate')
        .length,
    ).toBeGreaterThan(0)
    expect(
      selfTestProblems({...separated, command: {...separated.command!, groups: '0 1000'}}, settings, 'separate'),
    ).toHaveLength(1)
    expect(
      selfTestProblems(
        {...separated, command: {...separated.command!, capPrm: '00000000000000c0'}},
        settings,
        'separate',
      ),
    ).toHaveLength(1)
    // a bounding set left to commands (the runner's SETUID/SETGID), or not reported at all (a runner older than 5)
    expect(
      selfTestProblems(
        {...separated, command: {...separated.command!, capBnd: '00000000000000c0'}},
        settings,
        'separate',
      ),
    ).toEqual(['commands keep capabilities 00000000000000c0 in their bounding set'])
    const {capBnd: _omitted, ...olderCommand} = separated.command!
    expect(selfTestProblems({...separated, command: olderCommand}, settings, 'separate').join()).toContain(
      'rebuild the image',
    )
    expect(
      selfTestProblems(
        {...separated, command: {...separated.command!, capInh: '00000000000000c0'}},
        settings,
        'separate',
      ),
    ).toEqual(['commands hold capabilities'])
  })
})
