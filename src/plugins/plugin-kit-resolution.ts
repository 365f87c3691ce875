// Makes every plugin get the plugin kit from the CLI it is loaded into: installed plugins never need (or download) a
// copy of this package, and a plugin that brought its own copy still shares the host's kit and zod.
import {createRequire, register} from 'node:module'
import path from 'node:path'

import {packageRoot} from '../sandbox/image/definition.js'

/** What this needs of an oclif plugin (a real `Plugin` fits). */
export interface LoadedPlugin {
  name: string
  root: string
}

let registered = false

/**
 * Registers the resolve hooks unless every plugin already resolves `<name>/plugin` to this very CLI by plain Node
 * resolution (the usual case: only the bundled first-party plugins). The check is a few file look-ups; the hooks cost
 * a loader thread, so they are paid for only when an installed or linked plugin needs them.
 */
export function ensurePluginKitResolution(plugins: Iterable<LoadedPlugin>, root: string = packageRoot()): boolean {
  if (registered) return true
  const name = packageName(root)
  const hostKit = kitEntry(path.join(root, 'package.json'), name)
  const needsHooks = [...plugins].some(
    (plugin) => plugin.root !== root && kitEntry(path.join(plugin.root, 'package.json'), name) !== hostKit,
  )
  if (!needsHooks) return false
  register('./plugin-kit-resolve-hooks.js', import.meta.url, {data: {root, name}})
  registered = true
  return true
}

function packageName(root: string): string {
  const require = createRequire(path.join(root, 'package.json'))
  return (require('./package.json') as {name: string}).name
}

/** Where `<name>/plugin` resolves from a file, or undefined when it does not resolve there. */
function kitEntry(from: string, name: string): string | undefined {
  try {
    return createRequire(from).resolve(`${name}/plugin`)
  } catch {
    return undefined
  }
}
