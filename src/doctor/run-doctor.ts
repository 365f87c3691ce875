// Runs the doctor's checks in order (Docker connected once, shared) and collects one result per check.
import {connectAndPingDocker, type DockerConnection, type Env} from '../sandbox/docker-client.js'
import {authCheck} from './auth.js'
import {dockerDaemonCheck} from './docker-daemon.js'
import {networkPolicyCheck} from './network-policy.js'
import {nodeVersionCheck} from './node-version.js'
import {sandboxImageCheck} from './sandbox-image.js'
import type {AuthStatusProvider, CheckResult, DoctorCheck, DoctorContext} from './types.js'

export const defaultChecks: readonly DoctorCheck[] = [
  nodeVersionCheck,
  dockerDaemonCheck,
  sandboxImageCheck,
  authCheck,
  networkPolicyCheck,
]

export interface DoctorReport {
  ok: boolean
  checks: Array<{id: string; title: string} & CheckResult>
}

export interface RunDoctorOptions {
  env: Env
  imageName: string
  authStatus: AuthStatusProvider
  networkPolicy?: DoctorContext['networkPolicy']
  checks?: readonly DoctorCheck[]
  dockerTimeoutMs?: number
}

/** ok is false when any check failed (warnings and skips do not fail the run). */
export async function runDoctor(options: RunDoctorOptions): Promise<DoctorReport> {
  let connection: Promise<DockerConnection> | undefined
  const ctx: DoctorContext = {
    env: options.env,
    imageName: options.imageName,
    authStatus: options.authStatus,
    ...(options.networkPolicy ? {networkPolicy: options.networkPolicy} : {}),
    docker: () => (connection ??= connectAndPingDocker(options.env, {timeoutMs: options.dockerTimeoutMs ?? 5000})),
  }
  const checks: DoctorReport['checks'] = []
  for (const check of options.checks ?? defaultChecks) {
    let result: CheckResult
    try {
      result = await check.run(ctx)
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
      result = {status: 'fail', summary: `check failed: ${message}`}
    }
    checks.push({id: check.id, title: check.title, ...result})
  }
  return {ok: checks.every((c) => c.status !== 'fail'), checks}
}

const SYMBOLS: Record<CheckResult['status'], string> = {ok: '✓', warn: '!', fail: '✗', skip: '-'}

/** One line per check: symbol, title, what was found, and the fix when there is one. */
export function renderDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.length))
  const lines = report.checks.map((c) => {
    const showFix = c.hint !== undefined && (c.status === 'fail' || c.status === 'warn')
    const text = showFix ? `${c.summary}. Fix: ${c.hint}` : c.summary
    return `${SYMBOLS[c.status]} ${c.title.padEnd(width)}  ${text}`
  })
  return `${lines.join('\n')}\n`
}
