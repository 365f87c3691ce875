#!/usr/bin/env node
// Entry point for the built CLI (dist/). `--version` is answered without loading oclif; `--help` comes from the manifest.
// `agent` with no arguments on a terminal starts the interactive session (`agent chat`); elsewhere it prints the help.
import {readFileSync} from 'node:fs'

const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // Same text as oclif's own version output, without paying for its import (~40 ms).
  const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  // Plugins run from their compiled JavaScript: no ts-node/tsx transpiling at run time (and none of the "linked ESM
  // module cannot be auto-transpiled" warning it prints for linked plugins). Rebuild a TypeScript plugin after edits.
  globalThis.oclif = {...globalThis.oclif, enableAutoTranspile: false}
  const {execute} = await import('@oclif/core')
  const interactive = args.length === 0 && process.stdin.isTTY === true && process.stdout.isTTY === true
  await execute({dir: import.meta.url, ...(interactive ? {args: ['chat']} : {})})
}
