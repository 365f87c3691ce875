// agent batch on the local engine: a dozen tasks in real containers driven by the scripted model; patches that git
// apply, a shared model client (concurrency cap, one 429 pauses every task), resume after Ctrl-C, nothing left running.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {BatchSuite, containersUnder, exec, results, taskOf, waitFor} from './helpers/batch-suite.js'

const suite = new BatchSuite()
const leftovers = async () => [
  ...(await containersUnder(path.join(os.tmpdir(), 'batch-project-'))),
  ...(await containersUnder(path.join(os.tmpdir(), 'agent-batch-'))),
]

beforeAll(() => suite.start(), 60_000)
afterAll(() => suite.stop())

describe('agent batch (docker engine)', () => {
  it('runs a dozen tasks four at a time: transcripts, git-apply-able patches, results.jsonl, host untouched', async () => {
    const binary = Buffer.from([0, 1, 2, 3, 255])
    const projects = Array.from({length: 11}, (_, i) =>
      suite.project({'README.md': `project ${i}\n`, 'data.bin': binary, 'old.txt': 'to be removed\n'}),
    )
    const repo = await suite.repo({'README.md': 'a repository\n'})
    const tasks = [
      ...projects.map((dir, i) => ({id: `t${i}`, cwd: dir, prompt: `TASK t${i}: write out-t${i}.txt`})),
      {id: 'from-repo', repo: `file://${repo}`, prompt: 'TASK from-repo: write a file'},
    ]
    suite.script = (id) => ({
      command:
        id === 't0'
          ? // text, binary, a deletion and a mode change in one task
            `echo t0 > out-t0.txt && printf '\\000\\011\\377' > data.bin && rm old.txt && chmod +x README.md`
          : `echo ${id} > out-${id}.txt`,
    })
    const out = suite.tempDir('batch-out-')
    const before = suite.server.chatRequests().length
    // Each answer takes a moment, so the four tasks' requests would overlap without the shared client's cap.
    suite.answerDelayMs = 400
    const run = await suite.batch([suite.tasksFile(tasks), '--out', out, '--parallel', '4', '--model-concurrency', '2'])
    suite.answerDelayMs = 0
    expect(run.code, run.stderr).toBe(0)
    // one model client for all: never more than --model-concurrency requests at once (each task made two)
    expect(suite.server.maxInFlight).toBeLessThanOrEqual(2)

    const lines = results(out)
    expect(lines.map((line) => line.id).sort()).toEqual(tasks.map((task) => task.id).sort())
    expect(lines.every((line) => line.status === 'success' && line.attempts === 1)).toBe(true)
    // plain progress lines (stderr is not a terminal): one per task, and the summary
    expect(run.stderr).toMatch(/\[12\/12\] \S+ success/)
    expect(run.stderr).toContain('Done: 12 succeeded, 0 failed')

    for (const task of tasks) {
      const dir = path.join(out, task.id)
      const transcript = fs.readFileSync(path.join(dir, 'transcript.jsonl'), 'utf8').trim().split('\n')
      const types = transcript.map((line) => (JSON.parse(line) as {type: string}).type)
      expect(types[0]).toBe('system')
      expect(types.at(-1)).toBe('result')
      const result = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as {
        result: {subtype: string; result: string}
      }
      expect(result.result).toMatchObject({subtype: 'success', result: `done ${task.id}`})
    }

    // Each patch applies with git to a copy of its project and gives the sandbox's files; the projects are unchanged.
    for (const [i, dir] of projects.entries()) {
      expect(fs.existsSync(path.join(dir, `out-t${i}.txt`))).toBe(false)
      const copy = suite.tempDir('batch-apply-')
      fs.cpSync(dir, copy, {recursive: true})
      await exec('git', ['apply', '--whitespace=nowarn', path.join(out, `t${i}`, 'changes.patch')], {cwd: copy})
      expect(fs.readFileSync(path.join(copy, `out-t${i}.txt`), 'utf8')).toBe(`t${i}\n`)
    }
    const t0 = suite.tempDir('batch-apply-')
    fs.cpSync(projects[0]!, t0, {recursive: true})
    await exec('git', ['apply', path.join(out, 't0', 'changes.patch')], {cwd: t0})
    expect(fs.readFileSync(path.join(t0, 'data.bin'))).toEqual(Buffer.from([0, 9, 255]))
    expect(fs.existsSync(path.join(t0, 'old.txt'))).toBe(false)
    expect(fs.statSync(path.join(t0, 'README.md')).mode & 0o111).not.toBe(0)
    expect(fs.readFileSync(path.join(projects[0]!, 'data.bin'))).toEqual(binary)
    expect(fs.readFileSync(path.join(out, 'from-repo', 'changes.patch'), 'utf8')).toContain('+++ b/out-from-repo.txt')

    expect(suite.server.chatRequests().length - before).toBe(24)
    expect(await leftovers()).toEqual([])
  }, 240_000)

  it('a 429 to one task pauses every task until its retry-after has passed', async () => {
    const projects = Array.from({length: 9}, () => suite.project({'README.md': 'x\n'}))
    const tasks = projects.map((dir, i) => ({id: `r${i}`, cwd: dir, prompt: `TASK r${i}: write a file`}))
    suite.script = (id) => ({command: `echo ${id} > out.txt`})
    let limited: number | undefined
    const start = suite.server.chatRequests().length
    // The third request of the run gets one 429 (retry-after 3 s); every other request is answered.
    suite.fault = () => {
      if (limited !== undefined || suite.server.chatRequests().length - start < 3) return undefined
      limited = Date.now()
      return {fault: {kind: 'http', status: 429, retryAfter: 3}}
    }
    const out = suite.tempDir('batch-out-')
    const run = await suite.batch([suite.tasksFile(tasks), '--out', out, '--parallel', '3', '--model-concurrency', '3'])
    suite.fault = undefined
    expect(run.code, run.stderr).toBe(0)
    expect(limited).toBeDefined()
    // Requests that reached the server during the pause: only ones already sent when the 429 arrived (at most the
    // other two slots); without the shared pause the other tasks go on asking.
    const during = suite.server
      .chatRequests()
      .slice(start)
      .filter((request) => request.at > limited! && request.at < limited! + 3000)
    expect(during.length, during.map((request) => taskOf(request.body!)).join(',')).toBeLessThanOrEqual(2)
    expect(run.stderr).toContain('every task waits 3.0s')
    expect(results(out).every((line) => line.status === 'success')).toBe(true)
  }, 240_000)

  it('Ctrl-C once lets running tasks finish; twice cancels them; a re-run does only what is not done', async () => {
    const projects = Array.from({length: 6}, () => suite.project({'README.md': 'x\n'}))
    const tasks = projects.map((dir, i) => ({id: `s${i}`, cwd: dir, prompt: `TASK s${i}: work`}))
    const file = suite.tasksFile(tasks)
    const out = suite.tempDir('batch-out-')
    const asked = () => new Set(suite.server.chatRequests().map((request) => taskOf(request.body!)))

    // 1. Two tasks run (each takes a moment); one Ctrl-C: both finish and are recorded, no third one starts.
    suite.script = (id) => ({command: `echo ${id} > out.txt; sleep 3`})
    const first = suite.spawnBatch([file, '--out', out, '--parallel', '2'])
    await waitFor(() => (first.stderr().match(/^start /gm) ?? []).length === 2)
    first.kill('SIGINT')
    expect(await first.exited, first.stderr()).toBe(130)
    expect(first.stderr()).toContain('no new task starts')
    const done1 = results(out)
    expect(done1.map((line) => line.status)).toEqual(['success', 'success'])
    expect(first.stderr()).toContain('Done: 2 succeeded, 0 failed, 4 not done')

    // 2. The re-run skips those two; two more start and hang; Ctrl-C twice cancels them: not done, sandboxes removed.
    suite.script = (id) => ({command: `echo ${id} > out.txt; sleep 600`})
    const second = suite.spawnBatch([file, '--out', out, '--parallel', '2'])
    await waitFor(
      async () => (await leftovers()).length === 2 && (second.stderr().match(/^start /gm) ?? []).length === 2,
    )
    expect(second.stderr()).toContain('2 of 6 tasks already done')
    second.kill('SIGINT')
    await waitFor(() => second.stderr().includes('no new task starts'))
    second.kill('SIGINT')
    expect(await second.exited, second.stderr()).toBe(130)
    expect(second.stderr()).toMatch(/canceled s\d \(not done/)
    expect(results(out)).toEqual(done1)
    expect(await leftovers()).toEqual([])

    // 3. The last run does the four others and nothing again: the two done tasks never reach the model again.
    const askedBefore = suite.server.chatRequests().length
    suite.script = (id) => ({command: `echo ${id} > out.txt`})
    const third = await suite.batch([file, '--out', out, '--parallel', '2'])
    expect(third.code, third.stderr).toBe(0)
    const thirdAsked = new Set(
      suite.server
        .chatRequests()
        .slice(askedBefore)
        .map((request) => taskOf(request.body!)),
    )
    for (const line of done1) expect(thirdAsked.has(line.id)).toBe(false)
    expect(asked().size).toBeGreaterThanOrEqual(6)
    const final = results(out)
    expect(final.map((line) => line.id).sort()).toEqual(tasks.map((task) => task.id).sort())
    expect(final.every((line) => line.status === 'success')).toBe(true)
    expect(await leftovers()).toEqual([])
  }, 240_000)

  it('a bad tasks file is one error naming each bad line, exit 2, and nothing runs', async () => {
    const file = path.join(suite.tempDir('batch-bad-'), 'tasks.jsonl')
    fs.writeFileSync(file, '{"id": "a", "prompt": "x"}\nnot json\n{"id": "../b", "cwd": ".", "prompt": "x"}\n')
    const run = await suite.batch([file, '--out', suite.tempDir('batch-out-')])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`${file}:1: give exactly one of "cwd" and "repo"`)
    expect(run.stderr).toContain(`${file}:2: not a JSON object`)
    expect(run.stderr).toContain(`${file}:3: id:`)
  })
})
