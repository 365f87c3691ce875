// `agent sandbox ls`: lists this tool's sandbox containers (with owner alive/orphan), volumes and images.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {formatSize, loadImageDefinition} from '../../sandbox/image/index.js'
import {Labels} from '../../sandbox/labels.js'
import {PROXY_ROLE} from '../../sandbox/network/session-network.js'
import {listLocalInventory, shortId, type Inventory, type ManagedContainer} from '../../sandbox/inventory/index.js'

export default class SandboxLs extends BaseCommand<typeof SandboxLs> {
  static override summary = "List this tool's sandbox containers and images"
  static override description = [
    'Shows every container, volume, session network and image carrying the label dev.sandbox-agent.managed=true (a session with a sandbox.network allow list has an internal network and a network proxy container of its own).',
    'OWNER tells whether the agent process that started a container still runs on this host (alive), is gone (orphan: agent sandbox prune removes it), runs elsewhere (other-host) or is not recorded (unknown).',
  ].join('\n\n')

  static override examples = [
    {description: 'List containers and images', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The same as JSON, for scripts', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    json: Flags.boolean({description: 'Print JSON on stdout.', default: false}),
    label: Flags.string({
      description: 'Only objects that also carry this label (key or key=value); repeatable.',
      multiple: true,
    }),
  }

  async run(): Promise<void> {
    const {inventory} = await listLocalInventory(this.flags.label)
    const currentHash = tryDefinitionHash()
    if (this.flags.json) {
      const images = inventory.images.map((i) => ({
        ...i,
        current: currentHash !== undefined && i.definitionHash === currentHash,
      }))
      process.stdout.write(
        `${JSON.stringify({containers: inventory.containers, volumes: inventory.volumes, networks: inventory.networks, images}, null, 2)}\n`,
      )
      return
    }
    process.stdout.write(renderInventory(inventory, currentHash))
  }
}

function tryDefinitionHash(): string | undefined {
  try {
    return loadImageDefinition().hash
  } catch {
    return undefined
  }
}

/** Plain-text tables, one section per kind; empty sections say so. */
export function renderInventory(inventory: Inventory, currentHash?: string): string {
  const out: string[] = []
  out.push('CONTAINERS')
  if (inventory.containers.length === 0) out.push('  (none)')
  else {
    out.push(
      ...table([
        ['ID', 'SESSION', 'STATE', 'CREATED', 'OWNER', 'WORKSPACE'],
        ...inventory.containers.map((c) => [
          shortId(c.id),
          c.sessionId ?? '-',
          containerState(c),
          formatTime(c.created),
          ownerText(c),
          c.workspace ?? '-',
        ]),
      ]),
    )
  }
  out.push('', 'VOLUMES')
  if (inventory.volumes.length === 0) out.push('  (none)')
  else
    out.push(
      ...table([
        ['NAME', 'CREATED', 'OWNER'],
        ...inventory.volumes.map((v) => [v.name, v.created ? formatTime(v.created) : '-', v.owner]),
      ]),
    )
  out.push('', 'NETWORKS')
  if (inventory.networks.length === 0) out.push('  (none)')
  else
    out.push(
      ...table([
        ['NAME', 'SESSION', 'CREATED', 'OWNER'],
        ...inventory.networks.map((n) => [n.name, n.sessionId ?? '-', formatTime(n.created), ownerText(n)]),
      ]),
    )
  out.push('', 'IMAGES')
  if (inventory.images.length === 0) out.push('  (none)')
  else {
    out.push(
      ...table([
        ['ID', 'TAG', 'SIZE', 'CREATED', 'BUILDER', 'DEFINITION'],
        ...inventory.images.map((i) => [
          shortId(i.id),
          i.tags.join(',') || '<none>',
          formatSize(i.sizeBytes),
          formatTime(i.created),
          i.builder ?? '-',
          !i.definitionHash ? '-' : i.definitionHash === currentHash ? 'current' : 'outdated',
        ]),
      ]),
    )
  }
  return `${out.join('\n')}\n`
}

function containerState(c: ManagedContainer): string {
  if (c.labels[Labels.role] === PROXY_ROLE) return `${c.state} (network proxy)`
  if (c.pool) return `${c.state} (warm pool)`
  return c.kept ? `${c.state} (kept)` : c.idle ? `${c.state} (idle, for --reuse)` : c.state
}

function ownerText(c: Pick<ManagedContainer, 'owner' | 'ownerPid'>): string {
  if (c.owner === 'alive' || c.owner === 'orphan') return `${c.owner} (pid ${c.ownerPid})`
  return c.owner
}

function formatTime(iso: string): string {
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? []
  return rows.map(
    (r) => `  ${r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col] ?? 0))).join('  ')}`,
  )
}
