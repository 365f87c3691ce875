// A small CLI stand-in for signal tests: opens a session, runs a long command, and waits to be interrupted.
// argv: <project> <stateDir> <image> [--keep]
import {sandboxSettingsSchema} from '../../../src/config/schema.js'
import {DockerSandboxEngine} from '../../../src/sandbox/docker-engine.js'
import {SessionCleanup} from '../../../src/sandbox/lifecycle/session-cleanup.js'

const [project, stateDir, image, flag] = process.argv.slice(2)
const keep = flag === '--keep'
const cleanup = new SessionCleanup()
const abort = new AbortController()
cleanup.installSignalHandlers({abort, graceMs: 3000})
const engine = new DockerSandboxEngine({stateDir: stateDir!, cleanup})
const session = await engine.open(project!, sandboxSettingsSchema.parse({image}), {keep})
process.stdout.write(`READY ${session.containerId}\n`)
const result = await session.exec('sleep 1000', {signal: abort.signal}).result
process.stdout.write(`COMMAND ${result.canceled ? 'canceled' : 'finished'}\n`)
// The caller's own wind-down after Ctrl-C: dispose the session as asked, then exit.
await session[Symbol.asyncDispose]()
process.stdout.write('CLEANED\n')
process.exit(130)
