#!/usr/bin/env node
// Launcher for `npm run bench`: runs bench/run-all.ts under tsx with the same arguments.
import {spawn} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const script = fileURLToPath(new URL('./run-all.ts', import.meta.url))
const child = spawn(process.execPath, ['--import', 'tsx', script, ...process.argv.slice(2)], {stdio: 'inherit'})
// Ctrl-C reaches the child through the process group; SIGTERM is passed on.
process.on('SIGINT', () => {})
process.on('SIGTERM', () => child.kill('SIGTERM'))
child.on('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
