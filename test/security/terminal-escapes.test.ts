// Escape sequences from a hostile model and sandbox never reach the terminal raw: tool names, one-line results, the
// changed-file list, `agent diff` and `agent apply` (clipboard writes, line erasing, newlines forging summary lines).
import fs from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {CliResult} from '../e2e/helpers/run-cli.js'
import {AttackSuite, containersOf, shellCall} from './helpers/attack-run.js'

const OSC52 = '\u001B]52;c;cm0gLXJmIH4qKg+=\u0007'
const ERASE_UP = '\u001B[2K\u001B[1A'
/** What a terminal would act on: C0 controls but newline and tab, DEL, C1. */
// eslint-disable-next-line no-control-regex -- control characters are what must not get through
const ACTS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/

const suite = new AttackSuite()
let project: string
let run: CliResult
let diff: CliResult
let stat: CliResult
let apply: CliResult
let sessionId = ''

const printf = (text: string) =>
  text.replaceAll('\u001B', '\\033').replaceAll('\u0007', '\\007').replaceAll('\n', '\\n')

beforeAll(async () => {
  await suite.start()
  project = suite.project({'README.md': 'hello\n'})
  suite.server.setScript([
    {
      toolCalls: [
        {id: 'unknown', name: `evil${OSC52}${ERASE_UP}tool\n  A forged-by-tool-name`, arguments: {}},
        {
          id: 'write',
          name: 'write_file',
          arguments: {file_path: `/workspace/clip${OSC52}.txt`, content: `text${OSC52}${ERASE_UP}\n`},
        },
        shellCall({
          id: 'names',
          command: [
            `touch "$(printf '${printf(`osc${OSC52}.txt`)}')"`,
            `touch "$(printf '${printf(`erase${ERASE_UP}.txt`)}')"`,
            `touch "$(printf '${printf('new\n  A forged.txt')}')"`,
            `printf '${printf(`line${OSC52}${ERASE_UP}\n`)}' >> README.md`,
          ].join(' && '),
        }),
      ],
    },
    {text: 'done'},
  ])
  run = await suite.cli(['run', '-o', 'text', '--approval-mode', 'yolo', '--keep', 'attack'], project)
  sessionId = /agent diff ([0-9a-zA-Z-]+)/.exec(run.stderr)?.[1] ?? ''
  diff = await suite.cli(['diff', sessionId], project)
  stat = await suite.cli(['diff', '--stat', sessionId], project)
  apply = await suite.cli(['apply', sessionId], project)
}, 240_000)

afterAll(() => suite.stop())

describe('terminal escapes from the model and the sandbox (real CLI, real container)', () => {
  it('the run went through every attack and kept the session', () => {
    expect(sessionId).not.toBe('')
    expect(run.stderr).toContain('forged-by-tool-name')
    expect(run.stderr).toContain('clip')
  })

  it('no control character reaches stdout or stderr of run, diff, diff --stat or apply', () => {
    for (const [name, result] of Object.entries({run, diff, stat, apply})) {
      expect(result.stdout, `${name} stdout`).not.toMatch(ACTS)
      expect(result.stderr, `${name} stderr`).not.toMatch(ACTS)
    }
  })

  it('names are shown with their escapes visible, and a newline in a name forges no line', () => {
    const all = [run, diff, stat, apply].map((r) => r.stdout + r.stderr).join('\n')
    expect(all).toContain('osc\\e]52;c;cm0gLXJmIH4qKg+=\\x07.txt')
    expect(all).toContain('erase\\e[2K\\e[1A.txt')
    expect(all).toContain('new\\n  A forged.txt')
    expect(all).not.toMatch(/^\s*A forged/m)
    expect(all).not.toMatch(/^\s*A forged-by-tool-name/m)
    // The diff shows the file's escape sequences as text.
    expect(diff.stdout).toContain('+line\\e]52;c;cm0gLXJmIH4qKg+=\\x07\\e[2K\\e[1A')
  })

  it('the files themselves were applied under their real names', async () => {
    expect(apply.exitCode).toBe(0)
    expect(fs.existsSync(path.join(project, `osc${OSC52}.txt`))).toBe(true)
    expect(fs.existsSync(path.join(project, 'new\n  A forged.txt'))).toBe(true)
    expect(await containersOf(project)).toEqual([])
  })
})
