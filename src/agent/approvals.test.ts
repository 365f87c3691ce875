// Approval rules per mode, interactive and not, and what "always" remembers.
import {describe, expect, it} from 'vitest'

import {UserInputError} from '../errors.js'
import {
  createApprovals,
  parseApprovalMode,
  type ApprovalAnswer,
  type ApprovalPrompter,
  type ApprovalRequest,
} from './approvals.js'
import {shellAlwaysScope} from './shell-approval.js'

const signal = new AbortController().signal

const shell = (command: string): ApprovalRequest => ({
  toolCallId: 'c',
  toolName: 'run_shell_command',
  kind: 'execute',
  actsOn: 'sandbox',
  description: command,
  input: {command},
  command,
  alwaysScope: shellAlwaysScope(command),
})
const edit: ApprovalRequest = {
  toolCallId: 'e',
  toolName: 'edit',
  kind: 'edit',
  actsOn: 'sandbox',
  description: 'edit a.ts',
  input: {},
  alwaysScope: 'edit',
}
const read: ApprovalRequest = {
  toolCallId: 'r',
  toolName: 'read_file',
  kind: 'read',
  actsOn: 'sandbox',
  description: 'a.ts',
  input: {},
  alwaysScope: 'read_file',
}
const host: ApprovalRequest = {
  toolCallId: 'h',
  toolName: 'open',
  kind: 'other',
  actsOn: 'host',
  description: 'open',
  input: {},
  alwaysScope: 'open',
}

function scripted(...answers: ApprovalAnswer[]): ApprovalPrompter & {asked: string[]} {
  const asked: string[] = []
  return {
    asked,
    async ask(request) {
      asked.push(request.description)
      return answers.shift() ?? {outcome: 'deny'}
    },
  }
}

describe('parseApprovalMode', () => {
  it('accepts the three modes and refuses others with a user-input error', () => {
    expect(parseApprovalMode('auto-edit')).toBe('auto-edit')
    expect(() => parseApprovalMode('plan')).toThrow(UserInputError)
    expect(() => parseApprovalMode('plan')).toThrow(/Unknown approval mode "plan"/)
  })
})

describe('non-interactive approvals', () => {
  it('run sandbox tools without asking and refuse host tools unless yolo', async () => {
    for (const mode of ['default', 'auto-edit'] as const) {
      const approvals = createApprovals({mode})
      expect(await approvals.decide(shell('rm -rf /'), signal)).toEqual({allowed: true, asked: false})
      expect(await approvals.decide(edit, signal)).toEqual({allowed: true, asked: false})
      expect(await approvals.decide(host, signal)).toMatchObject({allowed: false, kind: 'refused'})
    }
    expect(await createApprovals({mode: 'yolo'}).decide(host, signal)).toEqual({allowed: true, asked: false})
  })
})

describe('interactive approvals', () => {
  it('default asks before each shell command and each edit, never for reads', async () => {
    const prompter = scripted({outcome: 'allow_once'}, {outcome: 'allow_once'}, {outcome: 'allow_once'})
    const approvals = createApprovals({mode: 'default', prompter})
    expect(await approvals.decide(shell('ls'), signal)).toEqual({allowed: true, asked: true})
    expect(await approvals.decide(shell('ls'), signal)).toEqual({allowed: true, asked: true})
    expect(await approvals.decide(edit, signal)).toEqual({allowed: true, asked: true})
    expect(await approvals.decide(read, signal)).toEqual({allowed: true, asked: false})
    expect(prompter.asked).toEqual(['ls', 'ls', 'edit a.ts'])
  })

  it('auto-edit allows edits but still asks for shell commands and host tools', async () => {
    const prompter = scripted({outcome: 'allow_once'}, {outcome: 'deny', reason: 'no'})
    const approvals = createApprovals({mode: 'auto-edit', prompter})
    expect(await approvals.decide(edit, signal)).toEqual({allowed: true, asked: false})
    expect(await approvals.decide(shell('make'), signal)).toEqual({allowed: true, asked: true})
    expect(await approvals.decide(host, signal)).toMatchObject({
      allowed: false,
      kind: 'denied_by_user',
      message: 'The user denied this tool call. Reason: no',
    })
  })

  it('"always" remembers the command prefix (two words for git/npm), checked on every part of a chain', async () => {
    const prompter = scripted({outcome: 'allow_always_prefix'})
    const approvals = createApprovals({mode: 'default', prompter})
    await approvals.decide(shell('git status --short'), signal)
    expect(approvals.needsAsking(shell('git status'))).toBe(false)
    expect(approvals.needsAsking(shell('git push origin main'))).toBe(true)
    expect(approvals.needsAsking(shell('git status && rm -rf x'))).toBe(true)
    expect(approvals.needsAsking(shell('git statusx'))).toBe(true)
  })

  it('"always" for a non-shell tool remembers the tool name', async () => {
    const approvals = createApprovals({mode: 'default', prompter: scripted({outcome: 'allow_always_prefix'})})
    await approvals.decide(edit, signal)
    expect(approvals.needsAsking(edit)).toBe(false)
  })

  it('setMode switches the mode mid-session and keeps what "always" remembered', async () => {
    const approvals = createApprovals({mode: 'default', prompter: scripted({outcome: 'allow_always_prefix'})})
    await approvals.decide(shell('git status'), signal)
    approvals.setMode('auto-edit')
    expect(approvals.mode).toBe('auto-edit')
    expect(approvals.needsAsking(edit)).toBe(false)
    expect(approvals.needsAsking(shell('git status -s'))).toBe(false)
    approvals.setMode('yolo')
    expect(approvals.needsAsking(shell('rm -rf /'))).toBe(false)
  })

  it("never asks about a tool whose source the user trusts (an MCP server's trust: true), even acting on the host", async () => {
    const trusted: ApprovalRequest = {...host, kind: 'mcp', trusted: true}
    const prompter = scripted()
    expect(await createApprovals({mode: 'default', prompter}).decide(trusted, signal)).toEqual({
      allowed: true,
      asked: false,
    })
    expect(prompter.asked).toEqual([])
    // Headless, where an untrusted host tool is refused.
    expect(await createApprovals({mode: 'default'}).decide(trusted, signal)).toEqual({allowed: true, asked: false})
    expect(await createApprovals({mode: 'default'}).decide({...trusted, trusted: false}, signal)).toMatchObject({
      allowed: false,
      kind: 'refused',
    })
  })

  it('yolo never asks', async () => {
    const prompter = scripted()
    const approvals = createApprovals({mode: 'yolo', prompter})
    expect(await approvals.decide(shell('rm -rf /'), signal)).toEqual({allowed: true, asked: false})
    expect(await approvals.decide(host, signal)).toEqual({allowed: true, asked: false})
    expect(prompter.asked).toEqual([])
  })
})

