// An MCP tool result as text the model can use: text kept, resources inlined when textual, what cannot be sent said.
import type {CallToolResult} from '@modelcontextprotocol/sdk/types.js'

/** The model reads text only: images, audio and binary resources are described, never sent. */
export function resultText(result: CallToolResult): string {
  const parts: string[] = []
  for (const block of result.content ?? []) {
    switch (block.type) {
      case 'text':
        parts.push(block.text)
        break
      case 'image':
      case 'audio':
        parts.push(
          `[${block.type} (${block.mimeType}, ${size(block.data)}) left out: this agent sends the model text only]`,
        )
        break
      case 'resource': {
        const resource = block.resource
        const mime = resource.mimeType ? `, ${resource.mimeType}` : ''
        if ('text' in resource && typeof resource.text === 'string')
          parts.push(`Resource ${resource.uri}${mime}:\n${resource.text}`)
        else
          parts.push(
            `[resource ${resource.uri}${mime}: binary, ${size(String((resource as {blob?: unknown}).blob ?? ''))}, left out]`,
          )
        break
      }
      case 'resource_link': {
        const about = [block.name, block.mimeType, block.description].filter(Boolean).join(', ')
        parts.push(`Resource link: ${block.uri}${about ? ` (${about})` : ''}`)
        break
      }
      default:
        parts.push(`[a ${(block as {type: string}).type} block left out: not understood]`)
    }
  }
  if (parts.length === 0 && result.structuredContent !== undefined)
    parts.push(JSON.stringify(result.structuredContent, null, 2))
  return parts.join('\n')
}

/** The decoded size of base64 data, for people. */
function size(base64: string): string {
  const bytes = Math.floor((base64.replace(/=+$/, '').length * 3) / 4)
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KiB`
}
