// dockerode without what a sandbox never uses at start: its BuildKit session helper (@grpc/grpc-js, protobufjs) and
// docker-modem's SSH transport (ssh2) are both required by their parents at load time, and together cost every
// `agent run` ~0.1-0.4 s of CPU before its first model request. Each is put in Node's module cache as a stand-in that
// requires the real module on its first call (an image build with a BuildKit session, a DOCKER_HOST over ssh://).
import Module, {createRequire} from 'node:module'

import type DockerodeModule from 'dockerode'

const requireHere = createRequire(import.meta.url)
const dockerodeMain = requireHere.resolve('dockerode')
const requireFromDockerode = createRequire(dockerodeMain)

/** Both modules export one function; the stand-in loads it on the first call and hands every call over. */
function deferFunctionModule(file: string): void {
  if (requireHere.cache[file]) return
  let real: ((...args: unknown[]) => unknown) | undefined
  const standIn = function (this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete requireHere.cache[file]
      real = requireHere(file) as (...args: unknown[]) => unknown
    }
    return real.apply(this, args)
  }
  const cached = new Module(file)
  cached.filename = file
  cached.loaded = true
  cached.exports = standIn
  requireHere.cache[file] = cached
}

deferFunctionModule(requireFromDockerode.resolve('./session.js'))
deferFunctionModule(createRequire(requireFromDockerode.resolve('docker-modem')).resolve('./ssh.js'))

export const Docker = requireHere('dockerode') as typeof DockerodeModule
