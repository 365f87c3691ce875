// oclif prerun hook for `agent plugins install`: local tarballs and folders install as typed (oclif alone takes
// `./x.tgz` for a GitHub slug), and npm never fetches this CLI to satisfy a plugin's peer dependency.
import fs from 'node:fs'
import path from 'node:path'
import type {Hook} from '@oclif/core'

import {ExitCode, UserInputError} from '../errors.js'

const INSTALL_COMMANDS = new Set(['plugins:install', 'plugins:add'])

const hook: Hook<'prerun'> = async function ({Command, argv, config}) {
  if (!INSTALL_COMMANDS.has(Command.id)) return
  for (const [index, argument] of argv.entries()) {
    let local: string | undefined
    try {
      local = localPluginPath(argument, process.cwd())
    } catch (error) {
      if (!(error instanceof UserInputError)) throw error
      // One line, as every other command prints its errors (oclif would box and wrap it).
      process.stderr.write(`Error: ${error.oneLine()}\n`)
      this.exit(ExitCode.userInput)
    }
    if (local) argv[index] = `file:${local}`
  }
  keepPeerDependenciesUninstalled(config.dataDir)
}

export default hook

/**
 * The absolute path an argument names when it is a local tarball or folder, else undefined (npm names, scoped names,
 * URLs and GitHub slugs pass through). An argument written as a path that does not exist is an error saying what to type.
 */
export function localPluginPath(argument: string, cwd: string): string | undefined {
  if (argument.startsWith('-') || argument.includes(':')) return undefined
  const writtenAsPath = /^(\.{1,2}|~)?\//.test(argument) || /\.(tgz|tar\.gz)$/.test(argument)
  const absolute = path.resolve(cwd, argument.replace(/^~(?=\/)/, process.env.HOME ?? '~'))
  if (fs.existsSync(absolute) && (writtenAsPath || argument.includes('/'))) return absolute
  if (writtenAsPath) {
    throw new UserInputError(`No plugin tarball or folder at ${absolute}`, {
      hint: 'Give the path of a .tgz made by `npm pack` or of a plugin folder (for GitHub, type github:OWNER/REPO)',
    })
  }
  return undefined
}

/**
 * Plugins declare this CLI as a peer dependency (for types); at run time they get the kit of the CLI that loads them.
 * npm would otherwise download the CLI again from the registry to satisfy that peer, install scripts and all.
 */
function keepPeerDependenciesUninstalled(dataDir: string): void {
  const npmrc = path.join(dataDir, '.npmrc')
  const current = fs.existsSync(npmrc) ? fs.readFileSync(npmrc, 'utf8') : ''
  if (/^\s*legacy-peer-deps\s*=/m.test(current)) return
  fs.mkdirSync(dataDir, {recursive: true})
  fs.appendFileSync(npmrc, `${current && !current.endsWith('\n') ? '\n' : ''}legacy-peer-deps=true\n`)
}
