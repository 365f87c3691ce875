// The plugin's agent:tools hook: contributes the file system tools to every run.
import type {ToolsHook} from 'sandboxed-agent/plugin'

import {editTool} from '../tools/edit.js'
import {globTool} from '../tools/glob.js'
import {listDirectoryTool} from '../tools/list-directory.js'
import {readFileTool} from '../tools/read-file.js'
import {readManyFilesTool} from '../tools/read-many-files.js'
import {searchFileContentTool} from '../tools/search-file-content.js'
import {writeFileTool} from '../tools/write-file.js'

export const fileSystemTools = [
  readFileTool,
  readManyFilesTool,
  writeFileTool,
  editTool,
  listDirectoryTool,
  globTool,
  searchFileContentTool,
]

const hook: ToolsHook = async () => fileSystemTools

export default hook
