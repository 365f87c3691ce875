// Doctor check: the Node.js running the CLI is new enough (>= 20).
import type {CheckResult, DoctorCheck} from './types.js'

export const MIN_NODE_MAJOR = 20

export function checkNodeVersion(version: string = process.versions.node): CheckResult {
  const major = Number(version.split('.')[0])
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) {
    return {status: 'ok', summary: `Node.js v${version} (>= ${MIN_NODE_MAJOR} required)`}
  }
  return {
    status: 'fail',
    summary: `Node.js v${version} is too old (>= ${MIN_NODE_MAJOR} required)`,
    hint: `Install Node.js ${MIN_NODE_MAJOR} or newer (https://nodejs.org or your package manager)`,
  }
}

export const nodeVersionCheck: DoctorCheck = {
  id: 'node',
  title: 'Node.js',
  run: async () => checkNodeVersion(),
}
