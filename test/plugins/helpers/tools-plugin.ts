// A plugin folder as a third party would publish it: a package.json declaring one `agent:tools` hook, and its source.
import fs from 'node:fs/promises'
import path from 'node:path'

export async function writeToolsPlugin(dir: string, name: string, hookSource: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'hooks'), {recursive: true})
  const manifest = {name, version: '1.0.0', type: 'module', oclif: {hooks: {'agent:tools': './hooks/tools.js'}}}
  await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest))
  await fs.writeFile(path.join(dir, 'hooks', 'tools.js'), hookSource)
}
