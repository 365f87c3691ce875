// Benchmark 9: the price of an allow list. `npm ci` of a 50-package project through the session's proxy vs the same
// image on Docker's bridge network (same registry, same URL, same run, alternating); and opening a session with an
// allow list vs without one. The registry is a container of the bench's own serving tarballs from npm's local cache.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pino} from 'pino'

import {sandboxSettingsSchema} from '../src/config/schema.js'
import {DockerSandboxEngine} from '../src/sandbox/docker-engine.js'
import type {SandboxSession} from '../src/sandbox/types.js'
import {benchImage, BENCH_LABEL, MANAGED_LABEL} from './lib/docker-cli.js'
import {onCleanup, progress, runBench} from './lib/harness.js'
import {run, runOk} from './lib/proc.js'
import {ensureRepo, SMALL_REPO} from './lib/repo-gen.js'
import {ratioText, WORK_DIR, REPO_ROOT} from './lib/report.js'
import {formatMs, median, now} from './lib/stats.js'

const NPM_REPS = Number(process.env.BENCH_NETWORK_NPM_REPS ?? 5)
const OPEN_REPS = Number(process.env.BENCH_NETWORK_OPEN_REPS ?? 7)
const PACKAGES = 50

interface LockEntry {
  version?: string
  integrity?: string
  link?: boolean
  dependencies?: unknown
  optionalDependencies?: unknown
  peerDependencies?: unknown
  hasInstallScript?: boolean
  os?: unknown
  cpu?: unknown
}

/** npm's cache file for a sha512 integrity (cacache's content-v2 layout). */
function cachedTarball(cache: string, integrity: string): string | undefined {
  const sha512 = integrity.split(/\s+/).find((part) => part.startsWith('sha512-'))
  if (!sha512) return undefined
  const hex = Buffer.from(sha512.slice('sha512-'.length), 'base64').toString('hex')
  const file = path.join(cache, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4))
  return fs.existsSync(file) ? file : undefined
}

/**
 * A project depending on 50 packages without dependencies of their own, taken from this repository's lock file with
 * their tarballs from npm's cache: the registry tree (`srv/`) and the project (`project/`), its lock pointing at `base`.
 */
