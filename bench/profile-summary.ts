// Summarizes a .cpuprofile (from `node --cpu-prof`): top functions by self time and by total time, with their files.
import {readFileSync} from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: {functionName: string; url: string; lineNumber: number}
  children?: number[]
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const [file, countArg] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top N]\n')
  process.exit(2)
}
const top = Number(countArg ?? 25)
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const self = new Map<number, number>()
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000))

const label = (n: ProfileNode) => {
  const url = n.callFrame.url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^.*\/(src|bench|test)\//, '$1/')
  return `${n.callFrame.functionName || '(anonymous)'} ${url}${url ? `:${n.callFrame.lineNumber + 1}` : ''}`
}

const selfByLabel = new Map<string, number>()
const totalByLabel = new Map<string, number>()
for (const [id, ms] of self) {
  const node = byId.get(id)
  if (!node) continue
  selfByLabel.set(label(node), (selfByLabel.get(label(node)) ?? 0) + ms)
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur) as ProfileNode)
    if (seen.has(l)) continue
    seen.add(l)
    totalByLabel.set(l, (totalByLabel.get(l) ?? 0) + ms)
  }
}
const wall = (profile.endTime - profile.startTime) / 1000
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title} (profile ${wall.toFixed(0)} ms)\n`)
  for (const [l, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${ms.toFixed(1).padStart(9)} ms  ${((ms / wall) * 100).toFixed(1).padStart(5)}%  ${l}\n`)
  }
}
print('self time', selfByLabel)
print('total time', totalByLabel)
