// run_shell_command against a scripted session: parameters, refusals, the result's fields, streaming, cuts and saves.
import {describe, expect, it} from 'vitest'
import {z} from 'zod'

import {silentLogger} from '../../logging/logger.js'
import type {ToolContext, ToolProgress} from '../types.js'
import {
  createRunShellCommandTool,
  describeShellCall,
  shellParametersSchema,
  shellToolFromSettings,
} from './run-shell-command.js'
import {createFakeSession, type FakeSession, type ScriptedExec} from './testing/fake-session.js'

/** The tool with no command restrictions and default shell settings. */
const runShellCommandTool = createRunShellCommandTool()

function context(
  session: FakeSession,
  progress: ToolProgress[] = [],
  signal = new AbortController().signal,
): ToolContext {
  return {session, signal, log: silentLogger(), onProgress: (p) => progress.push(p)}
}

function parse(input: unknown) {
  return shellParametersSchema.safeParse(input)
}

describe('parameters', () => {
  it('requires command and is_background', () => {
    expect(parse({command: 'ls', is_background: false}).success).toBe(true)
    expect(parse({command: 'ls'}).success).toBe(false)
    expect(parse({is_background: false}).success).toBe(false)
    expect(parse({command: '   ', is_background: false}).success).toBe(false)
  })

  it('keeps directory inside the project', () => {
    for (const directory of ['src', 'src/../lib', '/workspace/src', '/workspace', '.']) {
      expect(parse({command: 'ls', is_background: false, directory}).success, directory).toBe(true)
    }
    for (const directory of ['..', '../other', 'src/../../etc', '/etc', '/workspace/../etc', '/workspace2']) {
      const result = parse({command: 'ls', is_background: false, directory})
      expect(result.success, directory).toBe(false)
      expect(result.error?.issues[0]?.message).toMatch(/directory must stay inside the project/)
    }
  })

  it('limits timeout to 600000 ms', () => {
    expect(parse({command: 'ls', is_background: false, timeout: 600_000}).success).toBe(true)
    expect(parse({command: 'ls', is_background: false, timeout: 600_001}).success).toBe(false)
    expect(parse({command: 'ls', is_background: false, timeout: 0}).success).toBe(false)
  })

  it('shows the model a JSON schema with is_background required', () => {
    const schema = z.toJSONSchema(shellParametersSchema, {io: 'input'}) as {
      required: string[]
      properties: Record<string, unknown>
    }
    expect(schema.required.sort()).toEqual(['command', 'is_background'])
    expect(Object.keys(schema.properties)).toEqual(['command', 'description', 'directory', 'is_background', 'timeout'])
  })
})

describe('describe', () => {
  it('is the command, with [background] when backgrounded by flag or by a trailing &', () => {
    expect(describeShellCall({command: 'npm test', is_background: false})).toBe('npm test')
    expect(describeShellCall({command: 'npm run dev', is_background: true})).toBe('npm run dev [background]')
    expect(describeShellCall({command: 'npm run dev &', is_background: false})).toBe('npm run dev & [background]')
    expect(describeShellCall({command: 'a && b', is_background: false})).toBe('a && b')
  })

  it('is static data on the definition', () => {
    expect(runShellCommandTool).toMatchObject({name: 'run_shell_command', kind: 'execute', actsOn: 'sandbox'})
  })
})

