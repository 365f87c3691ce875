// Folder trust in the interactive session: the first-run question with the folder's "discovery", and /permissions.
import type {AgentConfig} from '../config/index.js'
import {
  describeDiscovery,
  discoverFolderConfig,
  writeTrustRule,
  type FolderDiscovery,
  type TrustLevel,
} from '../trust/index.js'
import type {ChatContext} from './chat-context.js'

type Answer = TrustLevel | undefined

function discover(config: AgentConfig): FolderDiscovery {
  return discoverFolderConfig({
    home: config.home,
    folder: config.projectRoot,
    folderTrustEnabled: config.trust.project.enabled,
  })
}

/** Whether trusting the folder would change anything: a widening setting, or a .env of its own. */
function trustMatters(discovery: FolderDiscovery): boolean {
  return discovery.widening.length > 0 || discovery.envFile !== undefined
}

/** Shows what the folder's config would change, asks, and records the answer in ~/.qwen/trustedFolders.json. */
export async function chooseFolderTrust(
  context: Pick<ChatContext, 'options' | 'screen' | 'prompts'>,
  title: string,
): Promise<void> {
  const {screen, prompts, options} = context
  const discovery = discover(options.config)
  for (const line of describeDiscovery(discovery)) screen.note(line)
  const answer = await prompts.choose<Answer>(
    title,
    [
      {key: 't', label: `Trust this folder (${discovery.folder})`, value: 'TRUST_FOLDER'},
      {key: 'p', label: 'Trust its parent folder, and every folder in it', value: 'TRUST_PARENT'},
      {key: 'n', label: "Don't trust: its settings may only tighten yours", value: 'DO_NOT_TRUST'},
    ],
    {escapeValue: undefined, interruptValue: undefined},
  )
  if (!answer) {
    screen.note('Trust unchanged.')
    return
  }
  const {file} = writeTrustRule(options.config.home, discovery.folder, answer)
  const before = options.config.trust.project.source === 'trusted-folder'
  const now = answer !== 'DO_NOT_TRUST'
  const when =
    before === now || !trustMatters(discovery)
      ? ''
      : ' It takes effect from the next session (/quit, then start again).'
  screen.note(`${now ? 'Trusted' : 'Not trusted'}: rule ${answer} saved in ${file}.${when}`)
}

/** Asked once, on the first session in a folder no rule covers, when trusting it would change something. */
export async function askFolderTrustOnFirstRun(
  context: Pick<ChatContext, 'options' | 'screen' | 'prompts'>,
): Promise<void> {
  const {trust} = context.options.config
  if (!trust.project.enabled || trust.project.folder.decidedBy !== 'unknown') return
  if (!trustMatters(discover(context.options.config))) return
  await chooseFolderTrust(context, 'Do you trust this folder? Until you do, its own config may only tighten yours.')
}

/** Folder trust's notices (each key or variable an untrusted folder's config was not allowed to set). */
export function showTrustNotices(context: Pick<ChatContext, 'options' | 'screen'>): void {
  for (const notice of context.options.config.trust.notices) context.screen.note(context.screen.style.yellow(notice))
}
