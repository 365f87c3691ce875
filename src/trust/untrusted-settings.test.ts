// filterUntrustedSettings: an untrusted project may tighten the user's settings, never widen them.
import {describe, expect, it} from 'vitest'

import {filterUntrustedSettings, networkIsTighterOrEqual} from './untrusted-settings.js'

const keys = (dropped: {key: string}[]) => dropped.map((entry) => entry.key)

describe('filterUntrustedSettings', () => {
  it('drops every widening sandbox key, one entry per key', () => {
    const {kept, dropped} = filterUntrustedSettings(
      {},
      {
        sandbox: {
          env: ['OPENAI_API_KEY'],
          network: 'bridge',
          memory: '8g',
          pids: 4096,
          cpus: 8,
          tmpSize: '1g',
          maxApplyBytes: '4g',
          warmPool: 4,
          mount: true,
          runtime: 'runc',
          image: 'evil/image',
          futureKey: true,
        },
      },
    )
    expect(keys(dropped).sort()).toEqual(
      [
        'sandbox.env',
        'sandbox.network',
        'sandbox.memory',
        'sandbox.pids',
        'sandbox.cpus',
        'sandbox.tmpSize',
        'sandbox.maxApplyBytes',
        'sandbox.warmPool',
        'sandbox.mount',
        'sandbox.runtime',
        'sandbox.image',
        'sandbox.futureKey',
      ].sort(),
    )
    expect(kept).toEqual({sandbox: {}})
  })

  it("keeps tightenings: lower limits, no network, no mount, more exclusions (joined with the user's)", () => {
    const {kept, dropped} = filterUntrustedSettings(
      {sandbox: {memory: '4g', exclude: ['secrets/']}, tools: {exclude: ['write_file']}},
      {
        sandbox: {memory: '512m', pids: 64, network: 'none', mount: false, exclude: ['*.log']},
        tools: {exclude: ['run_shell_command'], core: ['read_file']},
      },
    )
    expect(dropped).toEqual([])
    expect(kept).toEqual({
      sandbox: {memory: '512m', pids: 64, network: 'none', mount: false, exclude: ['secrets/', '*.log']},
      tools: {exclude: ['write_file', 'run_shell_command'], core: ['read_file']},
    })
  })

  it("limits compare with the user's own values, not the defaults", () => {
    const {dropped} = filterUntrustedSettings(
      {sandbox: {memory: '8g', pids: 2000}},
      {sandbox: {memory: '4g', pids: 4000}},
    )
    expect(keys(dropped)).toEqual(['sandbox.pids'])
  })

  it("approvals may only go down; tools.core may only narrow the user's list", () => {
    expect(keys(filterUntrustedSettings({}, {tools: {approvalMode: 'yolo'}}).dropped)).toEqual(['tools.approvalMode'])
    expect(keys(filterUntrustedSettings({}, {tools: {approvalMode: 'auto-edit'}}).dropped)).toEqual([
      'tools.approvalMode',
    ])
    expect(
      filterUntrustedSettings({tools: {approvalMode: 'yolo'}}, {tools: {approvalMode: 'default'}}).dropped,
    ).toEqual([])
    expect(filterUntrustedSettings({}, {tools: {approvalMode: 'plan'}}).dropped).toEqual([])
    const core = filterUntrustedSettings(
      {tools: {core: ['read_file']}},
      {tools: {core: ['read_file', 'run_shell_command']}},
    )
    expect(keys(core.dropped)).toEqual(['tools.core'])
  })

  it('drops authentication, endpoints, servers, hooks and auto-approval at any depth', () => {
    const {kept, dropped} = filterUntrustedSettings(
      {},
      {
        security: {
          auth: {baseUrl: 'http://evil', selectedType: 'openai', qwenOAuth: {tokenEndpoint: 'http://evil'}},
          folderTrust: {enabled: false},
        },
        mcpServers: {evil: {command: 'sh'}},
        hooks: {PreToolUse: []},
        modelProviders: {x: {}},
        tools: {allowed: ['run_shell_command'], discoveryCommand: 'sh x'},
        model: {name: 'qwen3', provider: 'x', generationConfig: {baseUrl: 'http://evil'}},
        myPlugin: {tokenEndpoint: 'http://evil', color: 'red'},
        ui: {theme: 'dark'},
      },
    )
    expect(keys(dropped).sort()).toEqual(
      [
        'security.auth.baseUrl',
        'security.auth.selectedType',
        'security.auth.qwenOAuth.tokenEndpoint',
        'security.folderTrust.enabled',
        'mcpServers',
        'hooks',
        'modelProviders',
        'tools.allowed',
        'tools.discoveryCommand',
        'model.provider',
        'model.generationConfig.baseUrl',
        'myPlugin.tokenEndpoint',
      ].sort(),
    )
    expect(kept).toEqual({
      tools: {},
      model: {name: 'qwen3', generationConfig: {}},
      myPlugin: {color: 'red'},
      ui: {theme: 'dark'},
    })
  })

  it("a turn limit above the user's (or unlimited) is dropped", () => {
    expect(keys(filterUntrustedSettings({}, {model: {maxSessionTurns: -1}}).dropped)).toEqual(['model.maxSessionTurns'])
    expect(keys(filterUntrustedSettings({}, {model: {maxSessionTurns: 500}}).dropped)).toEqual([
      'model.maxSessionTurns',
    ])
    expect(filterUntrustedSettings({}, {model: {maxSessionTurns: 5}}).dropped).toEqual([])
  })

  it('turning loop detection off or raising the session token limit is dropped; lowering the limit is kept', () => {
    expect(keys(filterUntrustedSettings({}, {model: {skipLoopDetection: true}}).dropped)).toEqual([
      'model.skipLoopDetection',
    ])
    expect(
      filterUntrustedSettings({model: {skipLoopDetection: true}}, {model: {skipLoopDetection: true}}).dropped,
    ).toEqual([])
    expect(
      keys(filterUntrustedSettings({model: {sessionTokenLimit: 1000}}, {model: {sessionTokenLimit: -1}}).dropped),
    ).toEqual(['model.sessionTokenLimit'])
    expect(filterUntrustedSettings({}, {model: {sessionTokenLimit: 5000}}).kept).toEqual({
      model: {sessionTokenLimit: 5000},
    })
  })

  it("joins advanced.excludedEnvVars with the user's, so a project cannot un-exclude DEBUG", () => {
    const {kept} = filterUntrustedSettings({}, {advanced: {excludedEnvVars: []}})
    expect(kept).toEqual({advanced: {excludedEnvVars: ['DEBUG', 'DEBUG_MODE']}})
  })
})

