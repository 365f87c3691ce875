// The prune plan (and how containers are read for it): remove only what no live session uses; kept sessions and images need --all, live owners --force.
import {describe, expect, it} from 'vitest'

import type Docker from 'dockerode'

import {toManagedContainer, type Inventory, type ManagedContainer, type ManagedNetwork} from './list-managed.js'
import {ownerStatus} from './owner-status.js'
import {planPrune} from './prune.js'

function container(id: string, over: Partial<ManagedContainer>): ManagedContainer {
  return {
    id,
    name: id,
    image: 'img',
    imageId: 'sha256:img',
    state: 'exited',
    status: '',
    created: '2025-01-01T00:00:00Z',
    owner: 'unknown',
    kept: false,
    idle: false,
    pool: false,
    volumes: [],
    labels: {},
    ...over,
  }
}

const inventory: Inventory = {
  containers: [
    container('exited0000000', {volumes: ['vol-exited']}),
    container('orphan0000000', {state: 'running', owner: 'orphan', ownerPid: 999}),
    container('live000000000', {
      state: 'running',
      owner: 'alive',
      ownerPid: 42,
      volumes: ['vol-live'],
      imageId: 'sha256:used',
    }),
    container('starting00000', {state: 'created', owner: 'alive', ownerPid: 43}),
    container('kept000000000', {state: 'exited', owner: 'orphan', ownerPid: 7, kept: true}),
    container('elsewhere0000', {state: 'running', owner: 'other-host', ownerPid: 5}),
  ],
  volumes: [
    {name: 'vol-exited', owner: 'unknown', labels: {}},
    {name: 'vol-live', owner: 'alive', labels: {}},
    {name: 'vol-dangling-old', owner: 'unknown', labels: {}, created: '2025-01-01T00:00:00Z'},
    {name: 'vol-dangling-new', owner: 'unknown', labels: {}, created: '2025-01-01T00:59:00Z'},
    {name: 'vol-dangling-orphan', owner: 'orphan', labels: {}},
  ],
  networks: [],
  images: [
    {id: 'sha256:used', tags: ['sandbox-agent/sandbox:0.1.0'], sizeBytes: 1, created: '', labels: {}},
    {id: 'sha256:old', tags: ['sandbox-agent/sandbox:0.0.9'], sizeBytes: 1, created: '', labels: {}},
  ],
}
const now = new Date('2025-01-01T01:00:00Z')

describe('planPrune', () => {
  it('removes exited and orphaned containers and their volumes, leaves live and unknown-running ones', () => {
    const plan = planPrune(inventory, {all: false, force: false, now})
    expect(plan.containers.map((p) => p.item.id)).toEqual(['exited0000000', 'orphan0000000'])
    expect(plan.volumes.map((p) => p.item.name)).toEqual(['vol-exited', 'vol-dangling-old', 'vol-dangling-orphan'])
    expect(plan.images).toEqual([])
    const left = Object.fromEntries(plan.kept.map((k) => [k.id, k.reason]))
    expect(left['live00000000']).toMatch(/in use: its owner process 42 is running/)
    expect(left['starting0000']).toMatch(/owner process 43/)
    expect(left['kept00000000']).toMatch(/--all/)
    expect(left['elsewhere000']).toMatch(/another host/)
    expect(left['vol-dangling-new']).toMatch(/new/)
    expect(left['vol-live']).toMatch(/stays/)
  })

  it('--all adds kept sessions and images no staying container uses', () => {
    const plan = planPrune(inventory, {all: true, force: false, now})
    expect(plan.containers.map((p) => p.item.id)).toContain('kept000000000')
    expect(plan.images.map((p) => p.item.tags[0])).toEqual(['sandbox-agent/sandbox:0.0.9'])
  })

  it('--force also takes containers other live processes own', () => {
    const plan = planPrune(inventory, {all: false, force: true, now})
    expect(plan.containers.map((p) => p.item.id)).toEqual(
      expect.arrayContaining(['live000000000', 'starting00000', 'elsewhere0000']),
    )
  })
})

