// The sandbox's changes as ACP diff content (old text from the project, new text from the sandbox) for the client.
import fs from 'node:fs/promises'
import path from 'node:path'

import type {ToolCallContent} from '@agentclientprotocol/sdk'

import type {SandboxSession} from '../../sandbox/types.js'

/** Text files up to this size are shown whole; larger or binary ones are listed by name. */
const MAX_TEXT_BYTES = 256 * 1024

export async function changeDiffs(session: SandboxSession, projectRoot: string): Promise<ToolCallContent[]> {
  const {changes} = await session.changes()
  const content: ToolCallContent[] = []
  const listed: string[] = []
  for (const change of changes) {
    const hostPath = path.join(projectRoot, change.path)
    if (change.entryType !== 'file' || change.binary || (change.size ?? 0) > MAX_TEXT_BYTES) {
      listed.push(`${change.kind} ${change.path}${change.binary ? ' (binary)' : ''}`)
      continue
    }
    const oldText = change.kind === 'added' ? null : await fs.readFile(hostPath, 'utf8').catch(() => null)
    const newText =
      change.kind === 'deleted' ? '' : (await session.readFile(`/workspace/${change.path}`)).toString('utf8')
    content.push({type: 'diff', path: hostPath, oldText, newText})
  }
  if (listed.length > 0) content.push({type: 'content', content: {type: 'text', text: listed.join('\n')}})
  return content
}
