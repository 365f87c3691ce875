// One zod schema for settings.json (user and project files), shared with Qwen Code: unknown keys are kept, not refused.
import {z} from 'zod'

import {networkSettingSchema} from './network-setting.js'

/** What a size setting must look like, in the words an error message uses. */
export const BYTE_SIZE_EXPECTED = 'a size such as "512m" or "2g"'

/** "512m", "2g", "1.5GiB" or a plain number of bytes. */
export const byteSize = z
  .union([z.number().int().positive(), z.string().regex(/^\d+(\.\d+)?\s*([kmgt]i?b?|b)?$/i, BYTE_SIZE_EXPECTED)], {
    error: BYTE_SIZE_EXPECTED,
  })
  .transform((value) => (typeof value === 'number' ? value : parseByteSize(value)))

export function parseByteSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt])?i?b?$/i.exec(text.trim())
  if (!match) throw new Error(`not a size: ${text}`)
  const units: Record<string, number> = {k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4}
  const unit = match[2] ? (units[match[2].toLowerCase()] ?? 1) : 1
  return Math.round(Number(match[1]) * unit)
}

export const sandboxSettingsSchema = z.looseObject({
  /** Image to run; defaults to the one `agent sandbox build` makes for this version. */
  image: z.string().min(1).optional(),
  /** 'none' (default), 'bridge' (everything) or {allow: [hosts]} through the session's filtering proxy. */
  network: networkSettingSchema.default('none'),
  /** Host variables passed into the container: names (value copied from the host) or explicit name/value pairs. */
  env: z.union([z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)), z.record(z.string(), z.string())]).default([]),
  memory: byteSize.default(2 * 1024 ** 3),
  cpus: z.number().positive().max(256).default(2),
  pids: z.number().int().min(16).max(65_536).default(512),
  tmpSize: byteSize.default(256 * 1024 ** 2),
  /** .gitignore-style patterns left out of the copy into the sandbox (on top of .qwenignore). */
  exclude: z.array(z.string()).default([]),
  /** OCI runtime, e.g. 'runsc' for gVisor. */
  runtime: z.string().min(1).optional(),
  /** Bind-mount the project read-only instead of copying it. */
  mount: z.boolean().default(false),
  /** Largest total size of changes `apply` will write to the host. */
  maxApplyBytes: byteSize.default(512 * 1024 ** 2),
  /**
   * Most changed entries (files, folders, links, deletions) a change set may have: past it nothing is applied, and
   * the CLI stops holding entries (its memory stays bounded however many files the sandbox made).
   */
  maxApplyFiles: z.number().int().positive().default(50_000),
  /**
   * Containers kept created, started and waiting (~50 MiB each) so a new session skips that part; 0 = no pool. Only
   * for sessions with network none or bridge, no --mount, --keep or --reuse. `agent sandbox prune` removes them.
   */
  warmPool: z.number().int().min(0).max(8).default(0),
})

export type SandboxSettings = z.output<typeof sandboxSettingsSchema>

export const shellSettingsSchema = z.looseObject({
  enableInteractiveShell: z.boolean().default(false),
  showColor: z.boolean().default(false),
  pager: z.string().default('cat'),
})

/** Qwen Code's approval modes; sandbox-agent runs `plan` as `default`. */
export const approvalModes = ['plan', 'default', 'auto-edit', 'yolo'] as const

export const toolsSettingsSchema = z.looseObject({
  /** Allow-list of tools; `run_shell_command(<prefix>)` entries restrict shell commands by word prefix. */
  core: z.array(z.string()).optional(),
  /** Block-list, same entry format; wins over `core`. */
  exclude: z.array(z.string()).optional(),
  approvalMode: z.enum(approvalModes).optional(),
  shell: shellSettingsSchema.default(shellSettingsSchema.parse({})),
  /** Tool output longer than this many characters / lines is cut for the model (full text saved in the sandbox). */
  truncateToolOutputThreshold: z.number().int().positive().optional(),
  truncateToolOutputLines: z.number().int().positive().optional(),
})

