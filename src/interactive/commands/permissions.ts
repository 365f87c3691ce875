// /permissions: this folder's trust, what its own config would change, and a choice to trust it or not.
import {chooseFolderTrust} from '../chat-trust.js'
import type {SlashCommand} from './slash-command.js'

export const permissionsCommand: SlashCommand = {
  name: 'permissions',
  aliases: ['trust'],
  summary: "This folder's trust: what its config would change; trust it or not",
  async run(context) {
    const {trust, projectRoot} = context.options.config
    if (!trust.project.enabled) {
      context.screen.note(
        'Folder trust is off (security.folderTrust.enabled is false in ~/.qwen/settings.json): every folder is trusted.',
      )
      return
    }
    const rule = trust.project.folder.rule
    const now = trust.project.source === 'trusted-folder' ? 'trusted' : 'not trusted'
    const by = rule ? ` (${rule.level} ${rule.path})` : ' (no rule yet)'
    context.screen.note(`${projectRoot}: ${now} in this session${by}.`)
    await chooseFolderTrust(context, 'Trust this folder?')
  },
}
