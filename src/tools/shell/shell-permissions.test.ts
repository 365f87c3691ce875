// tools.core / tools.exclude for the shell: every example of the spec, chains, substitutions, wrappers and messages.
import {describe, expect, it} from 'vitest'

import {checkShellCommand, compileShellRules, parseShellRule} from './shell-permissions.js'

function verdict(command: string, core?: string[], exclude?: string[]): boolean {
  return checkShellCommand(command, compileShellRules({core, exclude})).allowed
}

const sh = (prefix?: string) => (prefix === undefined ? 'run_shell_command' : `run_shell_command(${prefix})`)

describe('the examples of the spec', () => {
  it('core [git, npm]: git status allowed, npm install allowed, ls -l refused', () => {
    const core = [sh('git'), sh('npm')]
    expect(verdict('git status', core)).toBe(true)
    expect(verdict('npm install', core)).toBe(true)
    expect(verdict('ls -l', core)).toBe(false)
  })

  it('core [run_shell_command], exclude [rm]: rm -rf / refused, git status and npm install allowed', () => {
    const core = [sh()]
    const exclude = [sh('rm')]
    expect(verdict('rm -rf /', core, exclude)).toBe(false)
    expect(verdict('git status', core, exclude)).toBe(true)
    expect(verdict('npm install', core, exclude)).toBe(true)
  })

  it('core [git], exclude [git push]: git push origin main refused, git status allowed', () => {
    expect(verdict('git push origin main', [sh('git')], [sh('git push')])).toBe(false)
    expect(verdict('git status', [sh('git')], [sh('git push')])).toBe(true)
  })

  it('exclude [run_shell_command]: everything refused', () => {
    for (const command of ['ls', 'git status', 'echo hi', '']) expect(verdict(command, undefined, [sh()])).toBe(false)
    expect(verdict('ls', [sh()], [sh()])).toBe(false)
  })

  it('chains: if any part is not allowed, the whole command is refused (the reference ran this one)', () => {
    expect(verdict('git status && rm -rf x', [sh('git')])).toBe(false)
    expect(verdict('git status || rm -rf x', [sh('git')])).toBe(false)
    expect(verdict('git status; rm -rf x', [sh('git')])).toBe(false)
    expect(verdict('git status\nrm -rf x', [sh('git')])).toBe(false)
    expect(verdict('git status && git log', [sh('git')])).toBe(true)
  })

  it('the deny message names the matching rule as the reference does', () => {
    const result = checkShellCommand(
      'git push origin main',
      compileShellRules({core: [sh('git')], exclude: [sh('git push')]}),
    )
    expect(result).toMatchObject({allowed: false, reason: 'denied', rule: 'run_shell_command(git push)'})
    expect(!result.allowed && result.message).toBe(
      'Command "git push origin main" was denied by permission rules. Matching deny rule: "run_shell_command(git push)".',
    )
  })
})

describe('word-prefix matching', () => {
  it('matches whole words only', () => {
    expect(verdict('gitk', [sh('git')])).toBe(false)
    expect(verdict('git', [sh('git')])).toBe(true)
    expect(verdict('git push', [sh('git push')])).toBe(true)
    expect(verdict('git pushx', [sh('git push')])).toBe(false)
    expect(verdict('rmdir x', undefined, [sh('rm')])).toBe(true)
  })

  it('ignores extra spaces in rules and commands', () => {
    expect(verdict('git    push  origin', undefined, ['run_shell_command( git   push )'])).toBe(false)
  })

  it('compares words after quote removal', () => {
    expect(verdict('"git" \'push\'', undefined, [sh('git push')])).toBe(false)
    expect(verdict('g"it" push', undefined, [sh('git push')])).toBe(false)
  })

  it('accepts the ShellTool alias and ignores entries about other tools', () => {
    expect(parseShellRule('ShellTool(git)')).toEqual({entry: 'ShellTool(git)', prefix: ['git']})
    expect(parseShellRule('read_file')).toBeUndefined()
    expect(verdict('ls', ['read_file', sh('ls')])).toBe(true)
  })

  it('a core list without any shell entry allows no command', () => {
    const result = checkShellCommand('ls', compileShellRules({core: ['read_file']}))
    expect(!result.allowed && result.message).toMatch(/tools.core does not include run_shell_command/)
  })

  it('an empty exclude and no core allow everything, even what cannot be parsed', () => {
    expect(verdict('echo "unterminated')).toBe(true)
    expect(verdict('rm -rf /', undefined, [])).toBe(true)
  })
})

