// A loopback HTTP proxy in front of the scripted model that records when each model request starts and ends.
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {now} from './stats.js'

export interface ModelCall {
  path: string
  /** ms (bench clock) when the request arrived and when the response finished. */
  start: number
  end: number
}

export interface TimingProxy {
  /** Base URL ending in /v1, like the target's. */
  readonly url: string
  readonly calls: ModelCall[]
  close(): Promise<void>
}

/** Forwards everything to `target` (an http://127.0.0.1:port/v1 URL) unchanged, streaming both ways. */
export async function startTimingProxy(target: string): Promise<TimingProxy> {
  const upstream = new URL(target)
  const calls: ModelCall[] = []
  const server = http.createServer((req, res) => {
    const call: ModelCall = {path: req.url ?? '/', start: now(), end: Number.NaN}
    const forward = http.request(
      {host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers},
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
        answer.on('end', () => {
          call.end = now()
          calls.push(call)
        })
      },
    )
    forward.on('error', (error) => {
      res.writeHead(502).end(String(error))
    })
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