async function makeNpmProject(dir: string, base: string): Promise<{count: number; bytes: number}> {
  const cache = (await runOk('npm', ['config', 'get', 'cache'])).stdout.trim()
  const lock = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>
  }
  const chosen: {name: string; version: string; integrity: string; file: string}[] = []
  for (const [location, entry] of Object.entries(lock.packages).sort(([a], [b]) => a.localeCompare(b))) {
    if (chosen.length >= PACKAGES) break
    if (!location.startsWith('node_modules/') || location.lastIndexOf('node_modules/') !== 0) continue
    const name = location.slice('node_modules/'.length)
    const leaf = !entry.dependencies && !entry.optionalDependencies && !entry.peerDependencies
    if (name.startsWith('@') || entry.link || !entry.version || !entry.integrity || !leaf) continue
    if (entry.hasInstallScript || entry.os || entry.cpu) continue
    const file = cachedTarball(cache, entry.integrity)
    if (file) chosen.push({name, version: entry.version, integrity: entry.integrity, file})
  }
  if (chosen.length < PACKAGES) throw new Error(`only ${chosen.length} leaf packages in npm's cache`)
  let bytes = 0
  const packages: Record<string, unknown> = {'': {name: 'bench-app', version: '1.0.0', dependencies: {}}}
  const dependencies: Record<string, string> = {}
  for (const {name, version, integrity, file} of chosen) {
    const target = path.join(dir, 'srv', name, '-', `${name}-${version}.tgz`)
    fs.mkdirSync(path.dirname(target), {recursive: true})
    fs.copyFileSync(file, target)
    bytes += fs.statSync(target).size
    dependencies[name] = version
    packages[`node_modules/${name}`] = {version, resolved: `${base}/${name}/-/${name}-${version}.tgz`, integrity}
  }
  ;(packages[''] as {dependencies: Record<string, string>}).dependencies = dependencies
  const project = path.join(dir, 'project')
  fs.mkdirSync(project, {recursive: true})
  const manifest = {name: 'bench-app', version: '1.0.0', private: true, dependencies}
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify(manifest, null, 2))
  fs.writeFileSync(
    path.join(project, 'package-lock.json'),
    JSON.stringify({name: 'bench-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages}, null, 2),
  )
  fs.writeFileSync(path.join(project, '.npmrc'), `registry=${base}/\naudit=false\nfund=false\nupdate-notifier=false\n`)
  return {count: chosen.length, bytes}
}

/** A static file server (python's http.server) on the default bridge, serving /srv; its id and address. */
async function startRegistry(image: string): Promise<{id: string; address: string}> {
  const {stdout} = await runOk('docker', [
    'create',
    '--label',
    MANAGED_LABEL,
    '--label',
    BENCH_LABEL,
    '--network',
    'bridge',
    '--user',
    '0',
    '--entrypoint',
    'python3',
    image,
    '-m',
    'http.server',
    '80',
    '--directory',
    '/srv',
  ])
  const id = stdout.trim()
  onCleanup(async () => void (await run('docker', ['rm', '-f', id])))
  await runOk('docker', ['start', id])
  const address = (
    await runOk('docker', ['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', id])
  ).stdout.trim()
  return {id, address}
}

/** Milliseconds for one `npm ci` from an empty cache and node_modules; throws when it fails. */
async function npmCi(session: SandboxSession): Promise<number> {
  await session.exec('rm -rf node_modules ~/.npm').result
  const start = now()
  const result = await session.exec('npm ci --no-audit --no-fund --prefer-online 2>&1', {timeoutMs: 300_000}).result
  const ms = now() - start
  if (result.exitCode !== 0) throw new Error(`npm ci failed: ${result.stdout.text.slice(-500)}`)
  return ms
}

await runBench({name: 'network', title: '9. Network allow list', order: 9}, async () => {
  const image = await benchImage()
  const dir = fs.mkdtempSync(path.join(WORK_DIR, 'network-'))
  onCleanup(async () => fs.rmSync(dir, {recursive: true, force: true}))
  const logger = pino({level: 'silent'})
  const engine = new DockerSandboxEngine({stateDir: path.join(WORK_DIR, 'engine-state'), logger})
  const parse = (network: unknown) => sandboxSettingsSchema.parse(network === undefined ? {} : {network})

  progress('starting the registry')
  // The address is known only once the registry runs: the project is written after, with the same URL for both.
  const registry = await startRegistry(image)
  const address = registry.address
  const {count, bytes} = await makeNpmProject(dir, `http://${address}`)
  await runOk('docker', ['cp', `${path.join(dir, 'srv')}/.`, `${registry.id}:/srv`])
  const project = path.join(dir, 'project')

  progress(`npm ci of ${count} packages, through the proxy vs on the bridge`)
  const proxied = await engine.open(project, parse({allow: [address]}), {image})
  onCleanup(() => proxied.close())
  const bridged = await engine.open(project, parse('bridge'), {image})
  onCleanup(() => bridged.close())
  const times: Record<'proxy' | 'bridge', number[]> = {proxy: [], bridge: []}
  await npmCi(proxied)
  await npmCi(bridged)
  for (let i = 0; i < NPM_REPS; i++) {
    const order = i % 2 === 0 ? (['proxy', 'bridge'] as const) : (['bridge', 'proxy'] as const)
    for (const side of order) times[side].push(await npmCi(side === 'proxy' ? proxied : bridged))
  }
  const summary = proxied.networkSummary?.()
  await proxied.close()
  await bridged.close()

  progress('opening sessions with and without an allow list')
  const repo = ensureRepo(SMALL_REPO)
  const opens: Record<'allow' | 'none', number[]> = {allow: [], none: []}
  const openOnce = async (side: 'allow' | 'none'): Promise<number> => {
    const start = now()
    const session = await engine.open(repo, parse(side === 'allow' ? {allow: ['registry.example.test']} : undefined), {
      image,
    })
    const ms = now() - start
    await session.close()
    return ms
  }
  await openOnce('none')
  await openOnce('allow')
  for (let i = 0; i < OPEN_REPS; i++) {
    const order = i % 2 === 0 ? (['allow', 'none'] as const) : (['none', 'allow'] as const)
    for (const side of order) opens[side].push(await openOnce(side))
  }

  const npm = {proxy: median(times.proxy), bridge: median(times.bridge)}
  const open = {allow: median(opens.allow), none: median(opens.none)}
  const extra = open.allow - open.none
  const list = (values: number[]) => values.map((v) => formatMs(v)).join(', ')
  return {
    figures: [
      {
        figure: `network: \`npm ci\`, ${count} packages, through the allow-list proxy (median of ${NPM_REPS})`,
        ours: formatMs(npm.proxy),
        baseline: `${formatMs(npm.bridge)} on the bridge network`,
        ratio: ratioText(npm.proxy, npm.bridge),
        target: '<= 1.1x',
        met: npm.proxy / npm.bridge <= 1.1,
      },
      {
        figure: `network: session open with an allow list (median of ${OPEN_REPS})`,
        ours: `${formatMs(open.allow)} (+${formatMs(extra)})`,
        baseline: `${formatMs(open.none)} without a policy`,
        ratio: ratioText(open.allow, open.none),
        target: '<= +100 ms',
        met: extra <= 100,
      },
    ],
    notes: [
      `npm ci of ${count} packages (${(bytes / 1024 ** 2).toFixed(1)} MiB of tarballs) from a registry container on the ` +
        `default bridge, at the same URL (its IP address) for both sides: one session with {"allow": ["${address}"]} ` +
        '(through the proxy), one with "bridge"; empty npm cache and node_modules each time, alternating. ' +
        `Proxy: ${list(times.proxy)}; bridge: ${list(times.bridge)}.`,
      `The proxy counted ${JSON.stringify(summary?.hosts ?? {})}.`,
      `Session open (engine.open of the 1,000-file repository, no exec), alternating: allow list ${list(opens.allow)}; ` +
        `none ${list(opens.none)}.`,
      `Load at the end ${os.loadavg()[0]?.toFixed(1)}.`,
    ],
    raw: {times, opens},
  }
})
