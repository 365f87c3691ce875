// Property: whatever "always allow" lets run unasked, the tools.core checker (same parser) allows under the same prefixes.
import {describe, expect, it} from 'vitest'

import {checkShellCommand, compileShellRules} from '../tools/shell/shell-permissions.js'
import {coveredByPrefixes, followShellCommand, shellAlwaysPrefixes} from './shell-approval.js'

/** A small seeded generator (mulberry32), so a failure names the seed that reproduces it. */
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const PROGRAMS = ['git log', 'git status', 'ls', 'grep x', 'rm -rf ~', 'cat f', 'npm test', 'curl x', 'echo hi']
const ARGUMENTS = [
  '',
  ' -la',
  ' --oneline',
  " 'a b'",
  ' "c d"',
  ' $(rm -rf ~)',
  ' "$(rm x)"',
  ' `rm x`',
  ' <(rm x)',
  ' >(rm x)',
  ' $HOME',
  ' ${X}',
  ' *.ts',
  ' > out.txt',
  ' >> ~/.bashrc',
  ' 2>&1',
  ' > /dev/null',
  ' < in.txt',
  ' 2> $(rm x)',
  " <<< 'x'",
  ' \\; x',
  ' #comment',
]
const WRAPPERS = ['', '', '', '', 'FOO=1 ', 'env ', 'xargs ', 'eval ', "bash -c 'rm x' ", 'sudo ', 'command ', '\\\n']
const JOINERS = [' && ', ' || ', '; ', ' | ', ' & ', '\n', ' |& ']

function generate(next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!
  const simple = () => pick(WRAPPERS) + pick(PROGRAMS) + pick(ARGUMENTS) + (next() < 0.3 ? pick(ARGUMENTS) : '')
  const group = (): string => {
    const roll = next()
    if (roll < 0.08) return `(${simple()})`
    if (roll < 0.14) return `{ ${simple()}; }`
    if (roll < 0.18) return `if ${simple()}; then ${simple()}; fi`
    if (roll < 0.21) return `for i in a b; do ${simple()}; done`
    if (roll < 0.23) return `${simple()} "unterminated`
    return simple()
  }
  let line = group()
  const parts = Math.floor(next() * 4)
  for (let i = 0; i < parts; i++) line += pick(JOINERS) + group()
  return line + (next() < 0.1 ? ' &' : '')
}

describe('shell approvals and tools.core agree', () => {
  it('every generated command approvals would auto-allow is one checkShellCommand parses and allows', () => {
    const prefixes = new Set(['git log', 'ls', 'grep', 'cat', 'echo'])
    const rules = compileShellRules({core: [...prefixes].map((p) => `run_shell_command(${p})`)})
    let covered = 0
    let asked = 0
    for (let seed = 1; seed <= 5000; seed++) {
      const command = generate(random(seed))
      if (!coveredByPrefixes(command, prefixes)) {
        asked++
        continue
      }
      covered++
      const verdict = checkShellCommand(command, rules)
      expect(verdict, `seed ${seed}: ${JSON.stringify(command)}`).toEqual({allowed: true})
      expect(followShellCommand(command).ok, `seed ${seed}`).toBe(true)
      for (const prefix of shellAlwaysPrefixes(command)) expect(prefixes.has(prefix), `seed ${seed}`).toBe(true)
    }
    // Both outcomes occur, so the property is exercised rather than vacuously true.
    expect(covered).toBeGreaterThan(100)
    expect(asked).toBeGreaterThan(1000)
  })

  it('never auto-allows a generated command that runs rm, whatever surrounds it', () => {
    const prefixes = new Set(['git log', 'ls', 'grep', 'cat', 'echo'])
    for (let seed = 1; seed <= 5000; seed++) {
      const command = generate(random(seed))
      // Quoted text is data and a comment runs nothing; any other rm is a command.
      if (/\brm\b/.test(command.replace(/'[^']*'|"[^"$`]*"| #[^\n]*/g, ''))) {
        expect(coveredByPrefixes(command, prefixes), `seed ${seed}: ${JSON.stringify(command)}`).toBe(false)
      }
    }
  })
})
