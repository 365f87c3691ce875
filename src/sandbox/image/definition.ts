// The sandbox image's definition: where its files live, what image.json says, its default name and its content hash.
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {z} from 'zod'

import {UserInputError} from '../../errors.js'

/** Placeholder files that keep empty directories in git; they are hashed but never copied into the image. */
export const PLACEHOLDER_FILE = '.gitkeep'

const imageSpecSchema = z.object({
  base: z.string().min(1),
  suite: z.string().regex(/^[a-z]+$/),
  packages: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/)).min(1),
  user: z.object({
    name: z.string().regex(/^[a-z_][a-z0-9_-]*$/),
    uid: z.number().int().min(1),
    gid: z.number().int().min(1),
    home: z.string().startsWith('/'),
    shell: z.string().startsWith('/'),
  }),
  workdir: z.string().startsWith('/'),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()),
  cmd: z.array(z.string()).min(1),
  labels: z.record(z.string(), z.string()),
})

/** The facts of the image (image.json): shared by the Dockerfile (kept in step by a test) and the offline builder. */
export type ImageSpec = z.output<typeof imageSpecSchema>

export interface ImageDefinition {
  /** Directory holding Dockerfile, image.json and rootfs/. */
  dir: string
  spec: ImageSpec
  /** "sha256:<hex>" over every file under dir (sorted relative path, exec bit, content). */
  hash: string
}

/** The package's root directory (holding package.json), found from this file in src/ or dist/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const candidate = path.join(dir, 'package.json')
    if (fs.existsSync(candidate) && fs.existsSync(path.join(dir, 'sandbox-images'))) return dir
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('cannot find the sandbox-agent package root')
    dir = parent
  }
}

export function packageVersion(root: string = packageRoot()): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {version?: string}
  return pkg.version ?? '0.0.0'
}

/**
 * `sandbox-agent/sandbox:<package version>`: the image `agent sandbox build` makes and sessions run by default.
 * `SANDBOX_AGENT_IMAGE` names another one (several checkouts with different image definitions sharing one daemon).
 */
export function defaultImageName(version?: string, env: Record<string, string | undefined> = process.env): string {
  const override = env.SANDBOX_AGENT_IMAGE?.trim()
  if (override && version === undefined) return override
  return `sandbox-agent/sandbox:${version ?? packageVersion()}`
}

export function defaultDefinitionDir(root: string = packageRoot()): string {
  return path.join(root, 'sandbox-images', 'default')
}

/** Reads and checks a definition directory, and hashes it. */
export function loadImageDefinition(dir: string = defaultDefinitionDir()): ImageDefinition {
  const specFile = path.join(dir, 'image.json')
  let raw: unknown
  try {
    raw = JSON.parse(fs.readFileSync(specFile, 'utf8'))
  } catch (error) {
    throw new UserInputError(`Cannot read the image definition ${specFile}: ${(error as Error).message}`)
  }
  const parsed = imageSpecSchema.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new UserInputError(`Invalid ${specFile}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim())
  }
  return {dir, spec: parsed.data, hash: hashImageDefinition(dir)}
}

/** Every regular file and symlink under dir, as sorted forward-slash relative paths. */
export function definitionFiles(dir: string): string[] {
  const out: string[] = []
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), {withFileTypes: true})) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`
      if (entry.isDirectory()) walk(child)
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(child)
    }
  }
  walk('')
  return out.sort()
}

/**
 * sha256 over the definition: for each file in sorted order, its relative path, whether it is executable, and its
 * content (a symlink's target). Independent of mtimes, owners and the checkout's location.
 */
export function hashImageDefinition(dir: string): string {
  const hash = createHash('sha256')
  for (const rel of definitionFiles(dir)) {
    const full = path.join(dir, rel)
    const stat = fs.lstatSync(full)
    if (stat.isSymbolicLink()) {
      hash.update(`L\0${rel}\0${fs.readlinkSync(full)}\0`)
      continue
    }
    const content = fs.readFileSync(full)
    const exec = (stat.mode & 0o111) !== 0 ? 'x' : '-'
    hash.update(`F\0${rel}\0${exec}\0${content.length}\0`)
    hash.update(content)
  }
  return `sha256:${hash.digest('hex')}`
}

/** The Dockerfile-style instructions that give an imported root filesystem the same config as the Dockerfile's image. */
export function imageConfigChanges(spec: ImageSpec, labels: Record<string, string>): string[] {
  const quote = (value: string): string => JSON.stringify(value)
  return [
    ...Object.entries(spec.env).map(([key, value]) => `ENV ${key}=${quote(value)}`),
    ...Object.entries({...spec.labels, ...labels}).map(([key, value]) => `LABEL ${key}=${quote(value)}`),
    `WORKDIR ${spec.workdir}`,
    `USER ${spec.user.name}`,
    `CMD ${JSON.stringify(spec.cmd)}`,
  ]
}
