// Approval rules per mode, interactive and not, and what "always" remembers.
import {describe, expect, it} from 'vitest'

import {UserInputError} from '../errors.js'
import {
  commandPrefix,
  createApprovals,
  matchesPrefix,
  parseApprovalMode,
  splitCommandChain,
  type ApprovalAnswer,
  type ApprovalPrompter,
  type ApprovalRequest,
} from './approvals.js'

const signal = new AbortController().signal

const shell = (command: string): ApprovalRequest => ({
  toolCallId: 'c',
  toolName: 'run_shell_command',
  kind: 'execute',
  actsOn: 'sandbox',
  description: command,
  input: {command},
  command,
  alwaysScope: commandPrefix(command),
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

  it('yolo never asks', async () => {
    const prompter = scripted()
    const approvals = createApprovals({mode: 'yolo', prompter})
    expect(await approvals.decide(shell('rm -rf /'), signal)).toEqual({allowed: true, asked: false})
    expect(await approvals.decide(host, signal)).toEqual({allowed: true, asked: false})
    expect(prompter.asked).toEqual([])
  })
})

describe('command helpers', () => {
  it('splits chains outside quotes', () => {
    expect(splitCommandChain('a && b || c; d | e')).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(splitCommandChain('echo "a && b"; ls')).toEqual(['echo "a && b"', 'ls'])
    expect(splitCommandChain("echo 'x;y'")).toEqual(["echo 'x;y'"])
  })

  it('computes prefixes and matches whole words', () => {
    expect(commandPrefix('npm run test -- --watch')).toBe('npm run')
    expect(commandPrefix('git --no-pager log')).toBe('git')
    expect(commandPrefix('ls -la')).toBe('ls')
    expect(matchesPrefix('git status', 'git')).toBe(true)
    expect(matchesPrefix('gitk', 'git')).toBe(false)
  })
})
