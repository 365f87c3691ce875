// /diff: the changes in the sandbox so far, as a coloured unified diff.
import {renderChangeDiff, renderChangeSummary} from '../../sandbox/changes/render-changes.js'
import type {Style} from '../../output/style.js'
import type {SlashCommand} from './slash-command.js'

export const diffCommand: SlashCommand = {
  name: 'diff',
  summary: 'Show the changes made in the sandbox so far',
  async run({sandbox, screen}) {
    const changes = await sandbox.changesOrSay()
    if (!changes) return
    screen.note(`${renderChangeSummary(changes).trimEnd()}\n${colorDiff(renderChangeDiff(changes), screen.style)}`)
  },
}

function colorDiff(diff: string, {green, red, cyan}: Style): string {
  return diff
    .replace(/\n$/, '')
    .split('\n')
    .map((line) =>
      line.startsWith('+++') || line.startsWith('---')
        ? line
        : line.startsWith('+')
          ? green(line)
          : line.startsWith('-')
            ? red(line)
            : line.startsWith('@@')
              ? cyan(line)
              : line,
    )
    .join('\n')
}
