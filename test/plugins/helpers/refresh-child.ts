// One token refresh in a process of its own, for the cross-process lock test: prints each read of the cache and the token it ends with.
// Run: node --import tsx refresh-child.ts <home> <token endpoint> <stale ms>
import process from 'node:process'

import {CredentialsStore, type QwenCredentials} from '../../../plugins/auth-qwen-oauth/src/lib/credentials.js'
import {credentialsPath, resolveOAuthSettings} from '../../../plugins/auth-qwen-oauth/src/lib/oauth-settings.js'
import {validCredentials} from '../../../plugins/auth-qwen-oauth/src/lib/token-manager.js'

const [home = '', tokenEndpoint = '', staleMs = '2000'] = process.argv.slice(2)

/** The real store, saying on stdout what each read found, so the test knows where this process is. */
class ReportingStore extends CredentialsStore {
  override async read(): Promise<QwenCredentials | undefined> {
    const credentials = await super.read()
    process.stdout.write(`read ${credentials?.access_token ?? 'none'}\n`)
    return credentials
  }
}

const settings = resolveOAuthSettings({settings: {}, env: {QWEN_OAUTH_TOKEN_ENDPOINT: tokenEndpoint}})
const credentials = await validCredentials(settings, {
  store: new ReportingStore(credentialsPath(home)),
  fetch: (input, init) => fetch(input, init),
  now: Date.now,
  lock: {staleMs: Number(staleMs), pollMs: 50},
})
process.stdout.write(`token ${credentials.access_token}\n`)
