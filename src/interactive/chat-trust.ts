// Folder trust in the interactive session: the first-run question with the folder's "discovery", and /permissions.
import type {AgentConfig} from '../config/index.js'
import {saveTrustRule, summarizeFolderTrust, type FolderTrustSummary, type TrustLevel} from '../trust/index.js'
import type {ChatContext} from './chat-context.js'

type Answer = TrustLevel | undefined

function summarize(config: AgentConfig): FolderTrustSummary {
  return summarizeFolderTrust({
    home: config.home,
    folder: config.projectRoot,
    folderTrustEnabled: config.trust.project.enabled,
  })
}

/** Shows what the folder's config would change, asks, and records the answer in ~/.qwen/trustedFolders.json. */
export async function chooseFolderTrust(
  context: Pick<ChatContext, 'options' | 'screen' | 'prompts'>,
  title: string,
): Promise<void> {
  const {screen, prompts, options} = context
  const summary = summarize(options.config)
  const {folder} = summary.discovery
  for (const line of summary.details) screen.note(line)
  const answer = await prompts.choose<Answer>(
    title,
    [
      {key: 't', label: `Trust this folder (${folder})`, value: 'TRUST_FOLDER'},
      {key: 'p', label: 'Trust its parent folder, and every folder in it', value: 'TRUST_PARENT'},
      {key: 'n', label: "Don't trust: its settings may only tighten yours", value: 'DO_NOT_TRUST'},
    ],
    {escapeValue: undefined, interruptValue: undefined},
  )
  if (!answer) {
    screen.note('Trust unchanged.')
    return
  }
  const saved = saveTrustRule(options.config.home, folder, answer)
  const before = options.config.trust.project.source === 'trusted-folder'
  const when =
    before === saved.trusted || !summary.matters
      ? ''
      : ' It takes effect from the next session (/quit, then start again).'
  screen.note(`${saved.trusted ? 'Trusted' : 'Not trusted'}: rule ${answer} saved in ${saved.file}.${when}`)
}

/** Asked once, on the first session in a folder no rule covers, when trusting it would change something. */
export async function askFolderTrustOnFirstRun(
  context: Pick<ChatContext, 'options' | 'screen' | 'prompts'>,
): Promise<void> {
  const {trust} = context.options.config
  if (!trust.project.enabled || trust.project.folder.decidedBy !== 'unknown') return
  if (!summarize(context.options.config).matters) return
  await chooseFolderTrust(context, 'Do you trust this folder? Until you do, its own config may only tighten yours.')
}

/** Folder trust's notices (each key or variable an untrusted folder's config was not allowed to set). */
export function showTrustNotices(context: Pick<ChatContext, 'options' | 'screen'>): void {
  for (const notice of context.options.config.trust.notices) context.screen.note(context.screen.style.yellow(notice))
}
