// `agent batch TASKS.jsonl`: the flags, parsed and handed to runBatchCommand (src/batch/), which does the work.
import {Args, Flags} from '@oclif/core'

import {runBatchCommand} from '../batch/run-batch-command.js'
import {BaseCommand} from '../cli/base-command.js'
import {DEFAULT_MAX_TURNS} from '../cli/session-flags.js'
import {ENGINE_KINDS} from '../sandbox/create-engine.js'

export default class Batch extends BaseCommand<typeof Batch> {
  static override summary = 'Run many tasks, each in its own sandbox; the changes come out as patches, never applied'
  static override description = [
    `TASKS is a JSONL file, one task per line: {"id": "fix-1", "cwd": "../app", "prompt": "make the tests pass"}, or "repo" (a local path or a git URL, cloned on this machine) instead of "cwd"; optional "ref" (with repo), "model", "maxTurns", "approvalMode", "network" and "sandbox" (settings.json's sandbox keys) for that task.`,
    `--out DIR gets one folder per task (transcript.jsonl: the stream-json messages; changes.patch: \`git apply\`-able; result.json: the result message and a summary) and DIR/results.jsonl, one line per task as it ends. Nothing is ever applied to your projects.`,
    `Running again with the same --out skips the tasks already done. Ctrl-C once: no new task starts, the running ones finish; twice: the running ones are cancelled (not done: the next run does them); three times: exit at once.`,
    `Exit codes: 0 every task succeeded, 1 a task failed, 2 bad input, 3 Docker, 4 auth, 130 interrupted.`,
  ].join('\n\n')

  static override examples = [
    {
      description: 'Four tasks at a time',
      command: '<%= config.bin %> <%= command.id %> tasks.jsonl --out runs/1 --parallel 4',
    },
    {
      description: 'Across a Swarm cluster (DOCKER_HOST is its manager)',
      command: '<%= config.bin %> <%= command.id %> tasks.jsonl --out runs/2 --engine swarm --retries 1',
    },
  ]

  static override args = {
    tasks: Args.string({description: 'The tasks, one JSON object per line.', required: true}),
  }

  static override flags = {
    out: Flags.string({char: 'O', description: 'Directory for the results (one folder per task).', required: true}),
    parallel: Flags.integer({
      char: 'j',
      description: 'Tasks at once (default: what the engine holds: two per CPU within its memory).',
      min: 1,
    }),
    'model-concurrency': Flags.integer({
      description: 'Model requests in flight at once across all tasks (default: --parallel).',
      min: 1,
    }),
    retries: Flags.integer({
      description: 'Further attempts for a task whose sandbox was lost (a node died) or could not start.',
      min: 0,
      default: 1,
    }),
    engine: Flags.option({
      options: ENGINE_KINDS,
      default: 'docker' as const,
      description: 'Where the sandboxes run.',
    })(),
    registry: Flags.string({
      description:
        'swarm: the registry the nodes pull the sandbox image from, as given to `agent sandbox build --push` (default: $SANDBOX_AGENT_REGISTRY).',
    }),
    cwd: Flags.string({
      description: 'Where settings and .env for the model are read (default: the current directory).',
    }),
    model: Flags.string({char: 'm', description: 'Model name for every task (a task may name its own).'}),
    'max-turns': Flags.integer({
      description: `Stop each task after this many model turns (default: settings model.maxSessionTurns, else ${DEFAULT_MAX_TURNS}).`,
      min: 1,
    }),
    'approval-mode': Flags.option({
      options: ['default', 'auto-edit', 'yolo'] as const,
      description: 'Approval mode (nothing asks in a batch: tools act only inside the sandbox).',
    })(),
    network: Flags.boolean({description: 'Give every sandbox network access (default: none).', allowNo: true}),
    'allow-host': Flags.string({
      description: 'Let the sandboxes reach this host through their proxy.',
      multiple: true,
      multipleNonGreedy: true,
    }),
    auth: Flags.string({description: 'Authentication provider id (e.g. openai-compatible).'}),
  }

  async run(): Promise<void> {
    const {args} = await this.parse(Batch)
    const code = await runBatchCommand({
      file: args.tasks,
      flags: this.flags,
      oclif: this.config,
      logger: this.logger,
      onConfig: this.followConfigDebug,
    })
    if (code !== 0) this.exit(code)
  }
}
