// --reuse carries nothing from one run into the next: processes of the agent user (however detached), files planted in
// home, /tmp and /dev/shm, and what a surviving loop would write are all gone before the next run's first command.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AttackSuite, containersOf, outputOf, shellCall, stdoutOf, type AttackRun} from './helpers/attack-run.js'

const suite = new AttackSuite()
let first: AttackRun
let second: AttackRun
let before: string[]
let after: string[]

/** Starts writing into the workspace only after the first run has ended (so that run has no change to keep). */
const LOOP = `setsid bash -c 'sleep 4; while true; do date +%s%N > /workspace/loop.txt; sleep 0.2; done' </dev/null >/dev/null 2>&1 &`

beforeAll(async () => {
  await suite.start()
  const project = suite.project({'README.md': 'hello\n'})
  const args = ['--approval-mode', 'yolo', '--reuse']
  first = await suite.run(
    project,
    [
      {
        toolCalls: [
          shellCall({
            id: 'plant',
            command: [
              LOOP,
              "(setsid sh -c 'exec sleep 100000' </dev/null >/dev/null 2>&1 &)",
              'printf "[alias]\\n\\tst = !touch /tmp/pwned\\n" > ~/.gitconfig',
              'echo planted > /tmp/planted',
              'echo planted > /dev/shm/planted',
              'mkdir -p ~/locked/inner /tmp/locked && touch ~/locked/inner/f && chmod 000 ~/locked /tmp/locked',
              'echo planted-ok',
            ].join('\n'),
          }),
        ],
      },
      {text: 'done'},
    ],
    {args},
  )
  before = await containersOf(project)
  // Long enough for the loop to have written, had it survived.
  await new Promise((resolve) => setTimeout(resolve, 5000))
  second = await suite.run(
    project,
    [
      {
        toolCalls: [
          shellCall({
            id: 'look',
            command: [
              'sleep 1',
              // The bracket keeps this command's own line from matching.
              `echo "procs: $(ps -U 1000 -o args= | grep -e 'sleep 10000[0]' -e 'date +%s%[N]' | tr '\\n' '|')"`,
              'echo "home: $(ls -A ~ | tr "\\n" " ")"',
              'echo "tmp: $(ls -A /tmp | grep -v "^sandbox-agent$" | tr "\\n" " ")"',
              'echo "shm: $(ls -A /dev/shm | tr "\\n" " ")"',
              'echo "loop: $(ls /workspace/loop.txt 2>&1)"',
            ].join('; '),
          }),
        ],
      },
      {text: 'done'},
    ],
    {args},
  )
  after = await containersOf(project)
}, 240_000)

afterAll(async () => {
  await suite.stop()
})

describe('--reuse', () => {
  it('reuses the warm container (the premise of the attack)', () => {
    expect(stdoutOf(first.tools.plant)).toContain('planted-ok')
    expect(first.final?.changed_files).toEqual([])
    expect(before).toHaveLength(1)
    expect(after).toEqual(before)
  })

  it('kills every process of the agent user, however detached', () => {
    const out = outputOf(second.tools.look)
    expect(out).toMatch(/^procs: $/m)
  })

  it('empties home, /tmp and /dev/shm (no .gitconfig, no planted files)', () => {
    const out = outputOf(second.tools.look)
    expect(out).toMatch(/^home: $/m)
    expect(out).toMatch(/^tmp: $/m)
    expect(out).toMatch(/^shm: $/m)
  })

  it("reports nothing the old loop wrote as the next run's change", () => {
    expect(outputOf(second.tools.look)).toMatch(/^loop: ls: cannot access/m)
    expect(second.final?.changed_files).toEqual([])
    expect(second.final?.subtype).toBe('success')
  })
})
