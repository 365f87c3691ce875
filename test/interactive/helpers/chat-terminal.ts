// `agent chat` (the built CLI) in a 160x40 tmux window, as a person runs it; `EXITED:<code>` is printed when it ends.
import {CLI, cliEnv} from '../../e2e/helpers/run-cli.js'
import {TmuxTerminal} from './tmux.js'

export function startChat(input: {cwd: string; home: string; modelUrl: string}): Promise<TmuxTerminal> {
  return TmuxTerminal.start({
    command: `${process.execPath} ${CLI} chat; echo "EXITED:$?"`,
    cwd: input.cwd,
    env: {...cliEnv(input.home, input.modelUrl), TERM: 'xterm-256color'},
    cols: 160,
    rows: 40,
  })
}