describe('execute', () => {
  it('runs in the sandbox with QWEN_CODE=1 and formats every field in order', async () => {
    const session = createFakeSession(() => ({output: [{stream: 'stdout', chunk: 'hello\n'}]}))
    const result = await runShellCommandTool.execute({command: 'echo hello', is_background: false}, context(session))
    expect(session.calls[0]).toMatchObject({
      command: 'echo hello',
      options: {cwd: '/workspace', env: {QWEN_CODE: '1'}, timeoutMs: 120_000, background: false},
    })
    expect(session.calls[0]!.options.env).toEqual({QWEN_CODE: '1'})
    expect(result.forModel).toBe(
      [
        'Command: echo hello',
        'Directory: (root)',
        'Stdout: hello',
        'Stderr: (empty)',
        'Error: (none)',
        'Exit Code: 0',
        'Signal: (none)',
        'Background PIDs: (none)',
      ].join('\n'),
    )
    expect(result.error).toBeUndefined()
  })

  it('runs in the given directory and names it relative to the root', async () => {
    const session = createFakeSession()
    const result = await runShellCommandTool.execute(
      {command: 'ls', is_background: false, directory: 'src/lib/'},
      context(session),
    )
    expect(session.calls[0]!.options.cwd).toBe('/workspace/src/lib')
    expect(result.forModel).toContain('\nDirectory: src/lib\n')
    const root = await runShellCommandTool.execute(
      {command: 'ls', is_background: false, directory: '/workspace'},
      context(session),
    )
    expect(root.forModel).toContain('\nDirectory: (root)\n')
  })

  it('reports a non-zero exit as data, not an error', async () => {
    const session = createFakeSession(() => ({output: [{stream: 'stderr', chunk: 'boom\n'}], result: {exitCode: 2}}))
    const result = await runShellCommandTool.execute({command: 'false', is_background: false}, context(session))
    expect(result.forModel).toContain('Stderr: boom\nError: (none)\nExit Code: 2\n')
    expect(result.error).toBeUndefined()
    expect(result.forUser).toContain('exit code 2')
  })

  it('reports a signal by number and name', async () => {
    const session = createFakeSession(() => ({result: {exitCode: null, signal: 'SIGKILL'}}))
    const result = await runShellCommandTool.execute({command: 'x', is_background: false}, context(session))
    expect(result.forModel).toContain('Exit Code: (none)\nSignal: 9 (SIGKILL)\n')
  })

  it('streams stdout and stderr chunks live, a split UTF-8 character joined', async () => {
    const euro = Buffer.from('€')
    const session = createFakeSession(() => ({
      output: [
        {stream: 'stdout', chunk: 'a'},
        {stream: 'stderr', chunk: 'warn\n'},
        {stream: 'stdout', chunk: euro.subarray(0, 1)},
        {stream: 'stdout', chunk: euro.subarray(1)},
      ],
    }))
    const progress: ToolProgress[] = []
    const result = await runShellCommandTool.execute({command: 'x', is_background: false}, context(session, progress))
    expect(progress).toEqual([
      {stream: 'stdout', chunk: 'a'},
      {stream: 'stderr', chunk: 'warn\n'},
      {stream: 'stdout', chunk: '€'},
    ])
    expect(result.forModel).toContain('Stdout: a€\n')
  })

  it('passes the timeout and says when it fired, keeping the output so far', async () => {
    const session = createFakeSession(() => ({
      output: [{stream: 'stdout', chunk: 'partial\n'}],
      result: {exitCode: null, signal: 'SIGKILL', timedOut: true},
    }))
    const result = await runShellCommandTool.execute(
      {command: 'sleep 99', is_background: false, timeout: 1000},
      context(session),
    )
    expect(session.calls[0]!.options.timeoutMs).toBe(1000)
    expect(result.forModel).toContain('Stdout: partial\n')
    expect(result.forModel).toContain('Error: Command timed out after 1000 ms\n')
    expect(result.error).toEqual({kind: 'timed_out', message: 'Command timed out after 1000 ms'})
  })

  it('says when the user cancelled, keeping partial output, and passes the signal on', async () => {
    const controller = new AbortController()
    const session = createFakeSession(() => ({
      output: [{stream: 'stdout', chunk: 'so far'}],
      result: {exitCode: null, signal: 'SIGTERM', canceled: true},
    }))
    const result = await runShellCommandTool.execute(
      {command: 'x', is_background: false},
      context(session, [], controller.signal),
    )
    expect(session.calls[0]!.options.signal).toBe(controller.signal)
    expect(result.forModel).toContain('Stdout: so far\n')
    expect(result.forModel).toContain('Error: Command was cancelled by user\n')
    expect(result.error?.kind).toBe('canceled')
  })

  it('reports out of memory and a vanished container clearly', async () => {
    const oom = await runShellCommandTool.execute(
      {command: 'x', is_background: false},
      context(createFakeSession(() => ({result: {exitCode: 137, oomKilled: true}}))),
    )
    expect(oom.forModel).toMatch(/Error: Command was killed because the sandbox ran out of memory/)
    const gone = await runShellCommandTool.execute(
      {command: 'x', is_background: false},
      context(createFakeSession(() => ({result: {exitCode: null, containerGone: true}}))),
    )
    expect(gone.forModel).toMatch(/Error: The sandbox container went away/)
    expect(gone.error?.kind).toBe('execution_failed')
  })

  it('backgrounds: no timeout, the PIDs listed, [background] for the user; a trailing & too', async () => {
    const session = createFakeSession(() => ({
      result: {backgroundPids: [41, 42], backgroundLog: '/tmp/sandbox-agent/bg-job-1.log'},
    }))
    const result = await runShellCommandTool.execute({command: 'npm run dev', is_background: true}, context(session))
    expect(session.calls[0]!.options).toMatchObject({background: true})
    expect(session.calls[0]!.options.timeoutMs).toBeUndefined()
    expect(result.forModel).toContain('Background PIDs: 41, 42\nOutput File: /tmp/sandbox-agent/bg-job-1.log (')
    expect(result.forUser).toContain('npm run dev [background]')
    expect(result.forUser).toContain('output in /tmp/sandbox-agent/bg-job-1.log')
    await runShellCommandTool.execute({command: 'npm run dev &', is_background: false}, context(session))
    expect(session.calls[1]).toMatchObject({command: 'npm run dev', options: {background: true}})
  })

  it('uses the session result when it reports no live events', async () => {
    const session = createFakeSession(() => ({result: {stdout: 'from result'}}))
    const result = await runShellCommandTool.execute({command: 'x', is_background: false}, context(session))
    expect(result.forModel).toContain('Stdout: from result\n')
  })

  it('gives the interactive shell a TTY and the pager; strips colours unless showColor', async () => {
    const session = createFakeSession(() => ({output: [{stream: 'stdout', chunk: '\u001b[31mred\u001b[0m\n'}]}))
    const progress: ToolProgress[] = []
    const tool = createRunShellCommandTool({shell: {enableInteractiveShell: true, pager: 'less -R'}})
    const result = await tool.execute({command: 'x', is_background: false}, context(session, progress))
    expect(session.calls[0]!.options).toMatchObject({tty: true, env: {QWEN_CODE: '1', PAGER: 'less -R'}})
    expect(progress[0]!.chunk).toBe('red\n')
    expect(result.forModel).toContain('Stdout: red\n')
    const colored: ToolProgress[] = []
    await createRunShellCommandTool({shell: {enableInteractiveShell: true, showColor: true}}).execute(
      {command: 'x', is_background: false},
      context(session, colored),
    )
    expect(colored[0]!.chunk).toBe('\u001b[31mred\u001b[0m\n')
  })
})

