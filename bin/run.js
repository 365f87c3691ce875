#!/usr/bin/env node
// Entry point for the built CLI (dist/). `--version` is answered without loading oclif; `--help` comes from the manifest.
// `agent` with no arguments on a terminal starts the interactive session (`agent chat`); elsewhere it prints the help.
// `agent` with flags but no command is Qwen Code's command line: `--acp` serves an editor, `-p`/`--prompt` and SDK mode
// (`--input-format`) run headless as `agent run`, other flags on a terminal open the chat (`agent -y`).
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
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true
  await execute({dir: import.meta.url, ...routed(args, terminal)})
}

function routed(argv, terminal) {
  if (argv.length === 0) return terminal ? {args: ['chat']} : {}
  const first = argv[0]
  if (!first.startsWith('-') || ['--help', '-h', '--version', '-v'].includes(first)) return {}
  if (argv.includes('--acp')) return {args: ['acp', ...argv.filter((arg) => arg !== '--acp')]}
  const headless = argv.some((arg) => /^(-p|--prompt|--prompt-file|--input-format|-o|--output-format)(=|$)/.test(arg))
  return {args: [headless || !terminal ? 'run' : 'chat', ...argv]}
}
