// `agent trust [PATH]`: trust a folder (or its parent), distrust it, or show its trust and what its config would change.
import fs from 'node:fs'
import os from 'node:os'

import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {settingsSchema} from '../config/schema.js'
import {readSettingsLayers} from '../config/settings-files.js'
import {UserInputError} from '../errors.js'
import {canonicalFolder, saveTrustRule, summarizeFolderTrust, type TrustLevel} from '../trust/index.js'

export default class Trust extends BaseCommand<typeof Trust> {
  static override summary = 'Trust a folder, so its own .qwen/settings.json and .env apply in full'
  static override description = [
    `By default a project's .qwen/settings.json may only tighten your settings: every key that would widen the sandbox (sandbox.env, network, higher limits, mount, runtime, image), raise approvals, add tools or servers, or choose where credentials go is ignored with a notice, and your keys are never sent to an endpoint the project's .env names. Trusting the folder lifts that.`,
    `Rules are kept in ~/.qwen/trustedFolders.json, in Qwen Code's format: TRUST_FOLDER (this folder and everything in it), TRUST_PARENT (its parent folder and everything in that), DO_NOT_TRUST (this folder and everything in it, even inside a trusted parent). The most specific rule wins. Set security.folderTrust.enabled to false in ~/.qwen/settings.json to trust every folder, as Qwen Code does by default.`,
  ].join('\n\n')

  static override examples = [
    {description: 'Trust the current folder', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Trust every project under ~/src', command: '<%= config.bin %> <%= command.id %> ~/src/app --parent'},
    {description: 'Stop trusting a folder', command: '<%= config.bin %> <%= command.id %> ../vendor/lib --revoke'},
    {
      description: 'Show the trust and what the config would change',
      command: '<%= config.bin %> <%= command.id %> --show',
    },
  ]

  static override args = {
    path: Args.string({description: 'The folder (default: the current directory).', required: false}),
  }

  static override flags = {
    parent: Flags.boolean({
      description: "Trust the folder's parent, and so every folder in it (TRUST_PARENT).",
      exclusive: ['revoke', 'show'],
    }),
    revoke: Flags.boolean({
      description: 'Mark the folder as not trusted (DO_NOT_TRUST), even inside a trusted parent.',
      exclusive: ['show'],
    }),
    show: Flags.boolean({description: "Show the folder's trust and what its config would change; change nothing."}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Trust)
    const home = os.homedir()
    const folder = canonicalFolder(args.path ?? process.cwd())
    if (!fs.statSync(folder, {throwIfNoEntry: false})?.isDirectory())
      throw new UserInputError(`${folder} is not a folder`, {hint: 'Give the path of a project folder'})
    const enabled = settingsSchema.parse(readSettingsLayers({projectRoot: folder, home}).user?.raw ?? {}).security
      .folderTrust.enabled
    if (flags.show) {
      const summary = summarizeFolderTrust({home, folder, folderTrustEnabled: enabled})
      process.stdout.write(`${[summary.status, ...summary.details].join('\n')}\n`)
      return
    }
    const level: TrustLevel = flags.revoke ? 'DO_NOT_TRUST' : flags.parent ? 'TRUST_PARENT' : 'TRUST_FOLDER'
    const {file, trusted, scope} = saveTrustRule(home, folder, level)
    const what = trusted
      ? `Trusted ${scope}: its .qwen/settings.json and .env now apply in full`
      : `${folder} is not trusted: its own settings may only tighten yours`
    const off = enabled
      ? ''
      : ' (folder trust is off in your settings, so every folder is trusted until you turn it on)'
    process.stdout.write(`${what} (rule in ${file})${off}\n`)
  }
}