describe('permission rules', () => {
  it('refuses with a result (not an exception) naming the matching rule, and runs nothing', async () => {
    const session = createFakeSession()
    const tool = shellToolFromSettings({core: ['run_shell_command(git)'], exclude: ['run_shell_command(git push)']})
    const result = await tool.execute({command: 'git push origin main', is_background: false}, context(session))
    expect(result.error?.kind).toBe('refused')
    expect(result.forModel).toBe(
      'Command "git push origin main" was denied by permission rules. Matching deny rule: "run_shell_command(git push)".',
    )
    expect(session.calls).toEqual([])
  })

  it('names the part that is not in tools.core', async () => {
    const tool = shellToolFromSettings({core: ['run_shell_command(git)']})
    const result = await tool.execute(
      {command: 'git status && rm -rf x', is_background: false},
      context(createFakeSession()),
    )
    expect(result.forModel).toMatch(/"rm -rf x" is not in tools.core/)
  })

  it('runs what is allowed', async () => {
    const session = createFakeSession()
    const tool = shellToolFromSettings({core: ['run_shell_command(git)', 'run_shell_command(npm)']})
    expect(
      (await tool.execute({command: 'git status && npm test', is_background: false}, context(session))).error,
    ).toBeUndefined()
    expect(session.calls).toHaveLength(1)
  })
})

