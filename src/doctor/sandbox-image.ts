// Doctor check: the sandbox image exists and matches its definition (else `agent sandbox build`).
import {inspectSandboxImage, formatSize, loadImageDefinition} from '../sandbox/image/index.js'
import type {DoctorCheck} from './types.js'

export const sandboxImageCheck: DoctorCheck = {
  id: 'image',
  title: 'Sandbox image',
  async run(ctx) {
    let connection
    try {
      connection = await ctx.docker()
    } catch {
      return {status: 'skip', summary: `${ctx.imageName}: not checked, Docker is not reachable`}
    }
    let hash: string | undefined
    try {
      hash = loadImageDefinition().hash
    } catch {
      hash = undefined
    }
    const image = await inspectSandboxImage(connection.docker, connection.endpoint, ctx.imageName, hash)
    if (!image.present) {
      return {status: 'fail', summary: `${ctx.imageName} is not built`, hint: 'Run agent sandbox build'}
    }
    const what = `${ctx.imageName} (${formatSize(image.sizeBytes)}${image.builder ? `, ${image.builder} build` : ''})`
    if (hash !== undefined && !image.current) {
      return {
        status: 'warn',
        summary: `${what} is outdated: its definition changed since it was built`,
        hint: 'Run agent sandbox build to rebuild it',
      }
    }
    return {status: 'ok', summary: `${what} is current`}
  },
}
