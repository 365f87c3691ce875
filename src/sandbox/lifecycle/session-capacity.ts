// How many sessions machines hold at once: two per CPU (sessions mostly wait on the model), within each one's memory.
import type {SandboxSettings} from '../../config/schema.js'

export function sessionCapacity(
  machines: readonly {cpus: number; memory: number}[],
  settings: SandboxSettings,
): number {
  let total = 0
  for (const machine of machines) {
    const byCpu = Math.max(1, Math.floor(machine.cpus * 2))
    const byMemory = machine.memory > 0 ? Math.floor(machine.memory / settings.memory) : byCpu
    total += Math.max(0, Math.min(byCpu, byMemory))
  }
  return Math.max(1, total)
}
