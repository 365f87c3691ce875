// What "always allow" covers for a shell command: the shell parser's simple commands, each under a remembered prefix,
// and nothing it cannot follow (substitutions, wrappers that run other commands, env prefixes, writes via redirection).
import path from 'node:path'

import {parseShellCommand, type Redirection, type SimpleCommand} from '../tools/shell/shell-parse.js'
import {checkShellCommand, compileShellRules, SHELLS, WRAPPERS} from '../tools/shell/shell-permissions.js'

/** Programs whose second word picks the real action (`git push` vs `git status`), so "always" remembers two words. */
const TWO_WORD_PROGRAMS = new Set([
  'git',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'bun',
  'cargo',
  'go',
  'docker',
  'kubectl',
  'pip',
  'pip3',
  'poetry',
  'uv',
  'make',
  'dotnet',
  'gradle',
  'mvn',
])

/** Programs that run text or other programs given as arguments: never covered by a remembered prefix. */
const RUNS_OTHER_COMMANDS = new Set([...WRAPPERS, ...SHELLS, 'eval', 'source', '.', 'trap', 'alias'])

export type FollowedCommand = {ok: true; parts: SimpleCommand[]} | {ok: false; reason: string}

/** Output targets that write nothing anywhere. */
const DISCARD = new Set(['/dev/null'])

/** A path below the working directory that is not git's own (`out.txt`, `build/log`), where a command may write. */
function isPlainRelativePath(target: string): boolean {
  if (target === '' || target.startsWith('/') || target.startsWith('~') || target.startsWith('-')) return false
  const segments = target.split('/')
  return !segments.some((segment) => segment === '..' || segment === '.git')
}

/**
 * Why a redirection cannot be covered by "always": it writes outside the working directory (an absolute path, `~`,
 * `..`) or into `.git`, or its target is known only at run time. Reading, descriptor copies, /dev/null and files
 * below the working directory are expected.
 */
function redirectionProblem(redirection: Redirection): string | undefined {
  const {op, target, dynamic} = redirection
  if (dynamic) return `its redirection target "${target}" is only known when it runs`
  if (/^\d*[<>]&$/.test(op) && /^(\d+|-)$/.test(target)) return undefined
  if (/^\d*(<|<<-?|<<<)$/.test(op)) return undefined
  if (DISCARD.has(target) || isPlainRelativePath(target)) return undefined
  return `it writes to "${target}"`
}

/**
 * The simple commands of a command line when approvals can follow every one of them with certainty: one line, parsed
 * by the shell parser, no word known only at run time (`$(...)`, backticks, `<(...)`, `>(...)`, `$VAR`, globs), no
 * `NAME=value` prefix, no program that runs other commands (`eval`, `bash -c`, `xargs`, `env`, `sudo`...), no
 * redirection that writes outside the working directory or into `.git`.
 */
export function followShellCommand(command: string): FollowedCommand {
  if (/[\n\r]/.test(command)) return {ok: false, reason: 'it spans several lines'}
  const parsed = parseShellCommand(command)
  if (!parsed.ok) return {ok: false, reason: parsed.reason}
  if (parsed.commands.length === 0) return {ok: false, reason: 'it runs no command'}
  for (const redirection of parsed.looseRedirections) {
    const problem = redirectionProblem(redirection)
    if (problem) return {ok: false, reason: problem}
  }
  for (const part of parsed.commands) {
    if (part.dynamic.some(Boolean)) return {ok: false, reason: `"${part.text}" has a part only known when it runs`}
    if (part.assignments.length > 0) return {ok: false, reason: `"${part.text}" sets environment variables`}
    const program = part.words[0]!
    const name = program.includes('/') ? path.posix.basename(program) : program
    if (RUNS_OTHER_COMMANDS.has(name)) return {ok: false, reason: `"${name}" runs other commands`}
    for (const redirection of part.redirections) {
      const problem = redirectionProblem(redirection)
      if (problem) return {ok: false, reason: problem}
    }
  }
  return {ok: true, parts: parsed.commands}
}

/** The prefix "always allow" remembers for one simple command: its program, or two words for programs like git. */
export function commandPrefix(words: readonly string[]): string {
  const [first = '', second] = words
  if (TWO_WORD_PROGRAMS.has(first) && second !== undefined && !second.startsWith('-')) return `${first} ${second}`
  return first
}

/** The prefixes "always allow" would remember for a command line; none when it cannot be followed. */
export function shellAlwaysPrefixes(command: string): string[] {
  const followed = followShellCommand(command)
  if (!followed.ok) return []
  return [...new Set(followed.parts.map((part) => commandPrefix(part.words)))]
}

/** The scope shown next to "always": the prefixes, or a note that this command will be asked about again. */
export function shellAlwaysScope(command: string): string {
  const prefixes = shellAlwaysPrefixes(command)
  return prefixes.length > 0
    ? prefixes.join(', ')
    : 'nothing (this command cannot be checked, so it is asked each time)'
}

/**
 * True when every part of the command line runs a program under a remembered prefix, judged by the same rules as
 * `tools.core` (`checkShellCommand`) on top of `followShellCommand`'s refusals; otherwise the user is asked.
 */
export function coveredByPrefixes(command: string, prefixes: ReadonlySet<string>): boolean {
  if (prefixes.size === 0 || !followShellCommand(command).ok) return false
  const rules = compileShellRules({core: [...prefixes].map((prefix) => `run_shell_command(${prefix})`)})
  return checkShellCommand(command, rules).allowed
}