describe('the block-list wins', () => {
  it('over a matching allow entry', () => {
    expect(verdict('rm -rf x', [sh('rm')], [sh('rm')])).toBe(false)
  })

  it('is checked on every part, and reported with the part', () => {
    const result = checkShellCommand(
      'git status && git push',
      compileShellRules({core: [sh('git')], exclude: [sh('git push')]}),
    )
    expect(!result.allowed && result.message).toBe(
      'Command "git status && git push" was denied by permission rules. Matching deny rule: "run_shell_command(git push)". (matched by "git push")',
    )
  })

  it('sees through assignments, redirections, paths and wrappers', () => {
    const exclude = [sh('rm')]
    for (const command of [
      'A=1 rm -rf /',
      '/bin/rm -rf /',
      'sudo rm -rf /',
      'env -i X=1 rm x',
      'nohup rm x',
      'timeout 5 rm x',
      'xargs rm < list',
      '2>/dev/null rm x',
    ]) {
      expect(verdict(command, undefined, exclude), command).toBe(false)
    }
  })

  it('sees into bash -c, sh -c and eval', () => {
    expect(verdict('bash -c "git push origin"', undefined, [sh('git push')])).toBe(false)
    expect(verdict("sh -lc 'ls && rm x'", undefined, [sh('rm')])).toBe(false)
    expect(verdict('eval "rm -rf /"', undefined, [sh('rm')])).toBe(false)
    expect(verdict('bash -c "ls"', undefined, [sh('rm')])).toBe(true)
  })

  it('sees into substitutions and subshells', () => {
    const exclude = [sh('rm')]
    for (const command of [
      'echo $(rm -rf /)',
      'echo `rm x`',
      'cat <(rm x)',
      '(cd / && rm -rf x)',
      'echo "$(rm x)"',
      'cat <<EOF\n$(rm x)\nEOF',
    ]) {
      expect(verdict(command, undefined, exclude), command).toBe(false)
    }
  })
})

describe('allow-list misses', () => {
  it('says which part is not in tools.core', () => {
    const result = checkShellCommand('git status && rm -rf x', compileShellRules({core: [sh('git'), sh('npm')]}))
    expect(result).toMatchObject({allowed: false, reason: 'not-allowed', part: 'rm -rf x'})
    expect(!result.allowed && result.message).toBe(
      'Command "git status && rm -rf x" is not allowed by permission rules: "rm -rf x" is not in tools.core (allowed: "run_shell_command(git)", "run_shell_command(npm)").',
    )
  })

  it('checks pipes part by part (a pipe runs every side)', () => {
    expect(verdict('git log | grep fix', [sh('git')])).toBe(false)
    expect(verdict('git log | grep fix', [sh('git'), sh('grep')])).toBe(true)
  })

  it('checks commands inside substitutions', () => {
    expect(verdict('git commit -m "$(rm -rf x)"', [sh('git')])).toBe(false)
    expect(verdict('git commit -m "$(git log -1)"', [sh('git')])).toBe(true)
  })

  it('checks a background command like any other', () => {
    expect(verdict('npm run dev &', [sh('npm')])).toBe(true)
    expect(verdict('npm run dev & rm x', [sh('npm')])).toBe(false)
  })

  it('does not let a wrapper smuggle a command in', () => {
    expect(verdict('env git status', [sh('git')])).toBe(false)
    expect(verdict('bash -c "rm x"', [sh('git'), sh('bash')])).toBe(false)
  })

  it('allows an allowed program with a dynamic argument after its prefix', () => {
    expect(verdict('npm run $SCRIPT', [sh('npm')])).toBe(true)
  })
})

describe('refuses what it cannot check (only when rules restrict)', () => {
  it.each([
    ['$CMD -rf /', /only known when it runs/],
    ['$(echo rm) -rf /', /only known when it runs/],
    ['git $(echo push) origin', /might match deny rule "run_shell_command\(git push\)"/],
    ['r? -rf /', /only known when it runs/],
    ['{rm,-rf,/}', /only known when it runs/],
    ['bash -c "$SCRIPT"', /only known when it runs/],
    ['echo "unterminated', /unterminated/],
    ['case $x in a) rm;; esac', /case/],
  ])('%j', (command, reason) => {
    const result = checkShellCommand(command, compileShellRules({exclude: [sh('rm'), sh('git push')]}))
    expect(result).toMatchObject({allowed: false, reason: 'unparseable'})
    expect(!result.allowed && result.message).toMatch(reason)
    expect(!result.allowed && result.message).toMatch(/^Command ".*" was refused: it cannot be checked/s)
  })

  it('still allows [ and [[ tests and quoted globs', () => {
    expect(verdict('[ -f x ] && ls "*.ts"', undefined, [sh('rm')])).toBe(true)
    expect(verdict('[[ -n "$X" ]] && ls *.ts', undefined, [sh('rm')])).toBe(true)
  })
})
