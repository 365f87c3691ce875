// Bad input: each is one line on stderr (no stack trace, no oclif header), exit code 2, and no container left behind.
import {spawn} from 'node:child_process'
import fs from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  CLI,
  createFaultEnv,
  exec,
  looksLikeStackTrace,
  shell,
  stderrLines,
  type CliResult,
  type FaultEnv,
} from './helpers/fault-env.js'

let env: FaultEnv

beforeAll(async () => {
  env = await createFaultEnv()
})

afterAll(async () => {
  await env?.[Symbol.asyncDispose]()
})

/** Exit code 2 and exactly one line on stderr, `Error: <what>. <what to do>`. */
function expectOneLineUserError(result: CliResult, line: RegExp): void {
  const lines = stderrLines(result.stderr)
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(/^Error: /)
  expect(lines[0]).toMatch(line)
  expect(looksLikeStackTrace(result.stderr)).toBe(false)
  expect(result.stdout).toBe('')
  expect(result.exitCode).toBe(2)
}

async function containersFor(project: string): Promise<string> {
  const {stdout} = await exec('docker', ['ps', '-aq', '--filter', `label=dev.sandbox-agent.workspace=${project}`])
  return stdout.trim()
}

describe('bad input gets one line and exit code 2', () => {
  it('settings.json that is not JSON', async () => {
    const project = await env.project({'.qwen/settings.json': '{"model": {'})
    const result = await env.run(['run', 'task'], {cwd: project})
    expectOneLineUserError(
      result,
      /^Error: Invalid settings in .*\.qwen\/settings\.json: line \d+, column \d+: .* \(not valid JSON\)\. Fix the JSON there/,
    )
  })

  it('settings.json with a value of the wrong kind', async () => {
    const project = await env.project({'.qwen/settings.json': JSON.stringify({tools: {approvalMode: 'sometimes'}})})
    const result = await env.run(['run', 'task'], {cwd: project})
    expectOneLineUserError(
      result,
      /tools\.approvalMode: expected one of .*"yolo" \(got "sometimes"\)\. Correct that value, or remove the key/,
    )
  })

  it('no model credentials: one line, exit 4, and the sandbox that started meanwhile is gone', async () => {
    const project = await env.project({'a.txt': 'x\n'})
    const result = await env.run(['run', 'task'], {cwd: project, env: {OPENAI_API_KEY: ''}})
    const lines = stderrLines(result.stderr)
    expect(lines).toEqual([expect.stringMatching(/^Error: No credentials for the model\. Set OPENAI_API_KEY/)])
    expect(result.exitCode).toBe(4)
    expect(await containersFor(project)).toBe('')
    const {stdout: volumes} = await exec('docker', [
      'volume',
      'ls',
      '-q',
      '--filter',
      `label=dev.sandbox-agent.workspace=${project}`,
    ])
    expect(volumes.trim()).toBe('')
  })

  it('an unknown approval mode', async () => {
    const project = await env.project()
    const result = await env.run(['run', '--approval-mode', 'sometimes', 'task'], {cwd: project})
    expectOneLineUserError(
      result,
      /^Error: Expected --approval-mode=sometimes to be one of: default, auto-edit, yolo, .*\. See `agent run --help`$/,
    )
  })

  it('flags that exclude each other show the reason, not oclif\'s "The following error occurred:" header', async () => {
    const project = await env.project({'task.md': 'do it'})
    for (const [args, reason] of [
      [['--prompt', 'a', '--prompt-file', 'task.md'], /--prompt=a cannot also be provided when using --prompt-file/],
      [
        ['--yolo', '--approval-mode', 'default', 'task'],
        /--approval-mode=default cannot also be provided when using --yolo/,
      ],
      [['--apply', '--keep', 'task'], /--keep=true cannot also be provided when using --apply/],
    ] as const) {
      const result = await env.run(['run', ...args], {cwd: project})
      expectOneLineUserError(result, new RegExp(`^Error: ${reason.source}\\. See \`agent run --help\`$`))
    }
  })

  it('a prompt file that does not exist', async () => {
    const project = await env.project()
    const result = await env.run(['run', '--prompt-file', 'missing.md'], {cwd: project})
    expectOneLineUserError(
      result,
      /^Error: Cannot read --prompt-file missing\.md: no such file\. Check the path, or pass the task with -p$/,
    )
  })

  it('a prompt file is read when it exists', async () => {
    const project = await env.project({'task.md': 'the task from a file\n'})
    env.server.setScript([{text: 'read it'}])
    const result = await env.run(['run', '--prompt-file', 'task.md'], {cwd: project})
    expect(result.exitCode).toBe(0)
    expect(env.server.chatRequests().at(-1)?.body?.messages.at(-1)).toMatchObject({content: 'the task from a file'})
  })

  it('a --cwd that does not exist, or is a file', async () => {
    const project = await env.project({'file.txt': 'not a directory'})
    const missing = await env.run(['run', '--cwd', path.join(project, 'nope'), 'task'], {cwd: project})
    expectOneLineUserError(
      missing,
      /^Error: Project directory .*\/nope does not exist or is not a directory\. Check --cwd$/,
    )
    const file = await env.run(['run', '--cwd', path.join(project, 'file.txt'), 'task'], {cwd: project})
    expectOneLineUserError(file, /^Error: Project directory .*\/file\.txt does not exist or is not a directory/)
  })

  // Root reads everything, so "not readable" is tried as an unprivileged user (nobody, in the Docker socket's group).
  it('a project, or a directory in it, that the user cannot read: a user error, and no container is left', async () => {
    const project = await env.project({'a.txt': 'x\n', 'secret/s.txt': 'hidden\n'})
    const asRoot = process.getuid?.() === 0
    if (asRoot) await exec('chown', ['-R', '65534:65534', project, env.home])
    const runUnprivileged = (args: string[], cwd: string) => (asRoot ? runAsNobody(args, cwd) : env.run(args, {cwd}))
    await fs.chmod(path.join(project, 'secret'), 0o000)

    const inner = await runUnprivileged(['run', 'task'], project)
    expectOneLineUserError(
      inner,
      /^Error: Cannot read .*\/secret in the project \(permission denied\)\. Make it readable, or leave it out with \.qwenignore or sandbox\.exclude$/,
    )
    // The container created before the copy failed was removed.
    expect(await containersFor(project)).toBe('')

    await fs.chmod(project, 0o000)
    const outer = await runUnprivileged(['run', '--cwd', project, 'task'], env.home)
    expectOneLineUserError(outer, /^Error: Cannot read the project directory .*: permission denied\. Make it readable/)
    await fs.chmod(project, 0o755)
    await fs.chmod(path.join(project, 'secret'), 0o755)
  })
})

