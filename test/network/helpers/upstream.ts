// The outside world of the network tests, all in containers and a Docker network the test makes: an HTTP server
// (also a tiny npm registry serving one tarball), an HTTPS server with its own CA (also a git repository over
// https), and a server that accepts connections and never answers. Nothing is reached but these containers.
import {execFileSync} from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import tar from 'tar-stream'
import {GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer} from 'testcontainers'

import {testImage} from '../../sandbox/helpers/test-image.js'

/** Serves /srv over HTTP (port 80) or HTTPS (443, with /certs); prints "serving" when it listens. */
const SERVER_PY = `
import http.server, ssl, sys, functools
tls = len(sys.argv) > 1 and sys.argv[1] == 'tls'
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory='/srv')
server = http.server.ThreadingHTTPServer(('0.0.0.0', 443 if tls else 80), handler)
if tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain('/certs/server.pem', '/certs/server.key')
    server.socket = context.wrap_socket(server.socket, server_side=True)
print('serving', flush=True)
server.serve_forever()
`

/** Accepts connections on port 80 and never answers. */
const SILENT_PY = `
import socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', 80))
s.listen(50)
print('serving', flush=True)
held = []
while True:
    conn, _ = s.accept()
    held.append(conn)
`

export interface Upstream {
  network: StartedNetwork
  /** The test network's gateway address (the host side of the bridge). */
  gateway: string
  /** web.test's address on the test network. */
  webAddress: string
  ca: string
  /** The lock file and package.json of a project depending on the registry's one package. */
  npmProject: Record<string, string>
  stop(): Promise<void>
}

function makeCertificates(dir: string): void {
  const run = (...args: string[]) => execFileSync('openssl', args, {cwd: dir, stdio: 'ignore'})
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=network test CA',
  )
  fs.writeFileSync(path.join(dir, 'san.cnf'), 'subjectAltName=DNS:secure.test\n')
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=secure.test')
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.cnf',
  )
}

async function packageTarball(): Promise<Buffer> {
  const pack = tar.pack()
  pack.entry({name: 'package/package.json'}, JSON.stringify({name: 'tiny-dep', version: '1.0.0', main: 'index.js'}))
  pack.entry({name: 'package/index.js'}, "module.exports = 'tiny-dep works'\n")
  pack.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of pack) chunks.push(chunk as Buffer)
  return zlib.gzipSync(Buffer.concat(chunks))
}

function bareRepository(dir: string): string {
  const work = path.join(dir, 'work')
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {cwd, stdio: 'ignore'})
  fs.mkdirSync(work)
  git(work, 'init', '-q')
  fs.writeFileSync(path.join(work, 'README'), 'cloned over https\n')
  git(work, 'add', 'README')
  git(work, 'commit', '-qm', 'first')
  const bare = path.join(dir, 'repo.git')
  git(dir, 'clone', '-q', '--bare', work, bare)
  git(bare, 'update-server-info')
  return bare
}

function server(image: string, network: StartedNetwork, aliases: string[], script: string, args: string[] = []) {
  return new GenericContainer(image)
    .withNetwork(network)
    .withNetworkAliases(...aliases)
    .withUser('0')
    .withEntrypoint([])
    .withCopyContentToContainer([{content: script, target: '/opt/server.py'}])
    .withCommand(['python3', '/opt/server.py', ...args])
    .withWaitStrategy(Wait.forLogMessage('serving'))
}

export async function startUpstream(): Promise<Upstream> {
  const image = testImage()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'network-upstream-'))
  makeCertificates(dir)
  const tarball = await packageTarball()
  const integrity = `sha512-${crypto.createHash('sha512').update(tarball).digest('base64')}`
  const bare = bareRepository(dir)
  const network = await new Network().start()
  const started: StartedTestContainer[] = []
  try {
    const [web, secure, slow] = await Promise.all([
      server(image, network, ['web.test', 'a.wild.test'], SERVER_PY)
        .withCopyContentToContainer([
          {content: 'hello from web.test\n', target: '/srv/hello.txt'},
          {content: tarball, target: '/srv/tiny-dep/-/tiny-dep-1.0.0.tgz'},
        ])
        .start(),
      server(image, network, ['secure.test'], SERVER_PY, ['tls'])
        .withCopyContentToContainer([
          {content: 'hello from secure.test\n', target: '/srv/hello.txt'},
          {content: fs.readFileSync(path.join(dir, 'server.pem')), target: '/certs/server.pem'},
          {content: fs.readFileSync(path.join(dir, 'server.key')), target: '/certs/server.key'},
        ])
        .withCopyDirectoriesToContainer([{source: bare, target: '/srv/repo.git'}])
        .start(),
      server(image, network, ['slow.test'], SILENT_PY).start(),
    ])
    started.push(web, secure, slow)
    const gateway = execFileSync(
      'docker',
      ['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', network.getName()],
      {encoding: 'utf8'},
    ).trim()
    return {
      network,
      gateway,
      webAddress: web.getIpAddress(network.getName()),
      ca: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
      npmProject: {
        'package.json': JSON.stringify({name: 'app', version: '1.0.0', dependencies: {'tiny-dep': '1.0.0'}}),
        'package-lock.json': JSON.stringify({
          name: 'app',
          version: '1.0.0',
          lockfileVersion: 3,
          requires: true,
          packages: {
            '': {name: 'app', version: '1.0.0', dependencies: {'tiny-dep': '1.0.0'}},
            'node_modules/tiny-dep': {
              version: '1.0.0',
              resolved: 'http://web.test/tiny-dep/-/tiny-dep-1.0.0.tgz',
              integrity,
            },
          },
        }),
        '.npmrc': 'registry=http://web.test/\naudit=false\nfund=false\n',
      },
      stop: async () => {
        await Promise.all(started.map((container) => container.stop({remove: true}).catch(() => undefined)))
        await network.stop().catch(() => undefined)
        fs.rmSync(dir, {recursive: true, force: true})
      },
    }
  } catch (error) {
    await Promise.all(started.map((container) => container.stop().catch(() => undefined)))
    await network.stop().catch(() => undefined)
    throw error
  }
}
