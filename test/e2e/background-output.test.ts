// A background command's result names the file its output goes to, and the model can read that file on a later turn.
import {describe, expect, it} from 'vitest'

import type {ChatRequestBody, ScriptStep} from '../fixtures/scripted-model/index.js'
import {sdkProject} from '../protocols/helpers/sdk-project.js'
import {runCli} from './helpers/run-cli.js'

const OUTPUT_FILE = /^Output File: (\S+)/m

describe('a background command', () => {
  it('names its output file; a later `cat` of that file shows what the command printed', async () => {
    // The second request reads the path from the first result, as a model would.
    const readLog = (body: ChatRequestBody): ScriptStep => {
      const told = String(body.messages.at(-1)?.content ?? '')
      const file = OUTPUT_FILE.exec(told)?.[1] ?? 'no-output-file-named'
      return {
        toolCalls: [
          {
            id: 'call_read',
            name: 'run_shell_command',
            arguments: {command: `sleep 1; cat ${file}`, is_background: false},
          },
        ],
      }
    }
    await using project = await sdkProject([
      {
        toolCalls: [
          {
            id: 'call_bg',
            name: 'run_shell_command',
            arguments: {command: 'echo started-in-background; sleep 300', is_background: true},
          },
        ],
      },
      readLog,
      {text: 'The server said it started.'},
    ])
    const run = await runCli(['run', '-o', 'stream-json', '--yolo', 'start the server and check on it'], {
      cwd: project.dir,
      env: project.env,
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const results = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {type: string; message?: {content?: {type: string; content?: string}[]}})
      .flatMap((message) => (message.type === 'user' ? (message.message?.content ?? []) : []))
      .map((block) => block.content ?? '')
    expect(results[0]).toMatch(/Background PIDs: \d+\nOutput File: \/tmp\/sandbox-agent\/\S+\.log/)
    expect(results[1]).toContain('Stdout: started-in-background\n')
  })
})
