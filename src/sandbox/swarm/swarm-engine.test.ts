import type Dockerode from 'dockerode'
import {describe, expect, it} from 'vitest'

import {sandboxSettingsSchema} from '../../config/schema.js'
import {SwarmSandboxEngine} from './swarm-engine.js'

describe('SwarmSandboxEngine.check', () => {
  it('refuses an open network ("bridge") in one line before anything reaches the cluster', async () => {
    // No engine call may happen: the fake has no methods, so reaching it would fail differently.
    const engine = new SwarmSandboxEngine({docker: {} as Dockerode, registry: 'http://127.0.0.1:9'})
    const settings = sandboxSettingsSchema.parse({network: 'bridge'})
    await expect(engine.check(settings)).rejects.toThrow(
      'The swarm engine runs sandboxes with no network or an allow list, not "bridge"',
    )
  })
})
