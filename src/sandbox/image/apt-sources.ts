// Reads the host's apt sources (one-line .list and deb822 .sources) to find the Debian mirror the offline builder uses.
import fs from 'node:fs'
import path from 'node:path'

/** One "deb" line or one deb822 stanza expanded to a single URI and suite. */
export interface AptSource {
  type: 'deb' | 'deb-src'
  uri: string
  suite: string
  components: string[]
  /** Keyring file from [signed-by=...] or Signed-By: (a path; inline keys are ignored). */
  signedBy?: string
  /** The file it came from, for messages. */
  file: string
}

/** Parses the one-line format: `deb [opt=val ...] uri suite component...`. */
export function parseOneLineSources(text: string, file = 'sources.list'): AptSource[] {
  const sources: AptSource[] = []
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/#.*$/, '').trim()
    if (line === '') continue
    const match = /^(deb|deb-src)\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s*(.*)$/.exec(line)
    if (!match) continue
    const [, type, optionText, uri, suite, rest] = match
    const options = parseOptions(optionText ?? '')
    const source: AptSource = {
      type: type as AptSource['type'],
      uri: trimSlash(uri as string),
      suite: suite as string,
      components: (rest ?? '').split(/\s+/).filter(Boolean),
      file,
    }
    const signedBy = options['signed-by']
    if (signedBy && signedBy.startsWith('/')) source.signedBy = signedBy
    sources.push(source)
  }
  return sources
}

/** Parses the deb822 format: stanzas of `Field: value` separated by blank lines; each URI x suite is one source. */
export function parseDeb822Sources(text: string, file = 'debian.sources'): AptSource[] {
  const sources: AptSource[] = []
  for (const stanza of splitStanzas(text)) {
    if ((stanza.enabled ?? 'yes').toLowerCase() === 'no') continue
    const types = words(stanza.types).filter((t): t is AptSource['type'] => t === 'deb' || t === 'deb-src')
    const uris = words(stanza.uris).map(trimSlash)
    const suites = words(stanza.suites)
    const components = words(stanza.components)
    const signedBy = stanza['signed-by']?.trim()
    for (const type of types) {
      for (const uri of uris) {
        for (const suite of suites) {
          const source: AptSource = {type, uri, suite, components, file}
          if (signedBy && signedBy.startsWith('/') && !signedBy.includes('\n')) source.signedBy = signedBy
          sources.push(source)
        }
      }
    }
  }
  return sources
}

export interface ReadAptSourcesOptions {
  /** Root of the filesystem to read (tests point it at a fixture); defaults to "/". */
  root?: string
}

/** Reads /etc/apt/sources.list, /etc/apt/sources.list.d/*.list and *.sources, in the order apt does. */
export function readAptSources(options: ReadAptSourcesOptions = {}): {sources: AptSource[]; files: string[]} {
  const root = options.root ?? '/'
  const etc = path.join(root, 'etc', 'apt')
  const files: string[] = []
  const sources: AptSource[] = []
  const main = path.join(etc, 'sources.list')
  if (fs.existsSync(main)) {
    files.push(main)
    sources.push(...parseOneLineSources(fs.readFileSync(main, 'utf8'), main))
  }
  const dir = path.join(etc, 'sources.list.d')
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []
  for (const name of names) {
    const file = path.join(dir, name)
    if (name.endsWith('.list')) {
      files.push(file)
      sources.push(...parseOneLineSources(fs.readFileSync(file, 'utf8'), file))
    } else if (name.endsWith('.sources')) {
      files.push(file)
      sources.push(...parseDeb822Sources(fs.readFileSync(file, 'utf8'), file))
    }
  }
  return {sources, files}
}

/** The mirror and the extra suites (updates, security) the chroot's apt should use. */
export interface DebianMirror {
  /** The archive debootstrap installs from (serves `<suite> main`). */
  uri: string
  suite: string
  keyring?: string
  /** Host entries for <suite>-updates and <suite>-security with main, written into the image's sources. */
  extra: Array<{uri: string; suite: string}>
}

/**
 * Picks the entry serving Debian `<suite>` with component main. Security and updates suites for the same release
 * are kept as extras. Returns undefined when the host has no such entry (e.g. a non-Debian host).
 */
export function findDebianMirror(sources: AptSource[], suite = 'bookworm'): DebianMirror | undefined {
  const binary = sources.filter((s) => s.type === 'deb' && s.components.includes('main') && isFetchable(s.uri))
  const primary = binary.find((s) => s.suite === suite)
  if (!primary) return undefined
  const extra: DebianMirror['extra'] = []
  for (const s of binary) {
    if (s.suite !== `${suite}-updates` && s.suite !== `${suite}-security` && s.suite !== `${suite}/updates`) continue
    if (!extra.some((e) => e.uri === s.uri && e.suite === s.suite)) extra.push({uri: s.uri, suite: s.suite})
  }
  const mirror: DebianMirror = {uri: primary.uri, suite, extra}
  if (primary.signedBy) mirror.keyring = primary.signedBy
  return mirror
}

/** The chroot's /etc/apt/sources.list for a mirror (main only). */
export function renderSourcesList(mirror: DebianMirror): string {
  const lines = [`deb ${mirror.uri} ${mirror.suite} main`, ...mirror.extra.map((e) => `deb ${e.uri} ${e.suite} main`)]
  return `${lines.join('\n')}\n`
}

function isFetchable(uri: string): boolean {
  return /^(https?|file|ftp):/i.test(uri)
}

function trimSlash(uri: string): string {
  return uri.length > 1 ? uri.replace(/\/+$/, '') : uri
}

function words(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter(Boolean)
}

function parseOptions(text: string): Record<string, string> {
  const options: Record<string, string> = {}
  for (const part of text.split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf('=')
    if (eq > 0) options[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1)
  }
  return options
}

/** deb822 stanzas with lower-cased field names; continuation lines (leading space) append to the previous field. */
function splitStanzas(text: string): Array<Record<string, string>> {
  const stanzas: Array<Record<string, string>> = []
  let current: Record<string, string> = {}
  let last: string | undefined
  const flush = (): void => {
    if (Object.keys(current).length > 0) stanzas.push(current)
    current = {}
    last = undefined
  }
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    if (line.trim() === '') {
      flush()
      continue
    }
    if (/^\s/.test(line) && last) {
      const rest = line.trim()
      current[last] = `${current[last] ?? ''}\n${rest === '.' ? '' : rest}`
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    last = line.slice(0, colon).trim().toLowerCase()
    current[last] = line.slice(colon + 1).trim()
  }
  flush()
  return stanzas
}