describe('"always allow" covers only what the shell parser can follow', () => {
  async function afterAlways(...allowed: string[]) {
    const approvals = createApprovals({
      mode: 'default',
      prompter: scripted(...allowed.map((): ApprovalAnswer => ({outcome: 'allow_always_prefix'}))),
    })
    for (const command of allowed) await approvals.decide(shell(command), signal)
    return approvals
  }

  it('still runs the remembered command, with plain arguments, pipes to remembered programs and fd duplication', async () => {
    const approvals = await afterAlways('git log', 'grep x', 'ls')
    for (const command of [
      'git log',
      'git log --oneline -5 main',
      "git log --format='%h %s' | grep fix",
      'git log 2>&1 | grep x',
      'git log > /dev/null 2>&1',
      'git log && ls -la src',
      '(git log); ls',
      'grep x < notes.txt',
      'git log > log.txt 2> build/errors.txt',
    ]) {
      expect(approvals.needsAsking(shell(command)), command).toBe(false)
    }
  })

  it.each([
    ['command substitution', 'git log $(rm -rf ~)'],
    ['quoted command substitution', 'git log "$(rm -rf ~)"'],
    ['backticks', 'git log `rm -rf ~`'],
    ['process substitution <(...)', 'git log <(rm x)'],
    ['process substitution >(...)', 'git log >(rm x)'],
    ['substitution in a redirection target', 'git log > $(rm x)'],
    ['a variable', 'git log $HOME'],
    ['a glob (file names could be options)', 'git log *'],
    ['eval', 'eval git log'],
    ['bash -c', "bash -c 'git log'"],
    ['sh -c after a remembered command', "git log && sh -c 'rm -rf ~'"],
    ['xargs', 'git log | xargs rm'],
    ['env', 'env git log'],
    ['an env-var prefix', 'GIT_EXTERNAL_DIFF=/tmp/x git log'],
    ['an env-var prefix on a later part', 'git log && PAGER=/tmp/x git log'],
    ['a newline', 'git log\nrm -rf ~'],
    ['a newline inside quotes', "git log 'a\nb'"],
    ['a redirection that writes in the home directory', 'git log > ~/.bashrc'],
    ['a redirection to an absolute path', 'git log > /etc/profile'],
    ['a redirection that climbs out', 'git log > ../x'],
    ['an append into .git', 'git log >> .git/hooks/pre-commit'],
    ['a redirection into a nested .git', 'git log > sub/.git/config'],
    ['a redirection on no command', 'git log; > ~/.bashrc'],
    ['a redirection after a subshell', '(git log) > ~/.profile'],
    ['an unremembered part', 'git log; rm -rf ~'],
    ['an unremembered part in the background', 'git log & rm -rf ~'],
    ['a different subcommand', 'git push'],
    ['what the parser refuses', 'f() { rm -rf ~; }; git log'],
    ['an unterminated quote', 'git log "'],
    ['sudo', 'sudo git log'],
    ['source', 'source ./x.sh'],
  ])('asks again for %s: %j', async (_what, command) => {
    const approvals = await afterAlways('git log', 'grep x', 'ls')
    expect(approvals.needsAsking(shell(command))).toBe(true)
    expect(await approvals.decide(shell(command), signal)).toMatchObject({asked: true})
  })

  it('remembers nothing for a command it cannot follow, and says so in the scope', async () => {
    const command = 'git log $(rm -rf ~)'
    expect(shellAlwaysScope(command)).toMatch(/^nothing/)
    const approvals = await afterAlways(command)
    expect(approvals.needsAsking(shell('git log'))).toBe(true)
  })

  it('remembers the prefix of every part, two words for git and npm', () => {
    expect(shellAlwaysScope('npm run test -- --watch')).toBe('npm run')
    expect(shellAlwaysScope('git --no-pager log')).toBe('git')
    expect(shellAlwaysScope('ls -la && git status | wc -l')).toBe('ls, git status, wc')
  })
})