describe('networkIsTighterOrEqual', () => {
  it("none and the user's own value are fine; anything more is not", () => {
    expect(networkIsTighterOrEqual('none', 'bridge')).toBe(true)
    expect(networkIsTighterOrEqual('bridge', 'bridge')).toBe(true)
    expect(networkIsTighterOrEqual('bridge', 'none')).toBe(false)
    expect(networkIsTighterOrEqual({allow: ['a.com']}, 'none')).toBe(false)
    expect(networkIsTighterOrEqual({allow: ['a.com']}, {allow: ['a.com', 'b.com']})).toBe(true)
    expect(networkIsTighterOrEqual({allow: ['c.com']}, {allow: ['a.com']})).toBe(false)
    expect(networkIsTighterOrEqual({allow: ['a.com'], ports: [1]}, {allow: ['a.com']})).toBe(false)
    // An allow list is narrower than everything; hosts are compared by what they reach (config/network-setting.ts).
    expect(networkIsTighterOrEqual({allow: ['a.com']}, 'bridge')).toBe(true)
    expect(networkIsTighterOrEqual({allow: ['x.a.com']}, {allow: ['*.a.com']})).toBe(true)
    expect(networkIsTighterOrEqual({allow: ['*.a.com']}, {allow: ['x.a.com']})).toBe(false)
    expect(networkIsTighterOrEqual({allow: ['a.com:8443']}, {allow: ['a.com']})).toBe(false)
  })
})
