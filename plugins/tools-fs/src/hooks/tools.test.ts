// The hook contributes every file tool, all acting in the sandbox, with schemas pinned by a snapshot.
import {toolParametersJsonSchema} from 'sandboxed-agent/plugin'
import {describe, expect, it} from 'vitest'

import {fileSystemTools} from './tools.js'

describe('agent:tools hook of @sandboxed-agent/tools-fs', () => {
  it('contributes the seven file tools, all in the sandbox', () => {
    expect(fileSystemTools.map((tool) => `${tool.name}:${tool.kind}:${tool.actsOn}`)).toEqual([
      'read_file:read:sandbox',
      'read_many_files:read:sandbox',
      'write_file:edit:sandbox',
      'edit:edit:sandbox',
      'list_directory:read:sandbox',
      'glob:search:sandbox',
      'search_file_content:search:sandbox',
    ])
  })

  it('shows the model these parameter schemas', () => {
    expect(
      Object.fromEntries(fileSystemTools.map((tool) => [tool.name, toolParametersJsonSchema(tool)])),
    ).toMatchSnapshot()
  })
})
