// An npm registry on loopback that serves exactly the packages of a package-lock.json, from npm's local cache: lets a
// test run `npm install` of our own tarball the way a user does, with no traffic beyond this machine.
import fs from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'

interface LockEntry {
  version?: string
  integrity?: string
  link?: boolean
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, unknown>
  bundleDependencies?: string[]
  bin?: Record<string, string> | string
  engines?: Record<string, string>
  os?: string[]
  cpu?: string[]
  hasInstallScript?: boolean
}

export interface LockfileRegistry extends AsyncDisposable {
  /** Base URL for `--registry`. */
  readonly url: string
  /** Package names asked for that the lock file does not hold (a missing dependency shows up here). */
  readonly unknown: string[]
  close(): Promise<void>
}

/** The file where npm's cache (cacache) keeps the content with this sha512 integrity, by its documented layout. */
function cachedContent(cacheDir: string, integrity: string): string | undefined {
  const sha512 = integrity.split(/\s+/).find((part) => part.startsWith('sha512-'))
  if (!sha512) return undefined
  const hex = Buffer.from(sha512.slice('sha512-'.length), 'base64').toString('hex')
  return path.join(cacheDir, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4))
}

/** Starts the registry on 127.0.0.1 for every version of every package in `lockFile`, tarballs read from `npmCache`. */
export async function startLockfileRegistry(lockFile: string, npmCache: string): Promise<LockfileRegistry> {
  const lock = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as {packages: Record<string, LockEntry>}
  const versions = new Map<string, Map<string, LockEntry>>()
  for (const [location, entry] of Object.entries(lock.packages)) {
    const at = location.lastIndexOf('node_modules/')
    if (at === -1 || entry.link || !entry.version || !entry.integrity) continue
    const name = location.slice(at + 'node_modules/'.length)
    if (!versions.has(name)) versions.set(name, new Map())
    versions.get(name)?.set(entry.version, entry)
  }
  const unknown: string[] = []
  let base = ''

  const packument = (name: string, entries: Map<string, LockEntry>): unknown => {
    const sorted = [...entries.keys()].sort((a, b) => a.localeCompare(b, undefined, {numeric: true}))
    return {
      name,
      'dist-tags': {latest: sorted.at(-1)},
      versions: Object.fromEntries(
        [...entries].map(([version, entry]) => [
          version,
          {
            name,
            version,
            dependencies: entry.dependencies,
            optionalDependencies: entry.optionalDependencies,
            peerDependencies: entry.peerDependencies,
            peerDependenciesMeta: entry.peerDependenciesMeta,
            bundleDependencies: entry.bundleDependencies,
            bin: entry.bin,
            engines: entry.engines,
            os: entry.os,
            cpu: entry.cpu,
            hasInstallScript: entry.hasInstallScript,
            dist: {tarball: `${base}/-/tarball/${encodeURIComponent(name)}/${version}.tgz`, integrity: entry.integrity},
          },
        ]),
      ),
    }
  }

  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? '/', 'http://registry').pathname)
    const tarball = /^\/-\/tarball\/(.+)\/([^/]+)\.tgz$/.exec(url)
    if (tarball) {
      const entry = versions.get(tarball[1] ?? '')?.get(tarball[2] ?? '')
      const file = entry?.integrity ? cachedContent(npmCache, entry.integrity) : undefined
      if (!file || !fs.existsSync(file)) {
        res.writeHead(404).end()
        return
      }
      res.writeHead(200, {'content-type': 'application/octet-stream'})
      fs.createReadStream(file).pipe(res)
      return
    }
    const name = url.slice(1)
    const entries = versions.get(name)
    if (!entries) {
      unknown.push(name)
      res.writeHead(404, {'content-type': 'application/json'}).end('{"error":"not found"}')
      return
    }
    res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify(packument(name, entries)))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const close = (): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return {url: base, unknown, close, [Symbol.asyncDispose]: close}
}
