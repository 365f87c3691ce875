// Generated repositories for the benchmarks (in bench/.work/repos, gitignored): N files totalling M bytes, deterministic.
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {WORK_DIR} from './report.js'

export interface RepoSpec {
  name: string
  files: number
  bytes: number
}

export const SMALL_REPO: RepoSpec = {name: 'repo-1k-10mb', files: 1_000, bytes: 10 * 1000 * 1000}
export const LARGE_REPO: RepoSpec = {name: 'repo-20k-200mb', files: 20_000, bytes: 200 * 1000 * 1000}

const GENERATOR_VERSION = 1
const POOL_SIZE = 1 << 20
let pool: Buffer | undefined

/** 1 MiB of code-like text from a seeded generator, sliced at different offsets for each file. */
function textPool(): Buffer {
  if (pool) return pool
  const words = [
    'const',
    'let',
    'function',
    'return',
    'if',
    'else',
    'for',
    'await',
    'import',
    'export',
    'value',
    'result',
    'config',
    'session',
    'sandbox',
    'workspace',
    '=',
    '{',
    '}',
    '(',
    ')',
    ';',
    '=>',
    'true',
    'false',
    'null',
  ]
  let seed = 0x2545f491
  const next = () => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return seed >>> 0
  }
  const parts: string[] = []
  let size = 0
  while (size < POOL_SIZE + 65_536) {
    const line = Array.from({length: 4 + (next() % 10)}, () => words[next() % words.length]).join(' ')
    const text = `${'  '.repeat(next() % 4)}${line} // ${next().toString(36)}\n`
    parts.push(text)
    size += text.length
  }
  pool = Buffer.from(parts.join(''))
  return pool
}

/** Relative path of file number `index` (0-based): 20 top dirs, 10 subdirs each, files spread across them. */
export function filePath(index: number): string {
  const top = index % 20
  const sub = Math.floor(index / 20) % 10
  return path.join('src', `pkg-${top}`, `mod-${sub}`, `file-${index}.ts`)
}

/** Sizes vary (a quarter to twice the mean) but add up to `bytes` over the whole repository. */
function fileSize(spec: RepoSpec, index: number): number {
  const mean = spec.bytes / spec.files
  const factors = [0.25, 0.5, 1, 1.5, 1.75]
  return Math.round(mean * (factors[index % factors.length] ?? 1))
}

export function fileContent(spec: RepoSpec, index: number): Buffer {
  const text = textPool()
  const size = fileSize(spec, index)
  const chunks: Buffer[] = []
  let remaining = size
  let offset = (index * 7919) % (POOL_SIZE - 1)
  while (remaining > 0) {
    const take = Math.min(remaining, text.length - offset)
    chunks.push(text.subarray(offset, offset + take))
    remaining -= take
    offset = 0
  }
  return Buffer.concat(chunks, size)
}

export function repoDir(spec: RepoSpec): string {
  return path.join(WORK_DIR, 'repos', spec.name)
}

/** Makes the repository unless an identical one is already there; returns its directory. */
export function ensureRepo(spec: RepoSpec): string {
  const dir = repoDir(spec)
  const marker = `${dir}.json`
  const want = JSON.stringify({...spec, version: GENERATOR_VERSION})
  if (existsSync(marker) && readFileSync(marker, 'utf8') === want && existsSync(dir)) return dir
  rmSync(dir, {recursive: true, force: true})
  rmSync(marker, {force: true})
  for (let i = 0; i < spec.files; i++) {
    const file = path.join(dir, filePath(i))
    if (i < 200) mkdirSync(path.dirname(file), {recursive: true})
    writeFileSync(file, fileContent(spec, i))
  }
  writeFileSync(marker, want)
  return dir
}

/** Puts file `index` back to its generated content (after a benchmark changed or applied it). */
export function restoreFile(spec: RepoSpec, index: number): void {
  writeFileSync(path.join(repoDir(spec), filePath(index)), fileContent(spec, index))
}
