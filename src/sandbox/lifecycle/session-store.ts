// Host-side record of each session (workspace, settings, manifest), so `agent diff/apply/discard <id>` work later.
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import type {SandboxSettings} from '../../config/schema.js'
import {deserializeManifest, serializeManifest, type Manifest, type SerializedManifest} from '../workspace/manifest.js'

export interface SessionRecord {
  id: string
  workspace: string
  image: string
  settings: SandboxSettings
  createdAt: string
  manifest: Manifest
}

interface StoredRecord extends Omit<SessionRecord, 'manifest'> {
  manifest: SerializedManifest
}

/** The default state directory: the CLI's data dir (XDG_DATA_HOME/sandbox-agent), as oclif computes it. */
export function defaultStateDir(): string {
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share')
  return path.join(base, 'sandbox-agent')
}

export class SessionStore {
  readonly dir: string

  constructor(stateDir: string = defaultStateDir()) {
    this.dir = path.join(stateDir, 'sessions')
  }

  private file(id: string): string {
    if (!/^[0-9a-f]+$/.test(id)) throw new Error(`not a session id: ${id}`)
    return path.join(this.dir, `${id}.json`)
  }

  async save(record: SessionRecord): Promise<void> {
    await fs.mkdir(this.dir, {recursive: true, mode: 0o700})
    const stored: StoredRecord = {...record, manifest: serializeManifest(record.manifest)}
    const temp = `${this.file(record.id)}.${process.pid}.tmp`
    await fs.writeFile(temp, JSON.stringify(stored), {mode: 0o600})
    await fs.rename(temp, this.file(record.id))
  }

  async load(id: string): Promise<SessionRecord | undefined> {
    try {
      const stored = JSON.parse(await fs.readFile(this.file(id), 'utf8')) as StoredRecord
      return {...stored, manifest: deserializeManifest(stored.manifest)}
    } catch {
      return undefined
    }
  }

  async delete(id: string): Promise<void> {
    await fs.rm(this.file(id), {force: true})
  }
}
