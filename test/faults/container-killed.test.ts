// The sandbox container is killed mid-command: the tool result says so, the run ends, and nothing the agent did is lost.
import fs from 'node:fs/promises'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  createFaultEnv,
  errorLines,
  exec,
  sessionContainers,
  sessionIdOf,
  shell,
  type FaultEnv,
} from './helpers/fault-env.js'

let env: FaultEnv

beforeAll(async () => {
  env = await createFaultEnv()
})

afterAll(async () => {
  await env?.[Symbol.asyncDispose]()
})

describe('the sandbox container is killed while a command runs', () => {
  it('reports it, ends the run, applies nothing, and keeps the changes for agent diff / agent apply', async () => {
    const project = await env.project({'a.txt': 'original\n'})
    env.server.setScript([
      {toolCalls: [shell('c1', 'echo changed > a.txt && echo new > b.txt && echo started && sleep 60')]},
      // Never asked for: a dead container ends the run instead of letting the model try again.
      {toolCalls: [shell('c2', 'echo again')]},
      {text: 'never'},
    ])
    let killed: Promise<unknown> | undefined
    const result = await env.run(['run', '--apply', 'change things'], {
      cwd: project,
      onStderr: (stderr) => {
        if (killed || !stderr.includes('│ started')) return
        const id = sessionIdOf(stderr)
        env.keptSession(id)
        killed = exec('sh', ['-c', `docker kill $(docker ps -q --filter label=dev.sandbox-agent.session-id=${id})`])
      },
    })
    await killed
    const id = sessionIdOf(result.stderr)

    // The tool result says what happened, the run ends at once with one summary line and a way to get the changes.
    expect(result.stderr).toMatch(/✗ .*The sandbox container went away while the command ran/)
    expect(result.stderr).toMatch(
      /^Failed: The sandbox container stopped while a command ran \(killed, or Docker went away\)/m,
    )
    expect(result.stderr).toContain(`It is kept: review with \`agent diff ${id}\`, then \`agent apply ${id}\``)
    expect(errorLines(result.stderr)).toEqual([])
    expect(result.exitCode).toBe(1)
    expect(env.server.stepsUsed).toBe(1)

    // --apply did not apply anything from a broken run.
    expect(await fs.readFile(path.join(project, 'a.txt'), 'utf8')).toBe('original\n')
    await expect(fs.access(path.join(project, 'b.txt'))).rejects.toThrow()
    expect(await sessionContainers(id)).toEqual([{name: `sandbox-agent-${id}--kept`, state: 'exited'}])

    // The killed container is restarted for the diff and the apply: the work done before the kill is all there.
    const diff = await env.run(['diff', id], {cwd: project})
    expect(diff.exitCode).toBe(0)
    expect(diff.stdout).toContain('+changed')
    expect(diff.stdout).toContain('+++ b/b.txt')
    const apply = await env.run(['apply', id], {cwd: project})
    expect(apply.exitCode).toBe(0)
    expect(await fs.readFile(path.join(project, 'a.txt'), 'utf8')).toBe('changed\n')
    expect(await fs.readFile(path.join(project, 'b.txt'), 'utf8')).toBe('new\n')
    expect(await sessionContainers(id)).toEqual([])
  })
})
