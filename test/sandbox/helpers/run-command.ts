// Runs one command class from src/ as its own process (no build, no manifest): argv is <command-file> [args...].
import path from 'node:path'
import {handle} from '@oclif/core'

const [name, ...args] = process.argv.slice(2)
const repoRoot = path.resolve(import.meta.dirname, '../../..')
const {default: Command} = (await import(`../../../src/commands/${name}.js`)) as {
  default: {run(argv: string[], root: string): Promise<unknown>}
}
try {
  await Command.run(args, repoRoot)
} catch (error) {
  await handle(error as Error)
}
