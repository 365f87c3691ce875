// A loopback TCP proxy to the Docker daemon that a test can cut (every connection reset, new ones refused) and restore:
// to the CLI behind it, exactly a daemon that went away and came back.
import net from 'node:net'

export interface CutProxy extends AsyncDisposable {
  /** DOCKER_HOST for the CLI: tcp://127.0.0.1:<port>. */
  readonly host: string
  /** Resets every open connection and stops listening. */
  cut(): Promise<void>
  /** Listens again on the same port. */
  restore(): Promise<void>
}

/** The daemon this process talks to: DOCKER_HOST when it is unix:// or tcp://, else the default socket. */
export function mainDaemonAddress(): net.NetConnectOpts {
  const host = process.env.DOCKER_HOST
  if (host?.startsWith('tcp://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'))
    return {host: url.hostname, port: Number(url.port || 2375)}
  }
  if (host?.startsWith('unix://')) return {path: host.slice('unix://'.length)}
  return {path: '/var/run/docker.sock'}
}

export async function startCutProxy(target: net.NetConnectOpts = mainDaemonAddress()): Promise<CutProxy> {
  const clients = new Set<net.Socket>()
  const upstreams = new Set<net.Socket>()
  const track = (set: Set<net.Socket>, socket: net.Socket) => {
    set.add(socket)
    socket.once('close', () => set.delete(socket))
  }
  let server: net.Server | undefined
  let port = 0

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = net.createServer((client) => {
        const upstream = net.connect(target)
        track(clients, client)
        track(upstreams, upstream)
        client.pipe(upstream)
        upstream.pipe(client)
        client.on('error', () => upstream.destroy())
        upstream.on('error', () => client.destroy())
      })
      next.once('error', reject)
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as net.AddressInfo).port
        server = next
        resolve()
      })
    })

  const cut = async () => {
    const closing = server
    server = undefined
    const closed = closing ? new Promise<void>((resolve) => closing.close(() => resolve())) : Promise.resolve()
    // The CLI sees its connections reset, as when a daemon dies; the daemon side (a unix socket, maybe) just closes.
    for (const socket of clients) socket.resetAndDestroy()
    for (const socket of upstreams) socket.destroy()
    await closed
  }

  await listen()
  return {
    host: `tcp://127.0.0.1:${port}`,
    cut,
    restore: listen,
    [Symbol.asyncDispose]: cut,
  }
}
