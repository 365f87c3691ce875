// What an SDK writes to our stdin in SDK mode (one JSON object per line), checked with zod before anything acts on it.
import {z} from 'zod'

const textBlock = z.looseObject({type: z.literal('text'), text: z.string()})
const otherBlock = z.looseObject({type: z.string()})

export const userInputSchema = z.looseObject({
  type: z.literal('user'),
  message: z.looseObject({
    role: z.literal('user').optional(),
    content: z.union([z.string(), z.array(z.union([textBlock, otherBlock]))]),
  }),
})

export const controlRequestSchema = z.looseObject({
  type: z.literal('control_request'),
  request_id: z.string().min(1),
  request: z.looseObject({subtype: z.string()}),
})

export const controlResponseSchema = z.looseObject({
  type: z.literal('control_response'),
  response: z.looseObject({
    subtype: z.enum(['success', 'error']),
    request_id: z.string(),
    response: z.unknown().optional(),
    error: z.unknown().optional(),
  }),
})

export const controlCancelSchema = z.looseObject({
  type: z.literal('control_cancel_request'),
  request_id: z.string(),
})

export type UserInput = z.infer<typeof userInputSchema>
export type ControlRequest = z.infer<typeof controlRequestSchema>
export type ControlResponse = z.infer<typeof controlResponseSchema>

export type Inbound =
  | {kind: 'user'; text: string; dropped: string[]}
  | {kind: 'control_request'; message: ControlRequest}
  | {kind: 'control_response'; message: ControlResponse}
  | {kind: 'control_cancel_request'; requestId: string}
  /** Nothing to act on: why, in one line for the error message. */
  | {kind: 'invalid'; problem: string; requestId?: string}

const SCHEMAS = {
  user: userInputSchema,
  control_request: controlRequestSchema,
  control_response: controlResponseSchema,
  control_cancel_request: controlCancelSchema,
} as const

/** One stdin line, understood or explained. Blank lines are the caller's to skip. */
export function parseInbound(line: string): Inbound {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return {kind: 'invalid', problem: `not JSON: ${clip(line)}`}
  }
  const type = (value as {type?: unknown} | null)?.type
  if (typeof type !== 'string' || !(type in SCHEMAS)) {
    return {
      kind: 'invalid',
      problem: `unknown message type ${JSON.stringify(type ?? null)}; expected one of ${Object.keys(SCHEMAS).join(', ')}`,
    }
  }
  const parsed = SCHEMAS[type as keyof typeof SCHEMAS].safeParse(value)
  if (!parsed.success) {
    const requestId = (value as {request_id?: unknown}).request_id
    return {
      kind: 'invalid',
      problem: `malformed ${type} message: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ')}`,
      ...(typeof requestId === 'string' ? {requestId} : {}),
    }
  }
  const data = parsed.data
  switch (data.type) {
    case 'user':
      return userText(data)
    case 'control_request':
      return {kind: 'control_request', message: data}
    case 'control_response':
      return {kind: 'control_response', message: data}
    case 'control_cancel_request':
      return {kind: 'control_cancel_request', requestId: data.request_id}
  }
}

/** The text of a user message; blocks we cannot pass to the model (images, ...) are named so the caller can say so. */
function userText(message: UserInput): Inbound {
  const content = message.message.content
  if (typeof content === 'string') return {kind: 'user', text: content, dropped: []}
  const texts: string[] = []
  const dropped: string[] = []
  for (const block of content) {
    if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text)
    else dropped.push(block.type)
  }
  return {kind: 'user', text: texts.join('\n'), dropped}
}

function clip(text: string): string {
  return text.length <= 80 ? text : `${text.slice(0, 80)}…`
}
