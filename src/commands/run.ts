// `agent run [PROMPT]`: the flags, parsed and handed to runTask (src/cli/run-task.ts), which does the work.
import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {DEFAULT_MAX_TURNS, sessionFlags} from '../cli/session-flags.js'
import {runTask} from '../cli/run-task.js'
import {ExitCode} from '../errors.js'
import {OUTPUT_FORMATS} from '../output/renderer.js'
import {INPUT_FORMATS} from '../protocols/compat-flags.js'
import {KNOWN_PERMISSION_MODES} from '../protocols/permission-modes.js'

export default class Run extends BaseCommand<typeof Run> {
  static override summary = 'Run the agent on a task; every command it runs executes in a Docker sandbox'
  static override description = [
    `The project (the current directory or --cwd) is copied into a fresh sandbox container at /workspace. The agent works on the copy; your files change only when you apply its changes: with --apply, by answering "apply" at the end on a terminal, or later with \`agent apply <session-id>\`.`,
    `Approval (--approval-mode): in a non-interactive run (no terminal, CI, piped) tools that act only inside the sandbox run without asking, and a tool that would act on the host is refused unless --approval-mode yolo. On a terminal, "default" asks before each shell command and edit, "auto-edit" asks only before shell commands, "yolo" never asks. The container is the security boundary; approval is about your intent.`,
    `Output: "text" streams the model's answer to stdout and the work (tool calls, their live output, a summary) to stderr, so stdout stays clean for piping. "stream-json" writes one JSON message per line (Qwen Code / Claude Code SDK shapes); "json" writes the same messages as one array at the end.`,
    `Ctrl-C once stops the running command (the agent is told, and goes on); twice ends the run.`,
    `Exit codes: 0 success, 1 the run failed or ended with an error result (max turns), 2 bad input, 3 Docker, 4 auth, 130 cancelled.`,
  ].join('\n\n')

  static override examples = [
    {
      description: 'Fix the tests; review the changes at the end',
      command: '<%= config.bin %> <%= command.id %> "make the tests pass"',
    },
    {
      description: 'Apply the changes to the project without asking',
      command: '<%= config.bin %> <%= command.id %> --apply -p "add a --verbose flag"',
    },
    {
      description: 'Machine-readable, one JSON message per line',
      command: '<%= config.bin %> <%= command.id %> -o stream-json "explain src/main.ts"',
    },
    {description: 'The prompt from a pipe', command: 'cat task.md | <%= config.bin %> <%= command.id %> --cwd ../app'},
  ]

  static override args = {
    prompt: Args.string({
      description: 'The task. Also -p/--prompt, --prompt-file, or stdin when piped.',
      required: false,
      // stdin is read by the run (the prompt, or SDK messages), never by the parser's 10 ms peek.
      ignoreStdin: true,
    }),
  }

  static override flags = {
    prompt: Flags.string({char: 'p', description: 'The task (instead of the PROMPT argument).'}),
    'prompt-file': Flags.string({description: 'Read the task from this file.', exclusive: ['prompt']}),
    cwd: sessionFlags.cwd,
    model: sessionFlags.model,
    'max-turns': Flags.integer({
      description: `Stop after this many model turns (default: settings model.maxSessionTurns, else ${DEFAULT_MAX_TURNS}).`,
      min: 1,
      aliases: ['max-session-turns'],
    }),
    'approval-mode': Flags.option({
      options: KNOWN_PERMISSION_MODES,
      description: 'When to ask before a tool runs: default, auto-edit or yolo (SDK names are mapped).',
      exclusive: ['permission-mode'],
    })(),
    yolo: sessionFlags.yolo,
    network: sessionFlags.network,
    'allow-host': sessionFlags['allow-host'],
    apply: Flags.boolean({
      description: 'Apply the changes to the project when the run completes.',
      exclusive: ['keep'],
    }),
    reuse: sessionFlags.reuse,
    keep: Flags.boolean({
      description: 'Keep the stopped sandbox for `agent diff|apply|discard` instead of deciding now.',
    }),
    'apply-sensitive': Flags.boolean({
      description:
        'When applying, also apply sensitive files (.qwen, .env*, .vscode, .github/workflows, git hooks... that tools on the host run on their own) and group/world-writable bits; without it they stay in the kept sandbox.',
    }),
    'output-format': Flags.option({
      char: 'o',
      options: OUTPUT_FORMATS,
      default: 'text' as const,
      description: 'How to print the run.',
    })(),
    'include-partial-messages': Flags.boolean({
      description: 'With stream-json: also emit partial stream_event messages.',
    }),
    auth: sessionFlags.auth,
    // Accepted for the Qwen Code SDK, the Claude Agent SDK and qwen scripts; read by src/protocols/compat-flags.ts.
    'input-format': Flags.option({
      options: INPUT_FORMATS,
      default: 'text' as const,
      description: 'stream-json: read user messages and control requests as JSON lines on stdin (SDK mode).',
      helpGroup: 'SDK',
    })(),
    'permission-mode': Flags.option({
      options: KNOWN_PERMISSION_MODES,
      description: 'Approval mode by another name (Qwen Code and Claude Agent SDK names are mapped).',
      helpGroup: 'SDK',
    })(),
    'permission-prompt-tool': Flags.string({description: 'stdio: ask the SDK before tools run.', helpGroup: 'SDK'}),
    channel: Flags.string({description: 'Which client drives the agent (SDK, ...).', helpGroup: 'SDK'}),
    'session-id': Flags.string({description: 'The conversation id reported as session_id (a UUID).', helpGroup: 'SDK'}),
    'core-tools': Flags.string({description: 'Comma-separated tool allow-list (as tools.core).', helpGroup: 'SDK'}),
    'exclude-tools': Flags.string({
      description: 'Comma-separated tool block-list (as tools.exclude).',
      helpGroup: 'SDK',
      aliases: ['disallowedTools'],
    }),
    'allowed-tools': Flags.string({
      description: 'Comma-separated tools that run without asking.',
      helpGroup: 'SDK',
      aliases: ['allowedTools'],
    }),
    verbose: Flags.boolean({description: 'Accepted for the SDKs; stream-json is always complete.', helpGroup: 'SDK'}),
    'setting-sources': Flags.string({hidden: true}),
    'fork-session': Flags.boolean({hidden: true}),
    'mcp-config': Flags.string({hidden: true}),
    'fallback-model': Flags.string({hidden: true}),
    'allow-dangerously-skip-permissions': Flags.boolean({hidden: true}),
    'system-prompt': sessionFlags['system-prompt'],
    'append-system-prompt': sessionFlags['append-system-prompt'],
    continue: Flags.boolean({
      char: 'c',
      description: "Continue this project's last saved conversation (`agent sessions list`).",
      exclusive: ['resume'],
    }),
    resume: Flags.string({char: 'r', description: 'Continue the saved conversation with this id (or unique prefix).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Run)
    const outcome = await runTask({
      flags,
      prompt: args.prompt,
      oclif: this.config,
      logger: this.logger,
      onConfig: this.followConfigDebug,
    })
    if (outcome.hint) process.stderr.write(outcome.hint)
    if (outcome.exitCode !== ExitCode.ok) this.exit(outcome.exitCode)
  }
}
