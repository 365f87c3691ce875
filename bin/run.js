#!/usr/bin/env node
// Entry point for the built CLI (dist/). `--version` is answered without loading oclif, and so is `--help` when a copy of
// oclif's rendering for the same manifests, plugins, terminal and environment is kept (dist/cli/root-help-cache.js).
// `agent` with no arguments on a terminal starts the interactive session (`agent chat`); elsewhere it prints the help.
// `agent` with flags but no command is Qwen Code's command line: `--acp` serves an editor, `-p`/`--prompt` and SDK mode
// (`--input-format`) run headless as `agent run`, other flags on a terminal open the chat (`agent -y`).
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  // Same text as oclif's own version output, without paying for its import (~40 ms).
  const {name, version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
  // The root help is printed from a copy of oclif's last rendering of it when nothing it depends on has changed.
  const {rootHelpCache} = await import('../dist/cli/root-help-cache.js')
  const root = fileURLToPath(new URL('..', import.meta.url))
  const cache = rootHelpCache({root, flag: args[0], env: process.env, stdout: process.stdout})
  const copy = cache?.read()
  if (copy === undefined) await runOclif(args, cache)
  else process.stdout.write(copy)
} else {
  await runOclif(args)
}

/** oclif, as usual; with `helpCache`, what it prints is kept for the next `--help` if it printed only that. */
async function runOclif(argv, helpCache) {
  // Plugins run from their compiled JavaScript: no ts-node/tsx transpiling at run time (and none of the "linked ESM
  // module cannot be auto-transpiled" warning it prints for linked plugins). Rebuild a TypeScript plugin after edits.
  globalThis.oclif = {...globalThis.oclif, enableAutoTranspile: false}
  const {execute} = await import('@oclif/core')
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true
  const printed = helpCache ? recordOutput() : undefined
  await execute({dir: import.meta.url, ...routed(argv, terminal)})
  const text = printed?.()
  if (text !== undefined && (process.exitCode ?? 0) === 0) helpCache.write(text)
}

/** Records what is written to stdout from now on; the text, or undefined if anything went to stderr (a warning). */
function recordOutput() {
  const chunks = []
  let clean = true
  const {stdout, stderr} = process
  const out = stdout.write.bind(stdout)
  const err = stderr.write.bind(stderr)
  stdout.write = (chunk, ...rest) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
    return out(chunk, ...rest)
  }
  stderr.write = (chunk, ...rest) => {
    clean = false
    return err(chunk, ...rest)
  }
  return () => (clean && chunks.length > 0 ? chunks.join('') : undefined)
}

function routed(argv, terminal) {
  if (argv.length === 0) return terminal ? {args: ['chat']} : {}
  const first = argv[0]
  if (!first.startsWith('-') || ['--help', '-h', '--version', '-v'].includes(first)) return {}
  if (argv.includes('--acp')) return {args: ['acp', ...argv.filter((arg) => arg !== '--acp')]}
  const headless = argv.some((arg) => /^(-p|--prompt|--prompt-file|--input-format|-o|--output-format)(=|$)/.test(arg))
  return {args: [headless || !terminal ? 'run' : 'chat', ...argv]}
}
