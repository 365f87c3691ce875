// Folder trust in interactive mode: the first session in a folder with config of its own asks once, showing what that
// config would change, and /permissions changes the answer. The built CLI runs in tmux against the scripted model.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {assertBuilt} from '../e2e/helpers/run-cli.js'
import {startScriptedModel, type ScriptedModelServer} from '../fixtures/scripted-model/index.js'
import {removeSandboxesOf} from '../helpers/project-sandboxes.js'
import {startChat} from './helpers/chat-terminal.js'

let server: ScriptedModelServer
let home: string
let project: string

beforeAll(async () => {
  assertBuilt('chat')
  server = await startScriptedModel({steps: [], apiKey: 'sk-e2e-test'})
  home = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-trust-chat-home-')))
  project = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sandbox-agent-trust-chat-project-')))
  await fs.mkdir(path.join(project, '.qwen'))
  await fs.writeFile(
    path.join(project, '.qwen', 'settings.json'),
    JSON.stringify({sandbox: {env: ['OPENAI_API_KEY'], pids: 4096}}),
  )
})

afterAll(async () => {
  if (project) {
    await removeSandboxesOf(project)
    await fs.rm(project, {recursive: true, force: true})
  }
  await server?.close()
  if (home) await fs.rm(home, {recursive: true, force: true})
})

const rules = async () =>
  JSON.parse(await fs.readFile(path.join(home, '.qwen', 'trustedFolders.json'), 'utf8')) as Record<string, string>
const idle = (screen: string) => /^> Type a message/m.test(screen)

const chat = () => startChat({cwd: project, home, modelUrl: server.url})

describe('interactive folder trust', () => {
  it('asks once with the discovery, records the answer, and /permissions changes it', async () => {
    {
      await using term = await chat()
      const asked = await term.waitFor(/Do you trust this folder\?/, {what: 'the trust question', timeoutMs: 30_000})
      expect(asked).toContain(`Ignored sandbox.env from ${project}/.qwen/settings.json`)
      expect(asked).toMatch(/^ {2}sandbox\.env: it would pass host variables into the sandbox$/m)
      expect(asked).toMatch(/^ {2}sandbox\.pids: it would raise the process limit$/m)
      await term.type('t')
      await term.waitFor(/Trusted: rule TRUST_FOLDER saved in .*It takes effect from the next session/, {
        what: 'the answer recorded',
      })
      expect(await rules()).toEqual({[project]: 'TRUST_FOLDER'})

      await term.waitFor(/sandbox [0-9a-f]{8} ready/, {timeoutMs: 60_000, what: 'the sandbox to start'})
      await term.waitFor(idle)
      await term.type('/permissions')
      await term.keys('Enter')
      await term.waitFor(/Trust this folder\?/, {what: 'the /permissions choice'})
      await term.type('n')
      await term.waitFor(/Not trusted: rule DO_NOT_TRUST saved in /, {what: 'the new answer'})
      expect(await rules()).toEqual({[project]: 'DO_NOT_TRUST'})
    }
    {
      // A folder with a rule is not asked about again.
      await using term = await chat()
      const screen = await term.waitFor(/sandbox [0-9a-f]{8} ready/, {timeoutMs: 60_000, what: 'the sandbox'})
      expect(screen).not.toContain('Do you trust this folder?')
      expect(screen).toContain('Ignored sandbox.env from')
    }
  })
})
