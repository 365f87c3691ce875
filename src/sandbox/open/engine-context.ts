// What the steps of opening a session share with the engine: the Docker client, the logger, the records and cleanup.
import type Dockerode from 'dockerode'

import type {Logger} from '../../logging/logger.js'
import type {SessionCleanup} from '../lifecycle/session-cleanup.js'
import type {SessionStore} from '../lifecycle/session-store.js'

export interface EngineContext {
  readonly docker: Dockerode
  readonly logger: Logger
  readonly store: SessionStore
  /** Sessions to clean up on SIGINT/SIGTERM. */
  readonly cleanup?: SessionCleanup | undefined
  /** The environment `sandbox.env` names are read from. */
  readonly hostEnv?: NodeJS.ProcessEnv | undefined
}
