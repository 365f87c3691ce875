// Which settings file defines each MCP server (user or project), read from the files themselves.
import {readSettingsFile} from 'sandboxed-agent/plugin'

export type Scope = 'user' | 'project'

/** Server names by the file that defines them (a name in both: the project's entry wins in a trusted folder). */
export async function serverScopes(files: {user: string; project: string}): Promise<Record<Scope, string[]>> {
  const names = async (file: string): Promise<string[]> => {
    const servers = (await readSettingsFile(file)).mcpServers
    return servers && typeof servers === 'object' && !Array.isArray(servers) ? Object.keys(servers) : []
  }
  const user = await names(files.user)
  const project = files.project === files.user ? [] : await names(files.project)
  return {user, project}
}
