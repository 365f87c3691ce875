// A small line-based unified diff (Myers' O(ND) algorithm, prefix/suffix trimmed), as `diff -u` prints it.

const NO_NEWLINE = '\u0000no-newline'
/** Beyond this many differing lines the diff is written as one replacement hunk instead of searched for. */
const MAX_EDIT_DISTANCE = 2000

type Op = {kind: ' ' | '-' | '+'; line: string; a: number; b: number}

function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  else lines[lines.length - 1] += NO_NEWLINE
  return lines
}

/** The shortest edit script between a and b (ops carry 0-based line numbers on both sides). */
function editScript(a: string[], b: string[]): Op[] {
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1
    endB -= 1
  }
  const ops: Op[] = []
  for (let i = 0; i < start; i += 1) ops.push({kind: ' ', line: a[i]!, a: i, b: i})
  ops.push(...middle(a, b, start, endA, start, endB))
  for (let i = 0; endA + i < a.length; i += 1) ops.push({kind: ' ', line: a[endA + i]!, a: endA + i, b: endB + i})
  return ops
}

function middle(a: string[], b: string[], a0: number, a1: number, b0: number, b1: number): Op[] {
  const n = a1 - a0
  const m = b1 - b0
  const replaceAll = (): Op[] => [
    ...a.slice(a0, a1).map((line, i): Op => ({kind: '-', line, a: a0 + i, b: b0})),
    ...b.slice(b0, b1).map((line, i): Op => ({kind: '+', line, a: a1, b: b0 + i})),
  ]
  if (n === 0 || m === 0) return replaceAll()
  const max = Math.min(n + m, MAX_EDIT_DISTANCE)
  const offset = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  let found = -1
  for (let d = 0; d <= max && found < 0; d += 1) {
    trace.push(v.slice())
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1
      let y = x - k
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x += 1
        y += 1
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        found = d
        break
      }
    }
  }
  if (found < 0) return replaceAll()
  const ops: Op[] = []
  let x = n
  let y = m
  for (let d = found; d > 0; d -= 1) {
    const prev = trace[d]!
    const k = x - y
    const down = k === -d || (k !== d && prev[offset + k - 1]! < prev[offset + k + 1]!)
    const prevK = down ? k + 1 : k - 1
    const prevX = prev[offset + prevK]!
    const prevY = prevX - prevK
    while (x > prevX && y > prevY) {
      x -= 1
      y -= 1
      ops.push({kind: ' ', line: a[a0 + x]!, a: a0 + x, b: b0 + y})
    }
    if (down) {
      y -= 1
      ops.push({kind: '+', line: b[b0 + y]!, a: a0 + x, b: b0 + y})
    } else {
      x -= 1
      ops.push({kind: '-', line: a[a0 + x]!, a: a0 + x, b: b0 + y})
    }
  }
  while (x > 0 && y > 0) {
    x -= 1
    y -= 1
    ops.push({kind: ' ', line: a[a0 + x]!, a: a0 + x, b: b0 + y})
  }
  return ops.reverse()
}

/** `start,count`, or just `start` when the count is 1 (as GNU diff prints it). */
function range(start: number, count: number): string {
  return count === 1 ? String(start) : `${start},${count}`
}

function printLine(op: Op): string {
  if (op.line.endsWith(NO_NEWLINE))
    return `${op.kind}${op.line.slice(0, -NO_NEWLINE.length)}\n\\ No newline at end of file\n`
  return `${op.kind}${op.line}\n`
}

/**
 * `diff -u` output between two texts; '' when they are equal. Paths label the sides (use /dev/null for a missing side).
 */
export function unifiedDiff(oldText: string, newText: string, oldPath: string, newPath: string, context = 3): string {
  const ops = editScript(splitLines(oldText), splitLines(newText))
  const changed = ops.map((op, i) => (op.kind === ' ' ? -1 : i)).filter((i) => i >= 0)
  if (changed.length === 0) return ''
  let out = `--- ${oldPath}\n+++ ${newPath}\n`
  let index = 0
  while (index < changed.length) {
    const first = changed[index]!
    let last = first
    while (index + 1 < changed.length && changed[index + 1]! - last <= 2 * context + 1) {
      index += 1
      last = changed[index]!
    }
    index += 1
    const from = Math.max(0, first - context)
    const to = Math.min(ops.length - 1, last + context)
    const hunk = ops.slice(from, to + 1)
    const oldCount = hunk.filter((op) => op.kind !== '+').length
    const newCount = hunk.filter((op) => op.kind !== '-').length
    const oldStart = oldCount === 0 ? hunk[0]!.a : hunk.find((op) => op.kind !== '+')!.a + 1
    const newStart = newCount === 0 ? hunk[0]!.b : hunk.find((op) => op.kind !== '-')!.b + 1
    out += `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`
    for (const op of hunk) out += printLine(op)
  }
  return out
}
