// What `agent run` and `agent chat` tell the model before the first turn: the project's context files (read on the
// host, before the sandbox starts) and the system prompt assembled around them.
import {resolveSystemPrompt} from '../agent/system-prompt/index.js'
import type {AgentConfig} from '../config/index.js'
import {
  appendMemory,
  contextFileNames,
  globalMemoryFile,
  loadProjectContext,
  type ProjectContext,
} from '../context/index.js'
import type {ChatMemory} from '../interactive/chat-options.js'
import type {Logger} from '../logging/logger.js'
import type {ToolDefinition} from '../tools/types.js'
import {describeNetwork} from '../config/network-setting.js'

/** Reads the context files; each notice (cut, refused import, unreadable file) is logged and printed as one line. */
export async function loadRunContext(
  config: AgentConfig,
  options: {logger: Logger; signal?: AbortSignal; report?: (line: string) => void},
): Promise<ProjectContext> {
  const context = await loadProjectContext({
    projectRoot: config.projectRoot,
    home: config.home,
    fileNames: contextFileNames(config.settings.context.fileName),
    limits:
      config.settings.context.discoveryMaxDirs !== undefined ? {maxDirs: config.settings.context.discoveryMaxDirs} : {},
    ...(options.signal ? {signal: options.signal} : {}),
  })
  options.logger.info(
    {
      files: context.files.map((file) => ({path: file.path, chars: file.chars, cut: file.cut})),
      notices: context.notices,
    },
    'context files read',
  )
  const report = options.report ?? ((line: string) => process.stderr.write(`Note: ${line}\n`))
  for (const line of context.notices) report(line)
  return context
}

/** The flags that shape the system prompt (`--system-prompt`, `--append-system-prompt`). */
export interface SystemPromptFlags {
  'system-prompt'?: string | undefined
  'append-system-prompt'?: string | undefined
}

export function runSystemPrompt(
  config: AgentConfig,
  tools: readonly ToolDefinition<unknown>[],
  context: ProjectContext,
  flags: SystemPromptFlags,
): string {
  return resolveSystemPrompt({
    tools,
    facts: {
      network:
        typeof config.sandbox.network === 'string' ? config.sandbox.network : describeNetwork(config.sandbox.network),
    },
    projectRoot: config.projectRoot,
    home: config.home,
    env: config.env,
    ...(flags['system-prompt'] !== undefined ? {replace: flags['system-prompt']} : {}),
    ...(flags['append-system-prompt'] !== undefined ? {append: flags['append-system-prompt']} : {}),
    context: context.text,
  }).text
}

/** The context files of an interactive session: /memory shows them, reads them again, or adds to the global file. */
export function chatMemory(
  config: AgentConfig,
  initial: ProjectContext,
  options: {logger: Logger; onChange: (context: ProjectContext) => void},
): ChatMemory {
  let context = initial
  const reload = async () => {
    context = await loadRunContext(config, {logger: options.logger, report: () => undefined})
    options.onChange(context)
    return context.notices
  }
  return {
    files: () => context.files.map((file) => ({path: file.path, chars: file.chars})),
    text: () => context.text,
    refresh: reload,
    async add(fact) {
      const file = globalMemoryFile(config.home, contextFileNames(config.settings.context.fileName))
      await appendMemory(file, fact)
      await reload()
      return file
    },
  }
}
