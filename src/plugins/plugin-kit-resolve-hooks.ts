// Node module resolve hooks (run on Node's loader thread): `sandboxed-agent` and its subpaths, imported by any plugin,
// resolve to the CLI that is running, never to a copy the plugin brought or to nothing.
import {pathToFileURL} from 'node:url'

interface InitializeData {
  /** The running CLI's package root (the folder holding its package.json). */
  root: string
  /** The package's name, e.g. `sandboxed-agent`. */
  name: string
}

interface ResolveContext {
  conditions: string[]
  importAttributes: Record<string, string>
  parentURL?: string
}

type NextResolve = (specifier: string, context: ResolveContext) => Promise<{url: string; shortCircuit?: boolean}>

let host: {parentURL: string; name: string} | undefined

export function initialize(data: InitializeData): void {
  // Resolving as if imported from the CLI's own package.json is Node's package self-reference: the CLI's `exports`
  // map decides, with no path written here.
  host = {parentURL: pathToFileURL(`${data.root}/package.json`).href, name: data.name}
}

export async function resolve(
  specifier: string,
  context: ResolveContext,
  next: NextResolve,
): Promise<{url: string; shortCircuit?: boolean}> {
  if (host && (specifier === host.name || specifier.startsWith(`${host.name}/`))) {
    return next(specifier, {...context, parentURL: host.parentURL})
  }
  return next(specifier, context)
}
