// `agent sandbox prune`: removes this tool's containers no live session uses (exited or orphaned), their volumes, and with --all its images.
import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {ENGINE_KINDS} from '../../sandbox/create-engine.js'
import {SwarmSandboxEngine} from '../../sandbox/swarm/swarm-engine.js'
import {executePrune, listLocalInventory, planPrune, shortId, type PrunePlan} from '../../sandbox/inventory/index.js'

export default class SandboxPrune extends BaseCommand<typeof SandboxPrune> {
  static override summary = "Remove this tool's unused sandbox containers, volumes and (with --all) images"
  static override description = [
    'Removes containers labelled dev.sandbox-agent.managed=true that no live agent process uses: exited ones, idle warm ones left for --reuse, and orphans whose owner process is gone from this host. Their volumes go with them, and so do the internal networks and network proxies of sessions with a sandbox.network allow list.',
    'Containers whose owner process still runs (another session, possibly in another terminal) stay unless --force. Kept sessions (agent run --keep) and images stay unless --all.',
  ].join('\n\n')

  static override examples = [
    {description: 'See what would be removed', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'Remove unused containers and volumes', command: '<%= config.bin %> <%= command.id %>'},
    {
      description: 'Also remove kept sessions and the sandbox images',
      command: '<%= config.bin %> <%= command.id %> --all',
    },
  ]

  static override flags = {
    all: Flags.boolean({description: "Also remove kept sessions and this tool's images.", default: false}),
    force: Flags.boolean({description: 'Also remove containers whose owner process is still running.', default: false}),
    'dry-run': Flags.boolean({char: 'n', description: 'List what would be removed, remove nothing.', default: false}),
    label: Flags.string({
      description: 'Only objects that also carry this label (key or key=value); repeatable.',
      multiple: true,
    }),
    json: Flags.boolean({description: 'Print the plan and the result as JSON on stdout.', default: false}),
    engine: Flags.option({
      options: ENGINE_KINDS,
      default: 'docker' as const,
      description:
        'swarm: remove the services and networks of sessions a killed CLI left on the cluster (DOCKER_HOST is its manager).',
    })(),
  }

  async run(): Promise<void> {
    const {flags} = this
    if (flags.engine === 'swarm') return this.pruneSwarm()
    const {inventory, docker, endpoint} = await listLocalInventory(flags.label)
    const plan = planPrune(inventory, {all: flags.all, force: flags.force})
    this.logger.info({plan: summarize(plan), dryRun: flags['dry-run']}, 'sandbox prune')

    if (flags['dry-run']) {
      if (flags.json) process.stdout.write(`${JSON.stringify({dryRun: true, ...summarize(plan)}, null, 2)}\n`)
      else process.stdout.write(renderPlan(plan, 'would remove'))
      return
    }
    const report = await executePrune(docker, endpoint, plan)
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({dryRun: false, ...summarize(plan), removed: report.removed, failed: report.failed}, null, 2)}\n`,
      )
    } else {
      process.stdout.write(renderPlan(plan, 'removed', new Set(report.failed.map((f) => f.id))))
      for (const f of report.failed) process.stderr.write(`could not remove ${f.kind} ${f.id}: ${f.error}\n`)
    }
    if (report.failed.length > 0) this.exit(1)
  }

  /** Swarm sessions are services with an overlay network each; nothing of them lives on this host. */
  private async pruneSwarm(): Promise<void> {
    const engine = new SwarmSandboxEngine({logger: this.logger})
    const {flags} = this
    const result = await engine.prune({all: flags.all || flags.force, dryRun: flags['dry-run']})
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({dryRun: flags['dry-run'], ...result}, null, 2)}\n`)
      return
    }
    const verb = flags['dry-run'] ? 'would remove' : 'removed'
    for (const name of result.services) process.stdout.write(`${verb} service ${name}\n`)
    for (const name of result.networks) process.stdout.write(`${verb} network ${name}\n`)
    if (result.services.length + result.networks.length === 0) process.stdout.write('nothing to remove on the swarm\n')
  }
}

function summarize(plan: PrunePlan) {
  return {
    containers: plan.containers.map((p) => ({
      id: shortId(p.item.id),
      sessionId: p.item.sessionId ?? null,
      reason: p.reason,
    })),
    volumes: plan.volumes.map((p) => ({name: p.item.name, reason: p.reason})),
    networks: plan.networks.map((p) => ({name: p.item.name, sessionId: p.item.sessionId ?? null, reason: p.reason})),
    images: plan.images.map((p) => ({id: shortId(p.item.id), tags: p.item.tags, reason: p.reason})),
    left: plan.kept,
  }
}

function renderPlan(plan: PrunePlan, verb: string, failed: ReadonlySet<string> = new Set()): string {
  const lines: string[] = []
  for (const {item, reason} of plan.containers) {
    if (failed.has(shortId(item.id))) continue
    const session = item.sessionId ? ` (session ${item.sessionId})` : ''
    lines.push(`${verb} container ${shortId(item.id)}${session}: ${reason}`)
  }
  for (const {item, reason} of plan.volumes) {
    if (!failed.has(item.name)) lines.push(`${verb} volume ${item.name}: ${reason}`)
  }
  for (const {item, reason} of plan.networks) {
    if (!failed.has(item.name)) lines.push(`${verb} network ${item.name}: ${reason}`)
  }
  for (const {item, reason} of plan.images) {
    const name = item.tags[0] ?? item.id
    if (!failed.has(name)) lines.push(`${verb} image ${item.tags[0] ?? shortId(item.id)}: ${reason}`)
  }
  for (const k of plan.kept) lines.push(`left ${k.kind} ${k.id}: ${k.reason}`)
  if (lines.length === 0) lines.push('nothing to prune')
  return `${lines.join('\n')}\n`
}
