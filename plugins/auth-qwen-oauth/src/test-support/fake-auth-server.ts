// TEST FAKE: a local OAuth authorization server over real HTTP on 127.0.0.1, answering from a script.
import http from 'node:http'
import type {AddressInfo} from 'node:net'

export interface ScriptedReply {
  status?: number
  body: Record<string, unknown>
  /** Milliseconds to wait before answering (to overlap concurrent requests). */
  delayMs?: number
  /** Answer only once this settles (a test holds a refresh open while other processes line up). */
  until?: Promise<unknown>
}

export interface FakeAuthServer extends AsyncDisposable {
  deviceCodeEndpoint: string
  tokenEndpoint: string
  /** Every request body received, by endpoint. */
  requests: {path: string; form: Record<string, string>}[]
  /** Replies to device_code polls, in order (the last one repeats). */
  pollReplies: ScriptedReply[]
  /** Replies to refresh_token grants, in order (the last one repeats). */
  refreshReplies: ScriptedReply[]
  deviceReply: ScriptedReply
}

export async function startFakeAuthServer(): Promise<FakeAuthServer> {
  const state = {
    requests: [] as FakeAuthServer['requests'],
    pollReplies: [] as ScriptedReply[],
    refreshReplies: [] as ScriptedReply[],
    deviceReply: {
      body: {
        device_code: 'dev-123',
        user_code: 'ABCD-EFGH',
        verification_uri: 'https://auth.example/device',
        verification_uri_complete: 'https://auth.example/device?user_code=ABCD-EFGH',
        expires_in: 600,
        interval: 2,
      },
    } as ScriptedReply,
  }
  let polls = 0
  let refreshes = 0
  const server = http.createServer((request, response) => {
    let raw = ''
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()))
    request.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(raw))
      state.requests.push({path: request.url ?? '', form})
      let reply: ScriptedReply
      if (request.url === '/device/code') reply = state.deviceReply
      else if (form.grant_type === 'refresh_token') reply = pick(state.refreshReplies, refreshes++)
      else reply = pick(state.pollReplies, polls++)
      void Promise.resolve(reply.until).then(() =>
        setTimeout(() => {
          response.writeHead(reply.status ?? (reply.body.error ? 400 : 200), {'content-type': 'application/json'})
          response.end(JSON.stringify(reply.body))
        }, reply.delayMs ?? 0),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  const base = `http://127.0.0.1:${port}`
  const fake = Object.assign(state, {
    deviceCodeEndpoint: `${base}/device/code`,
    tokenEndpoint: `${base}/token`,
    async [Symbol.asyncDispose]() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  })
  return fake
}

function pick(replies: ScriptedReply[], index: number): ScriptedReply {
  const reply = replies[Math.min(index, replies.length - 1)]
  if (!reply) return {status: 500, body: {error: 'server_error', error_description: 'no scripted reply'}}
  return reply
}
