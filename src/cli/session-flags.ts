// The flags of every command that opens an agent session (run, chat, and some for acp): one definition each.
import {Flags} from '@oclif/core'

/** Without --max-turns or model.maxSessionTurns a session still ends: a model stuck in a loop costs money. */
export const DEFAULT_MAX_TURNS = 50

export const sessionFlags = {
  cwd: Flags.string({description: 'Project directory to work on (default: the current directory).'}),
  model: Flags.string({char: 'm', description: 'Model name (overrides OPENAI_MODEL and settings model.name).'}),
  yolo: Flags.boolean({char: 'y', description: 'Same as --approval-mode yolo.', exclusive: ['approval-mode']}),
  network: Flags.boolean({description: 'Give the sandbox network access (default: none).', allowNo: true}),
  'allow-host': Flags.string({
    description:
      'Let the sandbox reach this host through its proxy for this run (repeatable; host, *.suffix, host:port).',
    multiple: true,
    // One value per flag: a greedy list took the prompt after it (`--allow-host h "fix it"`) for a second host.
    multipleNonGreedy: true,
  }),
  reuse: Flags.boolean({
    description: 'Start in a warm sandbox of this project left by an earlier --reuse run (faster), and leave it warm.',
  }),
  auth: Flags.string({description: 'Authentication provider id (e.g. openai-compatible).', aliases: ['auth-type']}),
  'system-prompt': Flags.string({
    description:
      'Replace the built-in system prompt: a file to read, or the text itself when no such file exists (also QWEN_SYSTEM_MD).',
  }),
  'append-system-prompt': Flags.string({description: 'Add this text after the system prompt.'}),
}
