// Doctor check: the sandbox network policy in force for the current project (settings merged, as a run would see it).
import {describeNetwork, type NetworkSetting} from '../config/network-setting.js'
import type {CheckResult, DoctorCheck} from './types.js'

export function checkNetworkPolicy(setting: NetworkSetting, settingsFiles: readonly string[]): CheckResult {
  const from = settingsFiles.length > 0 ? ` (from ${settingsFiles.join(' + ')})` : ' (default)'
  if (setting === 'bridge')
    return {
      status: 'warn',
      summary: `sandbox.network: ${describeNetwork(setting)}${from}`,
      hint: 'The sandbox reaches everything the Docker bridge reaches; list the hosts it needs instead: {"allow": [...]}',
    }
  const how = typeof setting === 'object' ? ', through the session proxy' : ''
  return {status: 'ok', summary: `sandbox.network: ${describeNetwork(setting)}${how}${from}`}
}

export const networkPolicyCheck: DoctorCheck = {
  id: 'network',
  title: 'Network policy',
  run: async (ctx) => {
    if (!ctx.networkPolicy) return {status: 'skip', summary: 'no project settings loaded'}
    const {setting, settingsFiles} = await ctx.networkPolicy()
    return checkNetworkPolicy(setting, settingsFiles)
  },
}
