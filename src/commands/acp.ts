// `agent acp` (also `agent --acp`): serve an editor over the Agent Client Protocol on stdio; src/protocols/acp does it.
import {Flags} from '@oclif/core'

import {APPROVAL_MODES} from '../agent/approvals.js'
import {BaseCommand} from '../cli/base-command.js'
import {DEFAULT_MAX_TURNS, sessionFlags} from '../cli/session-flags.js'
import {
  loadContributions,
  loadProjectConfig,
  loadSessionConfig,
  openSandbox,
  openSessionTools,
  resolveModelClient,
} from '../cli/run-wiring.js'
import {UserInputError} from '../errors.js'
import {loadAuthRegistry} from '../plugins/plugin-registries.js'
import {serveAcp, type AcpSessionParts} from '../protocols/acp/acp-server.js'
import {SessionCleanup} from '../sandbox/lifecycle/session-cleanup.js'
import type {SandboxSession} from '../sandbox/types.js'
import type {SessionToolSources} from '../tools/open-tool-sources.js'

export default class Acp extends BaseCommand<typeof Acp> {
  static override summary = 'Serve an editor (Zed, JetBrains, Neovim) over the Agent Client Protocol on stdin/stdout'
  static override description = [
    `Each ACP session gets its own sandbox holding a copy of the folder the editor opens. Tool calls, their live output and approval questions appear in the editor. The project changes only through the apply_changes tool, which the editor asks you to approve with the diff shown; changes not applied are kept for \`agent diff\` when the editor disconnects.`,
  ].join('\n\n')

  static override examples = [{description: 'What an editor runs', command: '<%= config.bin %> --acp'}]

  static override flags = {
    model: sessionFlags.model,
    'approval-mode': Flags.option({options: APPROVAL_MODES, description: 'When to ask before a tool runs.'})(),
    yolo: sessionFlags.yolo,
    network: Flags.boolean({description: 'Give the sandboxes network access (default: none).', allowNo: true}),
    'max-turns': Flags.integer({description: `Model turns allowed per prompt (default ${DEFAULT_MAX_TURNS}).`, min: 1}),
    auth: sessionFlags.auth,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Acp)
    const cleanup = new SessionCleanup()
    const uninstall = cleanup.installSignalHandlers({signals: ['SIGINT', 'SIGTERM', 'SIGHUP']})
    let auth = flags.auth
    // Each ACP session's MCP servers, closed with it.
    const toolSources = new WeakMap<SandboxSession, SessionToolSources>()
    const sessionFlags = (cwd: string) => ({...flags, cwd, auth})
    // Only the auth hook: a broken tool plugin (a name clash) is reported by session/new, where it matters.
    const authRegistry = () => loadAuthRegistry(this.config, loadSessionConfig(sessionFlags(process.cwd())))
    try {
      await serveAcp({
        input: process.stdin,
        output: process.stdout,
        version: this.config.version,
        logger: this.logger,
        authMethods: async () => {
          const registry = await authRegistry()
          return registry
            .list()
            .map(({provider}) => ({id: provider.id, name: provider.id, description: provider.describe()}))
        },
        selectAuth: async (methodId) => {
          const registry = await authRegistry()
          if (!registry.get(methodId)) throw new UserInputError(`Unknown authentication method ${methodId}`)
          auth = methodId
        },
        openSession: async (cwd, signal): Promise<AcpSessionParts> => {
          const config = await loadProjectConfig(sessionFlags(cwd), {onConfig: this.followConfigDebug})
          const {tools, auth: registry, sources} = await loadContributions(this.config, config)
          const model = await resolveModelClient(registry, config, {logger: this.logger, interactive: false, signal})
          const sandbox = await openSandbox(config, {signal, logger: this.logger, cleanup, reuse: false})
          // Each problem of an MCP server is one `Warning:` line on stderr (the editor's log).
          const discovered = await openSessionTools({
            sources,
            registry: tools,
            session: sandbox,
            config,
            logger: this.logger,
            signal,
          })
          toolSources.set(sandbox, discovered)
          return {
            projectRoot: config.projectRoot,
            model,
            tools: [...tools.enabled(config.settings.tools).map((tool) => tool.definition), ...discovered.enabled],
            sandbox,
            approvalMode: config.approvalMode,
            maxTurns: config.maxTurns ?? DEFAULT_MAX_TURNS,
          }
        },
        closeSession: async (sandbox) => {
          await toolSources.get(sandbox)?.[Symbol.asyncDispose]()
          await closeSandbox(sandbox)
        },
      })
    } finally {
      uninstall()
    }
  }
}

/** The usual end: a sandbox whose changes were not applied is kept (stopped) for `agent diff`; otherwise removed. */
async function closeSandbox(sandbox: SandboxSession): Promise<void> {
  const changes = await sandbox.changes().catch(() => undefined)
  if (changes && changes.changes.length === 0) return sandbox[Symbol.asyncDispose]()
  await sandbox.keep()
  process.stderr.write(
    `The sandbox ${sandbox.id} is kept with changes not applied: \`agent diff ${sandbox.id}\`, then ` +
      `\`agent apply ${sandbox.id}\` or \`agent discard ${sandbox.id}\`.\n`,
  )
}
