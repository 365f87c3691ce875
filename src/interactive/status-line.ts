// The status line at the bottom: model · sandbox · changes · tokens · approval mode, made to fit the terminal's width
// by leaving out the least important parts first; the approval mode always stays.
import type {Style} from '../output/style.js'
import {truncate, visibleWidth} from '../output/text-width.js'

export interface StatusInfo {
  /** The model's name, or what to do without one (may be coloured). */
  model: string
  /** The sandbox's short id once it has one. */
  sandboxId?: string
  /** The sandbox's state as shown (`ready` in green, `starting`, a failure in red). */
  sandboxState: string
  /** The sandbox is ready: its state is then the least interesting part. */
  sandboxReady: boolean
  changedFiles: number
  tokens: string
  mode: string
}

interface Parts {
  model?: string
  sandbox?: string
  changed?: string
  tokens?: string
  mode: string
}

/**
 * The status line, at most `width` columns. When the whole line does not fit, parts go in this order until it does:
 * the sandbox id, the `(shift+tab)` hint, the token count, the sandbox state when it is just `ready`, the model, the
 * sandbox state, the changes; the approval mode stays (cut only when even it alone is too wide).
 */
export function statusLine(info: StatusInfo, width: number, style: Style): string {
  const {dim} = style
  const sandbox = (id: boolean) =>
    (id && info.sandboxId ? `sandbox ${info.sandboxId} ` : 'sandbox ') + info.sandboxState
  let parts: Parts = {
    model: info.model,
    sandbox: sandbox(true),
    ...(info.changedFiles > 0 ? {changed: `${info.changedFiles} changed`} : {}),
    tokens: `${info.tokens} tokens`,
    mode: `${info.mode} ${dim('(shift+tab)')}`,
  }
  const steps: ((p: Parts) => Parts)[] = [
    (p) => ({...p, sandbox: sandbox(false)}),
    (p) => ({...p, mode: info.mode}),
    (p) => ({...p, tokens: undefined}),
    (p) => (info.sandboxReady ? {...p, sandbox: undefined} : p),
    (p) => ({...p, model: undefined}),
    (p) => ({...p, sandbox: undefined}),
    (p) => ({...p, changed: undefined}),
  ]
  const join = (p: Parts) =>
    [p.model, p.sandbox, p.changed, p.tokens, p.mode].filter((part) => part !== undefined).join(dim(' · '))
  let line = join(parts)
  for (const step of steps) {
    if (visibleWidth(line) <= width) return line
    parts = step(parts)
    line = join(parts)
  }
  return visibleWidth(line) <= width ? line : truncate(line, width)
}
