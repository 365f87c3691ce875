// Two `--reuse` runs of one project with a pause between: the first plants something in the warm container, the second
// looks at what the next run finds there; the project's containers are listed after each.
import {setTimeout as sleep} from 'node:timers/promises'

import {attackScript, containersOf, type AttackRun, type AttackSuite, type ShellCall} from './attack-run.js'

export interface ReusedRuns {
  first: AttackRun
  /** Its one tool call is `look`. */
  second: AttackRun
  /** The project's containers after the first run, and after the second (the same one when it was reused). */
  before: string[]
  after: string[]
}

export async function reuseTwice(
  suite: AttackSuite,
  project: string,
  steps: {plant: ShellCall; pauseMs: number; look: string[]},
): Promise<ReusedRuns> {
  const args = ['--approval-mode', 'yolo', '--reuse']
  const first = await suite.run(project, attackScript([steps.plant]), {args})
  const before = await containersOf(project)
  await sleep(steps.pauseMs)
  const second = await suite.run(project, attackScript([{id: 'look', command: steps.look.join('; ')}]), {args})
  return {first, second, before, after: await containersOf(project)}
}
