// Runs an agent CLI in stream-json mode and stamps every stdout line with the moment it arrived.
import {spawn} from 'node:child_process'
import {now} from './stats.js'

export interface StampedLine {
  t: number
  message: Record<string, unknown> | undefined
  text: string
}

export interface StreamRun {
  pid: number | undefined
  spawnAt: number
  exitAt: number
  code: number | null
  lines: StampedLine[]
  stderr: string
}

export function runStreamJson(
  command: string,
  args: readonly string[],
  options: {cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number},
): Promise<StreamRun> {
  return new Promise((resolve, reject) => {
    const spawnAt = now()
    const child = spawn(command, args, {cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe']})
    const lines: StampedLine[] = []
    let pending = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      const t = now()
      pending += data
      let nl: number
      while ((nl = pending.indexOf('\n')) >= 0) {
        const text = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        if (text.trim() === '') continue
        let message: Record<string, unknown> | undefined
        try {
          message = JSON.parse(text) as Record<string, unknown>
        } catch {
          message = undefined
        }
        lines.push({t, message, text})
      }
    })
    child.stderr.setEncoding('utf8').on('data', (data: string) => {
      if (stderr.length < 256 * 1024) stderr += data
    })
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({pid: child.pid, spawnAt, exitAt: now(), code, lines, stderr})
    })
  })
}

interface ContentBlock {
  type?: string
  id?: string
  tool_use_id?: string
}

function blocks(line: StampedLine): ContentBlock[] {
  const message = line.message?.message as {content?: unknown} | undefined
  return Array.isArray(message?.content) ? (message.content as ContentBlock[]) : []
}

/** Per tool call: from the line carrying its tool_use block to the line carrying its tool_result. */
export function toolSpans(run: StreamRun): {id: string; start: number; end: number}[] {
  const started = new Map<string, number>()
  const spans: {id: string; start: number; end: number}[] = []
  for (const line of run.lines) {
    for (const block of blocks(line)) {
      if (block.type === 'tool_use' && block.id && !started.has(block.id)) started.set(block.id, line.t)
      if (block.type === 'tool_result' && block.tool_use_id) {
        const start = started.get(block.tool_use_id)
        if (start !== undefined) spans.push({id: block.tool_use_id, start, end: line.t})
      }
    }
  }
  return spans
}

/** The final `result` message, if the agent printed one. */
export function resultMessage(run: StreamRun): Record<string, unknown> | undefined {
  return run.lines.findLast((line) => line.message?.type === 'result')?.message
}
