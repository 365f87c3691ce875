// The table of slash commands, in the order /help lists them. A new command: one file beside this one, one line here.
import {applyCommand} from './apply.js'
import {approvalModeCommand} from './approval-mode.js'
import {authCommand} from './auth.js'
import {clearCommand} from './clear.js'
import {compressCommand} from './compress.js'
import {diffCommand} from './diff.js'
import {discardCommand} from './discard.js'
import {helpCommand} from './help.js'
import {mcpCommand} from './mcp.js'
import {memoryCommand} from './memory.js'
import {modelCommand} from './model.js'
import {permissionsCommand} from './permissions.js'
import {quitCommand} from './quit.js'
import {resumeCommand} from './resume.js'
import type {SlashCommand} from './slash-command.js'
import {statsCommand} from './stats.js'
import {toolsCommand} from './tools.js'

export const SLASH_COMMANDS: readonly SlashCommand[] = [
  helpCommand,
  authCommand,
  modelCommand,
  toolsCommand,
  mcpCommand,
  approvalModeCommand,
  permissionsCommand,
  diffCommand,
  applyCommand,
  discardCommand,
  clearCommand,
  compressCommand,
  resumeCommand,
  memoryCommand,
  statsCommand,
  quitCommand,
]

export type {SlashCommand, SlashCommandInfo} from './slash-command.js'
