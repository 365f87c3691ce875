// Leftovers, end to end: background processes and the session's container are gone after a run, after Ctrl-C, and
// after SIGKILL of the CLI once the next start has reported the orphan and `agent sandbox prune` has removed it.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  AttackSuite,
  attackScript,
  containersOf,
  exec,
  hostProcesses,
  parseRun,
  shellCall,
  spawnRun,
  volumesOf,
  waitFor,
} from './helpers/attack-run.js'

const suite = new AttackSuite()

beforeAll(() => suite.start())
afterAll(() => suite.stop())

/** A distinctive `sleep` per test: a container's processes are host processes, so `ps` on the host finds them. */
const marker = (n: number) => `${986_000 + Math.floor(Math.random() * 900) * 10 + n}`

/** Every way a command can leave something running: &, nohup + setsid, a double fork, and a background call. */
function leaveBehind(m: string) {
  return [
    shellCall({id: 'amp', command: `sleep ${m}1 & echo left`}),
    shellCall({id: 'setsid', command: `nohup setsid sleep ${m}2 >/dev/null 2>&1 & echo left`}),
    shellCall({id: 'daemon', command: `( ( sleep ${m}3 & ) & ) ; echo left`}),
    shellCall({id: 'bg', command: `sleep ${m}4`, background: true}),
  ]
}

/** A run (yolo) that leaves four processes behind and then waits in a fifth, `sleep <m>5`, once that one runs. */
async function startRunLeavingProcesses(m: string) {
  const project = suite.project({})
  const cli = spawnRun(
    suite,
    project,
    [{toolCalls: [...leaveBehind(m), shellCall({id: 'wait', command: `sleep ${m}5`})]}, {text: 'never'}],
    ['--yolo'],
  )
  await waitFor(async () => (await hostProcesses(`sleep ${m}5`)).length > 0)
  return {project, cli}
}

describe('nothing is left behind (agent run, real container)', () => {
  it('removes background processes and the container at the end of a run, or keeps it stopped with --keep', async () => {
    const m = marker(0)
    const project = suite.project({'a.txt': 'a\n'})
    const run = await suite.run(project, [
      {toolCalls: [...leaveBehind(m), shellCall({id: 'ps', command: `ps -eo args | grep -c "[s]leep ${m}"`})]},
      {text: 'done'},
    ])
    expect(run.cli.exitCode).toBe(0)
    expect(run.tools.ps).toMatch(/^Stdout: 4$/m)
    expect(await containersOf(project)).toEqual([])
    expect(await volumesOf(project)).toEqual([])
    expect(await hostProcesses(`sleep ${m}`)).toEqual([])

    const k = marker(1)
    const kept = await suite.run(
      project,
      [{toolCalls: [...leaveBehind(k), shellCall({id: 'edit', command: 'echo b >> a.txt'})]}, {text: 'done'}],
      {args: ['--approval-mode', 'yolo', '--keep']},
    )
    expect(kept.cli.exitCode).toBe(0)
    const [container] = await containersOf(project)
    const {stdout: state} = await exec('docker', ['inspect', '-f', '{{.State.Status}} {{.Name}}', container!])
    expect(state.trim()).toBe(`exited /sandbox-agent-${kept.sessionId}--kept`)
    expect(await hostProcesses(`sleep ${k}`)).toEqual([])
    const discard = await suite.cli(['discard', kept.sessionId], project)
    expect(discard.exitCode).toBe(0)
    expect(await containersOf(project)).toEqual([])
  })

  it('Ctrl-C: the running command, background processes and the container are all gone', async () => {
    const m = marker(2)
    const {project, cli} = await startRunLeavingProcesses(m)
    expect(await hostProcesses(`sleep ${m}`)).toHaveLength(5)
    cli.kill('SIGINT') // stops the running command
    await waitFor(() => /"tool_use_id":"wait"/.test(cli.stdout()))
    cli.kill('SIGINT') // ends the run (the model may be answering already)
    // 130 when the second Ctrl-C ended the run; 0 when the run had already finished by itself; killed by SIGINT when
    // it came after the run's own handlers were gone (the container was removed by then).
    const {code, signal} = await cli.exited
    expect(code === 0 || code === 130 || signal === 'SIGINT').toBe(true)
    expect(
      parseRun({exitCode: code, signal: null, stdout: cli.stdout(), stderr: '', durationMs: 0}).tools.wait,
    ).toMatch(/cancelled by user/i)
    expect(await containersOf(project)).toEqual([])
    expect(await hostProcesses(`sleep ${m}`)).toEqual([])
  })

  it('SIGKILL of the CLI: the next run reports the orphan, `agent sandbox prune --label` removes it', async () => {
    const m = marker(3)
    const {project, cli} = await startRunLeavingProcesses(m)
    cli.kill('SIGKILL')
    expect((await cli.exited).signal).toBe('SIGKILL')
    // Nobody could clean up: the container and its processes are still there, owned by a dead process.
    const [orphan] = await containersOf(project)
    expect(orphan).toBeDefined()
    expect(await hostProcesses(`sleep ${m}`)).toHaveLength(5)
    const label = `dev.sandbox-agent.workspace=${project}`

    const ls = await suite.cli(['sandbox', 'ls', '--json', '--label', label], project)
    const listed = JSON.parse(ls.stdout) as {containers: {id: string; owner: string; sessionId: string}[]}
    expect(listed.containers).toEqual([expect.objectContaining({owner: 'orphan'})])
    const sessionId = listed.containers[0]!.sessionId

    const next = await suite.run(project, attackScript([{id: 'hello', command: 'echo hello'}]))
    expect(next.cli.exitCode).toBe(0)
    expect(next.cli.stderr).toMatch(
      new RegExp(`left behind by an agent process that is gone \\(session [^)]*${sessionId}`),
    )
    expect(next.cli.stderr).toContain('`agent sandbox prune` removes them')

    const prune = await suite.cli(['sandbox', 'prune', '--label', label], project)
    expect(prune.exitCode).toBe(0)
    expect(prune.stdout).toMatch(new RegExp(`removed container \\w+ \\(session ${sessionId}\\)`))
    expect(await containersOf(project)).toEqual([])
    expect(await volumesOf(project)).toEqual([])
    expect(await hostProcesses(`sleep ${m}`)).toEqual([])
  })
})
