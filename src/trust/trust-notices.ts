// The one-line notices folder trust prints: what was ignored, why, and the command that trusts the folder.

/** `agent trust <folder>`, quoted for a shell when the path needs it. */
export function trustCommand(folder: string): string {
  const quoted = /^[\w@%+=:,./-]+$/.test(folder) ? folder : `'${folder.replaceAll("'", `'\\''`)}'`
  return `agent trust ${quoted}`
}

/** One notice for one settings key of an untrusted folder that was not applied. */
export function ignoredSettingNotice(key: string, effect: string, file: string, folder: string): string {
  return `Ignored ${key} from ${file}: it ${effect}, and this folder is not trusted. To apply it, trust the folder: ${trustCommand(folder)}`
}

/** One notice for a variable of an untrusted folder's .env file that the core kept from every auth provider. */
export function ignoredVariableNotice(name: string, file: string, folder: string): string {
  return `Ignored ${name} from ${file}: an endpoint from a folder that is not trusted never receives your credentials. Set it in your environment or ~/.qwen/settings.json, or trust the folder: ${trustCommand(folder)}`
}
