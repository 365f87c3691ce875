// The hook directories git on the host would run from in this project (core.hooksPath), read from the config files.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** `core.hooksPath` values in a git config text (last one wins in git; every one is returned here). */
export function hooksPathsIn(configText: string): string[] {
  const found: string[] = []
  let inCore = false
  for (const raw of configText.split('\n')) {
    const line = raw.trim()
    const section = /^\[\s*([^\]\s"]+)/.exec(line)
    if (section) {
      inCore = section[1]!.toLowerCase() === 'core'
      const inline = /^\[[^\]]*\]\s*(.*)$/.exec(line)?.[1] ?? ''
      if (!inCore || inline === '') continue
      const value = /^hookspath\s*=\s*(.*)$/i.exec(inline)?.[1]
      if (value !== undefined) found.push(unquote(value))
      continue
    }
    if (!inCore) continue
    const value = /^hookspath\s*=\s*(.*)$/i.exec(line)?.[1]
    if (value !== undefined) found.push(unquote(value))
  }
  return found.filter((value) => value !== '')
}

function unquote(value: string): string {
  const cut = value.replace(/\s+[#;].*$/, '').trim()
  return cut.startsWith('"') && cut.endsWith('"') ? cut.slice(1, -1) : cut
}

/**
 * Workspace-relative hook directories named by the project's `.git/config` and the user's global git config; paths
 * outside the project are not the sandbox's to write, so they are left out. Read as text: git is never run here.
 */
export function configuredHooksDirs(hostRoot: string, home = os.homedir()): string[] {
  const files = [
    path.join(hostRoot, '.git', 'config'),
    path.join(home, '.gitconfig'),
    path.join(home, '.config', 'git', 'config'),
  ]
  const dirs = new Set<string>()
  for (const file of files) {
    let text: string
    try {
      text = fs.readFileSync(file, 'utf8')
    } catch {
      continue
    }
    for (const value of hooksPathsIn(text)) {
      const expanded = value.startsWith('~/') ? path.join(home, value.slice(2)) : value
      const absolute = path.resolve(hostRoot, expanded)
      const rel = path.relative(hostRoot, absolute)
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) dirs.add(rel.split(path.sep).join('/'))
    }
  }
  return [...dirs]
}
