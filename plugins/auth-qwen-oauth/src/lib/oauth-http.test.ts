// postForm against real loopback servers: one that never answers (the timeout) and one that answers (the body).
import http from 'node:http'
import net from 'node:net'
import type {AddressInfo} from 'node:net'

import {afterEach, describe, expect, it} from 'vitest'

import {postForm} from './oauth-http.js'

const servers: Array<net.Server> = []
const sockets = new Set<net.Socket>()
afterEach(async () => {
  for (const socket of sockets) socket.destroy()
  sockets.clear()
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
})

async function listen(server: net.Server): Promise<string> {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
}

/** Accepts connections and reads the request, never answering. */
function silentServer(): net.Server {
  return net.createServer((socket) => {
    sockets.add(socket)
    socket.resume()
  })
}

describe('postForm', () => {
  it('gives up on a server that never answers, in one line naming it', async () => {
    const url = await listen(silentServer())
    const posting = postForm((input, init) => fetch(input, init), url, {grant_type: 'refresh_token'}, undefined, 300)
    await expect(posting).rejects.toThrow(`${url} did not answer within 0.3 s`)
  })

  it("passes the caller's own abort through as it is", async () => {
    const url = await listen(silentServer())
    const controller = new AbortController()
    const posting = postForm((input, init) => fetch(input, init), url, {}, controller.signal, 10_000)
    setTimeout(() => controller.abort(new Error('user pressed Ctrl-C')), 100)
    await expect(posting).rejects.toThrow('user pressed Ctrl-C')
  })

  it('reads the JSON body of an answer, whatever the status', async () => {
    const url = await listen(
      http.createServer((_request, response) => {
        response.writeHead(400, {'content-type': 'application/json'})
        response.end('{"error":"invalid_grant"}')
      }),
    )
    const answer = await postForm((input, init) => fetch(input, init), url, {}, undefined, 5000)
    expect(answer).toEqual({status: 400, body: {error: 'invalid_grant'}})
  })
})