describe('long output', () => {
  const lines = (n: number, prefix = 'line') => Array.from({length: n}, (_, i) => `${prefix} ${i + 1}\n`).join('')

  function run(output: ScriptedExec['output'], limits?: {maxChars?: number; maxLines?: number; spillBytes?: number}) {
    const session = createFakeSession(() => ({output}))
    const tool = createRunShellCommandTool({limits, callId: () => 'call-1'})
    return {session, result: tool.execute({command: 'gen', is_background: false}, context(session))}
  }

  it('cuts over 1,000 lines for the model, keeps head and tail, marks the cut, and saves everything', async () => {
    const text = lines(5000)
    const {session, result} = run([{stream: 'stdout', chunk: text}])
    const {forModel} = await result
    expect(forModel).toContain('Stdout: line 1\n')
    expect(forModel).toContain('line 500\n[... 4,000 lines')
    expect(forModel).toContain('line 4501\n')
    expect(forModel).toContain('line 5000\nStderr: (empty)')
    expect(forModel).not.toContain('line 2500\n')
    expect(forModel).toContain('the full output is in /tmp/sandbox-agent/output/call-1-stdout.log')
    expect(session.files.get('/tmp/sandbox-agent/output/call-1-stdout.log')?.toString()).toBe(text)
  })

  it('cuts over 25,000 characters even on few lines', async () => {
    const text = 'x'.repeat(100_000)
    const {forModel} = await run([{stream: 'stdout', chunk: text}]).result
    expect(forModel.length).toBeLessThan(26_000)
    expect(forModel).toContain('(75,000 characters) cut here')
  })

  it('leaves output within both limits alone and saves nothing', async () => {
    const {session, result} = run([{stream: 'stdout', chunk: lines(1000)}])
    expect((await result).forModel).not.toContain('cut here')
    expect(session.files.size).toBe(0)
  })

  it('shares the budget: a short stderr is kept whole next to a long stdout', async () => {
    const {result} = run([
      {stream: 'stdout', chunk: lines(3000)},
      {stream: 'stderr', chunk: 'one warning\n'},
    ])
    const {forModel} = await result
    expect(forModel).toContain('Stderr: one warning\n')
    expect(forModel).toContain('line 2999\n')
  })

  it('never loses the middle when large output is spilled into the sandbox in parts', async () => {
    const chunks = Array.from({length: 50}, (_, i) => ({stream: 'stdout' as const, chunk: lines(100, `chunk${i}`)}))
    const {session, result} = run(chunks, {spillBytes: 4096})
    const {forModel} = await result
    const saved = session.files.get('/tmp/sandbox-agent/output/call-1-stdout.log')?.toString()
    expect(saved).toBe(chunks.map((c) => c.chunk).join(''))
    expect([...session.files.keys()].filter((k) => k.includes('.part'))).toEqual([])
    expect(forModel).toContain('chunk0 1\n')
    expect(forModel).toContain('chunk49 100\n')
  })

  it('creates the output directory when writing fails the first time', async () => {
    const session = createFakeSession(() => ({output: [{stream: 'stdout', chunk: lines(2000)}]}))
    session.failWrites(1)
    const tool = createRunShellCommandTool({callId: () => 'c2'})
    const {forModel} = await tool.execute({command: 'gen', is_background: false}, context(session))
    expect(session.calls.some((c) => c.command === "mkdir -p '/tmp/sandbox-agent/output'")).toBe(true)
    expect(forModel).toContain('/tmp/sandbox-agent/output/c2-stdout.log')
    expect(session.files.has('/tmp/sandbox-agent/output/c2-stdout.log')).toBe(true)
  })

  it('survives a full /tmp while spilling: says so, removes what it stored, and still returns the result', async () => {
    const chunks = Array.from({length: 50}, (_, i) => ({stream: 'stdout' as const, chunk: lines(100, `chunk${i}`)}))
    const session = createFakeSession(() => ({output: chunks, result: {exitCode: 3}}))
    session.limitDisk(10_000)
    const tool = createRunShellCommandTool({limits: {spillBytes: 4096}, callId: () => 'full'})
    const {forModel, forUser} = await tool.execute({command: 'gen', is_background: false}, context(session))
    expect(forModel).toContain('the full output could not be saved: ENOSPC: no space left on device')
    expect(forModel).toContain('chunk49 100\n')
    expect(forModel).toMatch(/^Exit Code: 3$/m)
    expect(forUser).toContain('full output not saved: ENOSPC')
    expect(session.files.size).toBe(0)
  })

  it('saves at most the configured bytes of a flood and says the rest was not saved', async () => {
    const text = lines(5000)
    const session = createFakeSession(() => ({output: [{stream: 'stdout', chunk: text}]}))
    const tool = createRunShellCommandTool({limits: {spillBytes: 4096, maxSavedBytes: 10_000}, callId: () => 'cap'})
    const {forModel} = await tool.execute({command: 'gen', is_background: false}, context(session))
    const file = '/tmp/sandbox-agent/output/cap-stdout.log'
    expect(session.files.get(file)?.toString()).toBe(text.slice(0, 10_000))
    expect(forModel).toContain(`the first 10,000 bytes of the output are in ${file} (the rest was not saved)`)
  })

  it('says so when the full output cannot be saved', async () => {
    const session = createFakeSession(() => ({output: [{stream: 'stdout', chunk: lines(2000)}]}))
    session.failWrites(2)
    const {forModel} = await createRunShellCommandTool().execute(
      {command: 'gen', is_background: false},
      context(session),
    )
    expect(forModel).toContain('the full output could not be saved')
  })
})