describe('planPrune and session networks', () => {
  const network = (name: string, sessionId: string, over: Partial<ManagedNetwork> = {}): ManagedNetwork => ({
    id: name,
    name,
    created: '2025-01-01T00:00:00Z',
    sessionId,
    owner: 'orphan',
    ownerPid: 999,
    labels: {},
    ...over,
  })
  const withNetworks: Inventory = {
    containers: [
      container('orphan0000000', {state: 'running', owner: 'orphan', ownerPid: 999, sessionId: 'gone'}),
      container('proxy00000000', {state: 'exited', owner: 'orphan', ownerPid: 999, sessionId: 'gone'}),
      container('kept000000000', {state: 'exited', owner: 'orphan', ownerPid: 7, kept: true, sessionId: 'kept'}),
    ],
    volumes: [],
    networks: [
      network('net-gone', 'gone'),
      network('net-kept', 'kept', {ownerPid: 7}),
      network('net-starting', 'starting', {owner: 'alive', ownerPid: 42}),
      network('net-alone', 'alone'),
    ],
    images: [],
  }

  it('removes the network of a session whose containers go, and one left alone; keeps a staying or starting one', () => {
    const plan = planPrune(withNetworks, {all: false, force: false, now})
    expect(plan.networks.map((p) => [p.item.name, p.reason])).toEqual([
      ['net-gone', 'its owner process 999 is gone'],
      ['net-alone', 'its owner process 999 is gone'],
    ])
    const left = Object.fromEntries(plan.kept.map((k) => [k.id, k.reason]))
    expect(left['net-kept']).toBe('its session stays')
    expect(left['net-starting']).toMatch(/owner process 42 is running/)
  })

  it('--all takes the kept session with its network; --force the starting one', () => {
    expect(planPrune(withNetworks, {all: true, force: false, now}).networks.map((p) => p.item.name)).toContain(
      'net-kept',
    )
    expect(planPrune(withNetworks, {all: false, force: true, now}).networks.map((p) => p.item.name)).toContain(
      'net-starting',
    )
  })
})

describe('ownerStatus', () => {
  const probe = {hostname: 'here', isAlive: (pid: number) => pid === 1}
  it('tells alive, orphan, other host and unknown apart', () => {
    expect(ownerStatus({'dev.sandbox-agent.owner-pid': '1', 'dev.sandbox-agent.owner-host': 'here'}, probe)).toBe(
      'alive',
    )
    expect(ownerStatus({'dev.sandbox-agent.owner-pid': '2', 'dev.sandbox-agent.owner-host': 'here'}, probe)).toBe(
      'orphan',
    )
    expect(ownerStatus({'dev.sandbox-agent.owner-pid': '1', 'dev.sandbox-agent.owner-host': 'there'}, probe)).toBe(
      'other-host',
    )
    expect(ownerStatus({}, probe)).toBe('unknown')
  })
})

describe('toManagedContainer', () => {
  const probe = {hostname: 'here', isAlive: (pid: number) => pid === 1}
  const info = (name: string, pid: string): Docker.ContainerInfo =>
    ({
      Id: 'c0ffee',
      Names: [`/${name}`],
      Image: 'img',
      ImageID: 'sha256:img',
      State: 'exited',
      Status: 'Exited (0)',
      Created: 0,
      Labels: {'dev.sandbox-agent.owner-pid': pid, 'dev.sandbox-agent.owner-host': 'here'},
      Mounts: [],
    }) as unknown as Docker.ContainerInfo

  it('treats a kept session as kept and ownerless, so prune leaves it without --all', () => {
    const kept = toManagedContainer(info('sandbox-agent-abc123--kept', '2'), probe)
    expect(kept).toMatchObject({kept: true, idle: false, owner: 'unknown'})
    expect(kept.ownerPid).toBeUndefined()
    const plan = planPrune({containers: [kept], volumes: [], networks: [], images: []}, {all: false, force: false, now})
    expect(plan.containers).toEqual([])
  })

  it('removes warm pool containers, even with their filler process still alive', () => {
    const pool = toManagedContainer({...info('sandbox-agent-abc123--pool', '1'), State: 'running'}, probe)
    expect(pool).toMatchObject({pool: true, idle: false, kept: false, owner: 'unknown'})
    const plan = planPrune({containers: [pool], volumes: [], networks: [], images: []}, {all: false, force: false, now})
    expect(plan.containers.map((p) => p.reason)).toEqual(['warm pool container, running'])
  })

  it('removes idle warm containers and follows the pid of the process that reused one', () => {
    const idle = toManagedContainer({...info('sandbox-agent-abc123--idle', '1'), State: 'running'}, probe)
    expect(idle).toMatchObject({idle: true, owner: 'unknown'})
    expect(
      planPrune({containers: [idle], volumes: [], networks: [], images: []}, {all: false, force: false, now})
        .containers,
    ).toHaveLength(1)
    // Created by pid 2 (gone), now reused by pid 1 (alive): in use, not an orphan.
    const reused = toManagedContainer(info('sandbox-agent-abc123--pid-1', '2'), probe)
    expect(reused).toMatchObject({owner: 'alive', ownerPid: 1})
  })
})

describe('toManagedContainer with names it does not know', () => {
  it('goes by the owner labels', () => {
    const probe = {hostname: 'here', isAlive: () => false}
    const c = toManagedContainer(
      {
        Id: 'c1',
        Names: ['/my-own-name'],
        Image: 'img',
        ImageID: 'sha256:img',
        State: 'running',
        Status: '',
        Created: 0,
        Labels: {'dev.sandbox-agent.owner-pid': '9', 'dev.sandbox-agent.owner-host': 'here'},
        Mounts: [],
      } as unknown as Docker.ContainerInfo,
      probe,
    )
    expect(c).toMatchObject({owner: 'orphan', ownerPid: 9, kept: false, idle: false})
  })
})
