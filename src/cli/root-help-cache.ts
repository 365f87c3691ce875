// `agent --help` printed from a copy of oclif's own rendering of it, so that the common case does not load oclif
// (~170 modules, two thirds of the command's start-up). The copy is what oclif printed the last time, kept with a key
// of everything that rendering depends on; any difference and oclif renders it again (and the copy is replaced).
// Imported by bin/run.js before anything else: node built-ins only.
import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {homedir} from 'node:os'
import path from 'node:path'

/** Environment variables that can change the help text, its width or its colours (oclif's own and its config's). */
const RENDERING_ENV =
  /^(OCLIF_|AGENT_|SANDBOX_AGENT_|XDG_|NO_COLOR$|FORCE_COLOR$|NODE_DISABLE_COLORS$|COLUMNS$|TERM|COLORTERM$|CI$|HOME$|LANG$|LC_)/

/** The bump invalidates every copy on disk when what is kept, or how the key is made, changes. */
const FORMAT = 1

interface PackageJson {
  oclif?: {plugins?: unknown[]; commands?: unknown}
}

export interface RootHelpCache {
  /** The text oclif printed for the same inputs, or undefined when there is none yet. */
  read(): string | undefined
  /** Keeps what oclif just printed; a cache that cannot be written is skipped silently (help still printed). */
  write(text: string): void
}

export interface HelpContext {
  /** The CLI's install root (where package.json and oclif.manifest.json are). */
  root: string
  flag: string
  env: NodeJS.ProcessEnv
  stdout: {isTTY?: boolean; columns?: number}
}

/**
 * The cache for this invocation, or undefined when the help cannot be reproduced from a key alone: user-installed
 * or linked plugins (their code can change without anything here changing), or a bundled plugin with commands but
 * no manifest (oclif would import its commands to describe them).
 */
export function rootHelpCache(context: HelpContext): RootHelpCache | undefined {
  try {
    const key = renderingKey(context)
    if (key === undefined) return undefined
    const file = path.join(cacheDir(context.env), 'root-help.json')
    return {
      read: () => readCopy(file, key),
      write: (text) => writeCopy(file, key, text),
    }
  } catch {
    return undefined
  }
}

function renderingKey({root, flag, env, stdout}: HelpContext): string | undefined {
  if (hasUserPlugins(dataDir(env))) return undefined
  const parts: unknown[] = [FORMAT, flag, process.version, process.platform, process.arch]
  parts.push(stdout.isTTY === true, stdout.isTTY === true ? stdout.columns : undefined)
  parts.push(
    Object.entries(env)
      .filter(([name]) => RENDERING_ENV.test(name))
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  )
  const pjsonPath = path.join(root, 'package.json')
  const pjson = JSON.parse(readFileSync(pjsonPath, 'utf8')) as PackageJson
  parts.push(fileStamp(pjsonPath), fileStamp(path.join(root, 'oclif.manifest.json')))
  for (const name of pjson.oclif?.plugins ?? []) {
    if (typeof name !== 'string') return undefined
    const pluginRoot = path.join(root, 'node_modules', name)
    const pluginPjsonPath = path.join(pluginRoot, 'package.json')
    const pluginPjson = JSON.parse(readFileSync(pluginPjsonPath, 'utf8')) as PackageJson
    const manifest = fileStamp(path.join(pluginRoot, 'oclif.manifest.json'))
    if (pluginPjson.oclif?.commands !== undefined && manifest === 'missing') return undefined
    parts.push(name, fileStamp(pluginPjsonPath), manifest)
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex')
}

/** Size and modification time: a rebuilt manifest or an upgraded plugin changes them. */
function fileStamp(file: string): string {
  try {
    const stat = statSync(file)
    return `${stat.size}:${stat.mtimeMs}:${stat.ino}`
  } catch {
    return 'missing'
  }
}

/** Plugins a user installed or linked (`agent plugins install|link`) are listed in the data directory's package.json. */
function hasUserPlugins(dir: string): boolean {
  let text: string
  try {
    text = readFileSync(path.join(dir, 'package.json'), 'utf8')
  } catch {
    return false
  }
  try {
    const plugins = (JSON.parse(text) as PackageJson).oclif?.plugins
    return !Array.isArray(plugins) || plugins.length > 0
  } catch {
    return true
  }
}

// The same directories oclif uses for this CLI (bin `agent`, dirname `sandbox-agent`).
function dataDir(env: NodeJS.ProcessEnv): string {
  return env.AGENT_DATA_DIR || path.join(env.XDG_DATA_HOME || path.join(home(env), '.local/share'), 'sandbox-agent')
}

function cacheDir(env: NodeJS.ProcessEnv): string {
  return env.AGENT_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(home(env), '.cache'), 'sandbox-agent')
}

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir()
}

function readCopy(file: string, key: string): string | undefined {
  try {
    const copy = JSON.parse(readFileSync(file, 'utf8')) as {key?: unknown; text?: unknown}
    return copy.key === key && typeof copy.text === 'string' ? copy.text : undefined
  } catch {
    return undefined
  }
}

function writeCopy(file: string, key: string, text: string): void {
  try {
    mkdirSync(path.dirname(file), {recursive: true})
    // Written aside and renamed over, so a concurrent `--help` reads the old copy or the new one, never half of one.
    const aside = `${file}.${process.pid}.tmp`
    writeFileSync(aside, JSON.stringify({key, text}))
    renameSync(aside, file)
  } catch {
    // A read-only or full home: the help was printed all the same, the next one renders it again.
  }
}