describe('a directory parameter escaping the project', () => {
  it('is refused as a tool result the model reads (not a CLI error); nothing runs outside /workspace', async () => {
    const project = await env.project({'a.txt': 'x\n'})
    env.server.setScript([
      {
        toolCalls: [
          shell('up', 'touch escaped-up', {directory: '../..'}),
          shell('etc', 'touch escaped-etc', {directory: '/etc'}),
          shell('inside', 'pwd', {directory: '.'}),
        ],
      },
      {text: 'I will stay inside the project.'},
    ])
    const result = await env.run(['run', '-o', 'stream-json', 'try to leave'], {cwd: project})
    expect(result.exitCode).toBe(0)
    const results: Record<string, string> = {}
    for (const message of env.server.chatRequests().at(-1)?.body?.messages ?? []) {
      if (message.role === 'tool' && message.tool_call_id) results[message.tool_call_id] = String(message.content)
    }
    for (const id of ['up', 'etc']) {
      expect(results[id]).toMatch(/^Invalid parameters for run_shell_command:/)
      expect(results[id]).toMatch(/directory must stay inside the project \(\/workspace\)/)
    }
    expect(results.inside).toMatch(/Stdout: \/workspace$/m)
    const final = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {changed_files: unknown[]}
    expect(final.changed_files).toEqual([])
  })
})

/** The CLI as uid/gid 65534 with the Docker socket's group, so only file permissions stand in the way. */
async function runAsNobody(args: string[], cwd: string): Promise<CliResult> {
  const socket = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '')
  const dockerGid = await fs.stat(socket).then(
    (stat) => stat.gid,
    () => 0,
  )
  const environment = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: env.home,
    OPENAI_API_KEY: 'sk-e2e-test',
    OPENAI_BASE_URL: env.server.url,
    OPENAI_MODEL: 'scripted-model',
    NO_COLOR: '1',
    ...(process.env.DOCKER_HOST ? {DOCKER_HOST: process.env.DOCKER_HOST} : {}),
    // The image under test, as for every other run here: the default tag may be an older build the CLI refuses.
    ...(process.env.SANDBOX_AGENT_IMAGE ? {SANDBOX_AGENT_IMAGE: process.env.SANDBOX_AGENT_IMAGE} : {}),
  }
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(
      'setpriv',
      ['--reuid=65534', '--regid=65534', `--groups=${dockerGid}`, process.execPath, CLI, ...args],
      {cwd, env: environment, stdio: ['ignore', 'pipe', 'pipe']},
    )
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (exitCode, signal) =>
      resolve({exitCode, signal, stdout, stderr, durationMs: Date.now() - started}),
    )
  })
}
