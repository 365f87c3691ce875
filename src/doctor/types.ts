// The doctor's seam: a check is a small object with a title and a run() that returns one line of result and a fix hint.
import type {NetworkSetting} from '../config/network-setting.js'
import type {DockerConnection, Env} from '../sandbox/docker-client.js'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip'

export interface CheckResult {
  status: CheckStatus
  /** One line: what was found. */
  summary: string
  /** One line: what to do about it (for warn and fail). */
  hint?: string
}

/** Whether the model credentials are configured, as the auth layer sees it. */
export interface AuthStatus {
  configured: boolean
  /** e.g. "OPENAI_API_KEY is set" or "logged in as x via qwen-oauth". */
  description: string
  hint?: string
}

export type AuthStatusProvider = () => Promise<AuthStatus>

export interface DoctorContext {
  env: Env
  /** Connects once (memoized); throws a DockerUnavailableError when the daemon does not answer. */
  docker(): Promise<DockerConnection>
  authStatus: AuthStatusProvider
  /** The image sessions will run. */
  imageName: string
  /** sandbox.network as a run in the current project would use it, and the settings files it came from. */
  networkPolicy?: () => Promise<{setting: NetworkSetting; settingsFiles: readonly string[]}>
}

export interface DoctorCheck {
  /** Stable id for --json ("node", "docker", "image", "auth"). */
  id: string
  title: string
  run(ctx: DoctorContext): Promise<CheckResult>
}
