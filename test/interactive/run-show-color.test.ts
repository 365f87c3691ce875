// `agent run` on a terminal honours tools.shell.showColor as chat does: a command's colours reach the screen only when
// it is on. The built CLI runs in tmux against the scripted model and a real sandbox container.
import fs from 'node:fs/promises'
import path from 'node:path'

import {describe, expect, it} from 'vitest'

import {CLI} from '../e2e/helpers/run-cli.js'
import {sdkProject} from '../protocols/helpers/sdk-project.js'
import {TmuxTerminal} from './helpers/tmux.js'

const ESC = '\u001B'
const RED = `printf '\\033[31mred words\\033[0m\\n'`

async function runOnTerminal(showColor: boolean): Promise<string> {
  await using project = await sdkProject([
    {toolCalls: [{id: 'call_red', name: 'run_shell_command', arguments: {command: RED, is_background: false}}]},
    {text: 'Printed.'},
  ])
  await fs.mkdir(path.join(project.dir, '.qwen'))
  await fs.writeFile(
    path.join(project.dir, '.qwen', 'settings.json'),
    JSON.stringify({tools: {shell: {enableInteractiveShell: true, showColor}}}),
  )
  await using term = await TmuxTerminal.start({
    command: `${process.execPath} ${CLI} run --yolo print; echo "EXITED:$?"`,
    cwd: project.dir,
    // Colours on (no NO_COLOR), as on a person's terminal.
    env: {...project.env, TERM: 'xterm-256color', NO_COLOR: undefined},
  })
  await term.waitFor(/EXITED:0/, {timeoutMs: 60_000, what: 'the run to end'})
  const screen = (await term.screen({escapes: true})).join('\n')
  return screen.split('\n').find((row) => /│ .*red words/.test(row)) ?? ''
}

describe('agent run on a terminal', () => {
  it('shows a command in colour with tools.shell.showColor, and without colour when it is off', async () => {
    const colored = await runOnTerminal(true)
    // tmux writes each attribute change as its own sequence: red (31) among them, right before the words.
    expect(colored).toMatch(new RegExp(`│ (?:${ESC}\\[[\\d;]*m)*${ESC}\\[31m(?:${ESC}\\[[\\d;]*m)*red words`))
    const plain = await runOnTerminal(false)
    expect(plain).toContain('red words')
    expect(plain).not.toMatch(new RegExp(`${ESC}\\[(\\d+;)*31m`))
  })
})
