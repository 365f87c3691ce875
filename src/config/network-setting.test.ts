import {describe, expect, it} from 'vitest'

import {
  allowRules,
  findAllowRule,
  isNetworkWider,
  networkSettingSchema,
  parseAllowEntry,
  withAllowedHosts,
} from './network-setting.js'
import {checkSettings} from './settings-files.js'

describe('parseAllowEntry', () => {
  it('reads hosts, wildcards, ports and presets', () => {
    expect(parseAllowEntry('Registry.Example.org')).toEqual({
      ok: true,
      rules: [{host: 'registry.example.org', wildcard: false, ports: [80, 443]}],
    })
    expect(parseAllowEntry('*.files.example.org')).toEqual({
      ok: true,
      rules: [{host: 'files.example.org', wildcard: true, ports: [80, 443]}],
    })
    expect(parseAllowEntry('git.example.com:8443')).toEqual({
      ok: true,
      rules: [{host: 'git.example.com', wildcard: false, ports: [8443]}],
    })
    const npm = parseAllowEntry('@npm')
    expect(npm.ok && npm.rules.map((rule) => rule.host)).toContain('registry.npmjs.org')
  })

  it.each([
    ['', 'not an empty string'],
    ['https://registry.example.org/path', 'not a URL (write "registry.example.org")'],
    ['10.0.0.0/8', 'not an address range'],
    ['*', 'a wildcard only as a leading'],
    ['foo.*.org', 'a wildcard only as a leading'],
    ['example.org:0', 'a port from 1 to 65535'],
    ['[::1]:443', 'not an IPv6 address'],
    ['@nuget', 'a known preset'],
    ['*.org', 'a wildcard needs a suffix of two labels'],
  ])('refuses %j', (entry, problem) => {
    const parsed = parseAllowEntry(entry)
    expect(parsed.ok).toBe(false)
    expect(!parsed.ok && parsed.problem).toContain(problem)
  })
})

describe('the settings schema', () => {
  it('names a malformed entry in one line', () => {
    expect(() =>
      checkSettings({sandbox: {network: {allow: ['ok.example.org', 'https://x.example.org']}}}, 'settings.json'),
    ).toThrow(
      'Invalid settings in settings.json: sandbox.network.allow[1]: expected a host, *.suffix, host:port or a preset (@npm, @pypi, @github, @debian), not a URL (write "x.example.org") (got "https://x.example.org")',
    )
    expect(() => checkSettings({sandbox: {network: 'host'}}, 'settings.json')).toThrow(
      'sandbox.network: expected "none", "bridge" or {"allow": [hosts]} (got "host")',
    )
    expect(() => checkSettings({sandbox: {network: {allow: ['a.org'], deny: []}}}, 'f')).toThrow(
      'sandbox.network.deny: expected only "allow"',
    )
  })

  it('keeps none and bridge, and lower-cases entries', () => {
    expect(networkSettingSchema.parse('none')).toBe('none')
    expect(networkSettingSchema.parse('bridge')).toBe('bridge')
    expect(networkSettingSchema.parse({allow: [' A.example.org ']})).toEqual({allow: ['a.example.org']})
  })
})

describe('findAllowRule', () => {
  const rules = allowRules({allow: ['pkgs.example.org', '*.cdn.example.org', 'git.example.com:8443']})!
  it('matches exact hosts, subdomains of a wildcard and ports', () => {
    expect(findAllowRule(rules, 'pkgs.example.org', 443)).toBeDefined()
    expect(findAllowRule(rules, 'pkgs.example.org', 22)).toBeUndefined()
    expect(findAllowRule(rules, 'a.cdn.example.org', 80)).toBeDefined()
    expect(findAllowRule(rules, 'cdn.example.org', 80)).toBeUndefined()
    expect(findAllowRule(rules, 'evilcdn.example.org', 80)).toBeUndefined()
    expect(findAllowRule(rules, 'git.example.com', 8443)).toBeDefined()
    expect(findAllowRule(rules, 'git.example.com', 443)).toBeUndefined()
  })
})

describe('isNetworkWider', () => {
  it('orders none < an allow list < bridge', () => {
    expect(isNetworkWider('none', {allow: ['a.org']})).toBe(true)
    expect(isNetworkWider({allow: ['a.org']}, 'bridge')).toBe(true)
    expect(isNetworkWider('bridge', {allow: ['a.org']})).toBe(false)
    expect(isNetworkWider({allow: ['a.org']}, 'none')).toBe(false)
    expect(isNetworkWider('bridge', 'bridge')).toBe(false)
  })

  it('compares lists host by host and port by port', () => {
    expect(isNetworkWider({allow: ['a.org', 'b.org']}, {allow: ['b.org']})).toBe(false)
    expect(isNetworkWider({allow: ['a.org']}, {allow: ['a.org', 'c.org']})).toBe(true)
    expect(isNetworkWider({allow: ['*.a.org']}, {allow: ['x.a.org', '*.b.a.org']})).toBe(false)
    expect(isNetworkWider({allow: ['x.a.org']}, {allow: ['*.a.org']})).toBe(true)
    expect(isNetworkWider({allow: ['a.org:443']}, {allow: ['a.org']})).toBe(true)
    expect(isNetworkWider({allow: ['a.org']}, {allow: ['a.org:443']})).toBe(false)
    expect(isNetworkWider({allow: ['@npm']}, {allow: ['registry.npmjs.org']})).toBe(false)
  })
})

describe('withAllowedHosts', () => {
  it('adds hosts for one run', () => {
    expect(withAllowedHosts('none', ['a.org'])).toEqual({allow: ['a.org']})
    expect(withAllowedHosts({allow: ['a.org']}, ['a.org', 'b.org'])).toEqual({allow: ['a.org', 'b.org']})
    expect(withAllowedHosts('bridge', ['a.org'])).toBe('bridge')
    expect(withAllowedHosts('none', [])).toBe('none')
  })
})