export const modelSettingsSchema = z.looseObject({
  name: z.string().min(1).optional(),
  /** Turns before a run stops; Qwen Code writes -1 for unlimited. */
  maxSessionTurns: z.number().int().min(-1).optional(),
  /** Request timeout for the model API, ms. */
  timeout: z.number().int().positive().optional(),
  maxRetries: z.number().int().min(0).max(20).optional(),
  /** The model's context window in tokens (default: from the model's name, else a conservative 128K). */
  contextWindowSize: z.number().int().min(1024).optional(),
  /** Compress the history when the next request would pass this fraction of the context window (Qwen Code's 0.7; 0: never). */
  chatCompression: z.looseObject({contextPercentageThreshold: z.number().min(0).max(1).optional()}).optional(),
  /** Stop before a request once the API counted more prompt tokens than this (-1 or 0: no limit, Qwen Code's default). */
  sessionTokenLimit: z.number().int().min(-1).optional(),
  /** Turn off stopping a run that repeats the same tool call or text. */
  skipLoopDetection: z.boolean().optional(),
  /** Where Qwen Code keeps the same two knobs; read when the flat ones are absent. */
  generationConfig: z
    .looseObject({
      timeout: z.number().int().positive().optional(),
      maxRetries: z.number().int().min(0).max(20).optional(),
    })
    .optional(),
})

export const authSettingsSchema = z.looseObject({
  /** The auth method as Qwen Code stores it: `openai`, `qwen-oauth`, or a provider id. */
  selectedType: z.string().min(1).optional(),
  /** Key and endpoint for the OpenAI-compatible method (Qwen Code's settings; the environment wins over them). */
  apiKey: z.string().min(1).optional(),
  baseUrl: z.url().optional(),
})

export const folderTrustSettingsSchema = z.looseObject({
  /** Folder trust (Qwen Code's Trusted Folders), on by default here; read from the user's settings only. */
  enabled: z.boolean().default(true),
})

export const securitySettingsSchema = z.looseObject({
  auth: authSettingsSchema.default(authSettingsSchema.parse({})),
  folderTrust: folderTrustSettingsSchema.default(folderTrustSettingsSchema.parse({})),
})

export const advancedSettingsSchema = z.looseObject({
  /** Variables never taken from a plain `.env` file (they are from `.qwen/.env`). Qwen Code's default. */
  excludedEnvVars: z.array(z.string().min(1)).default(['DEBUG', 'DEBUG_MODE']),
})

/** Project context files (QWEN.md, AGENTS.md), as Qwen Code's `context` settings. */
export const contextSettingsSchema = z.looseObject({
  /** File name or names to read in each directory (default QWEN.md, then AGENTS.md). */
  fileName: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** How many directories below the project root are searched for context files. */
  discoveryMaxDirs: z.number().int().min(0).max(10_000).optional(),
})

/** Saved conversations: how long they are kept (`30d`, `12h`) and how many at most. */
export const generalSettingsSchema = z.looseObject({
  sessionRetention: z
    .looseObject({
      enabled: z.boolean().optional(),
      maxAge: z
        .string()
        .regex(/^\d+\s*[hdw]$/, 'a duration such as "30d", "12h" or "2w"')
        .optional(),
      maxCount: z.number().int().min(1).optional(),
    })
    .optional(),
})

export const settingsSchema = z.looseObject({
  context: contextSettingsSchema.default(contextSettingsSchema.parse({})),
  general: generalSettingsSchema.default(generalSettingsSchema.parse({})),
  model: modelSettingsSchema.default(modelSettingsSchema.parse({})),
  tools: toolsSettingsSchema.default(toolsSettingsSchema.parse({})),
  security: securitySettingsSchema.default(securitySettingsSchema.parse({})),
  advanced: advancedSettingsSchema.default(advancedSettingsSchema.parse({})),
  // Qwen Code's own `sandbox` setting is a boolean or a command name; only an object configures ours.
  sandbox: z.preprocess(
    (value) => (typeof value === 'boolean' || typeof value === 'string' ? {} : value),
    sandboxSettingsSchema.default(sandboxSettingsSchema.parse({})),
  ),
})

export type Settings = z.output<typeof settingsSchema>
