// The shell tool's public surface: the tool (plain or configured from settings), its parameters and its permission rules.
export {
  createRunShellCommandTool,
  DEFAULT_SHELL_TIMEOUT_MS,
  describeShellCall,
  MAX_SHELL_TIMEOUT_MS,
  SHELL_OUTPUT_DIR,
  SHELL_TOOL_NAME,
  shellParametersSchema,
  shellToolFromSettings,
  type ShellParameters,
  type ShellToolSettings,
} from './run-shell-command.js'
export {checkShellCommand, compileShellRules, parseShellRule, SHELL_TOOL_NAMES} from './shell-permissions.js'
export type {ShellPermission, ShellPermissionRules, ShellRule} from './shell-permissions.js'
export {endsWithBackgroundOperator, parseShellCommand, type ShellParse, type SimpleCommand} from './shell-parse.js'
