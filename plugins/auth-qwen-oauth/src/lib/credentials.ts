// The cached Qwen OAuth credentials: Qwen Code's file format, read leniently, written atomically with mode 0600.
import {randomBytes} from 'node:crypto'
import fs from 'node:fs/promises'
import path from 'node:path'

import {z} from 'sandboxed-agent/plugin'

export const credentialsSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  token_type: z.string().default('Bearer'),
  /** Host (or URL) of the OpenAI-compatible endpoint the token grants, e.g. `portal.qwen.ai`. */
  resource_url: z.string().optional(),
  /** When the access token expires, ms since the epoch. */
  expiry_date: z.number(),
})

export type QwenCredentials = z.output<typeof credentialsSchema>

export class CredentialsStore {
  constructor(readonly file: string) {}

  /** The cached credentials, or undefined when there are none (a corrupt file counts as none). */
  async read(): Promise<QwenCredentials | undefined> {
    let text: string
    try {
      text = await fs.readFile(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    try {
      const parsed = credentialsSchema.safeParse(JSON.parse(text))
      return parsed.success ? parsed.data : undefined
    } catch {
      return undefined
    }
  }

  /** Writes to a private temp file beside the target, then renames it over: readers never see half a file. */
  async write(credentials: QwenCredentials): Promise<void> {
    const dir = path.dirname(this.file)
    await fs.mkdir(dir, {recursive: true, mode: 0o700})
    const temp = path.join(dir, `.${path.basename(this.file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
    const handle = await fs.open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(`${JSON.stringify(credentials, null, 2)}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
    try {
      await fs.chmod(temp, 0o600)
      await fs.rename(temp, this.file)
    } catch (error) {
      await fs.rm(temp, {force: true})
      throw error
    }
  }

  async clear(): Promise<void> {
    await fs.rm(this.file, {force: true})
  }
}

/** Credentials from a token endpoint's success body; keeps the old refresh token when a refresh returns none. */
export function credentialsFromTokenResponse(
  body: Record<string, unknown>,
  now: number,
  previous?: QwenCredentials,
): QwenCredentials {
  const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600)
  const refresh =
    typeof body.refresh_token === 'string' && body.refresh_token !== '' ? body.refresh_token : previous?.refresh_token
  const resource =
    typeof body.resource_url === 'string' && body.resource_url !== '' ? body.resource_url : previous?.resource_url
  return {
    access_token: String(body.access_token),
    token_type: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    ...(refresh ? {refresh_token: refresh} : {}),
    ...(resource ? {resource_url: resource} : {}),
    expiry_date: now + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000,
  }
}
