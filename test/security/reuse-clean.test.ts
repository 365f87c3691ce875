// --reuse carries nothing from one run into the next: processes of the agent user (however detached), files planted in
// home, /tmp and /dev/shm, and what a surviving loop would write are all gone before the next run's first command.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {AttackSuite, outputOf, stdoutOf} from './helpers/attack-run.js'
import {reuseTwice, type ReusedRuns} from './helpers/reuse-twice.js'

const suite = new AttackSuite()
let runs: ReusedRuns

/** Starts writing into the workspace only after the first run has ended (so that run has no change to keep). */
const LOOP = `setsid bash -c 'sleep 4; while true; do date +%s%N > /workspace/loop.txt; sleep 0.2; done' </dev/null >/dev/null 2>&1 &`

beforeAll(async () => {
  await suite.start()
  runs = await reuseTwice(suite, suite.project({'README.md': 'hello\n'}), {
    plant: {
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
    },
    // Long enough for the loop to have written, had it survived.
    pauseMs: 5000,
    look: [
      'sleep 1',
      // The bracket keeps this command's own line from matching.
      `echo "procs: $(ps -U 1000 -o args= | grep -e 'sleep 10000[0]' -e 'date +%s%[N]' | tr '\\n' '|')"`,
      'echo "home: $(ls -A ~ | tr "\\n" " ")"',
      'echo "tmp: $(ls -A /tmp | grep -v "^sandbox-agent$" | tr "\\n" " ")"',
      'echo "shm: $(ls -A /dev/shm | tr "\\n" " ")"',
      'echo "loop: $(ls /workspace/loop.txt 2>&1)"',
    ],
  })
}, 240_000)

afterAll(async () => {
  await suite.stop()
})

describe('--reuse', () => {
  it('reuses the warm container (the premise of the attack)', () => {
    expect(stdoutOf(runs.first.tools.plant)).toContain('planted-ok')
    expect(runs.first.final?.changed_files).toEqual([])
    expect(runs.before).toHaveLength(1)
    expect(runs.after).toEqual(runs.before)
  })

  it('kills every process of the agent user, however detached', () => {
    const out = outputOf(runs.second.tools.look)
    expect(out).toMatch(/^procs: $/m)
  })

  it('empties home, /tmp and /dev/shm (no .gitconfig, no planted files)', () => {
    const out = outputOf(runs.second.tools.look)
    expect(out).toMatch(/^home: $/m)
    expect(out).toMatch(/^tmp: $/m)
    expect(out).toMatch(/^shm: $/m)
  })

  it("reports nothing the old loop wrote as the next run's change", () => {
    expect(outputOf(runs.second.tools.look)).toMatch(/^loop: ls: cannot access/m)
    expect(runs.second.final?.changed_files).toEqual([])
    expect(runs.second.final?.subtype).toBe('success')
  })
})
