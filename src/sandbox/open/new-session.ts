// The one place a DockerSandboxSession is built: what the engine supplies plus what the open, reuse or resume found.
import {DockerSandboxSession, type SessionParts} from '../docker-session.js'
import type {EngineContext} from './engine-context.js'

export type SessionFields = Omit<SessionParts, 'docker' | 'store' | 'logger' | 'cleanup'>

export function newDockerSession(context: EngineContext, fields: SessionFields): DockerSandboxSession {
  return new DockerSandboxSession({
    ...fields,
    docker: context.docker,
    store: context.store,
    logger: context.logger,
    ...(context.cleanup ? {cleanup: context.cleanup} : {}),
  })
}
