// `agent --help` from the kept copy of oclif's rendering: the copy is exactly what oclif printed, it is what a second
// `--help` prints, and anything the rendering depends on (width, user plugins) makes oclif render it again.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {assertBuilt, runCli} from './run-cli.js'

let home: string
let env: Record<string, string>
const copyFile = () => path.join(home, 'cache', 'sandbox-agent', 'root-help.json')

beforeAll(() => assertBuilt())
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-root-help-'))
  env = {
    HOME: home,
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    OCLIF_COLUMNS: '100',
  }
})
afterEach(() => fs.rmSync(home, {recursive: true, force: true}))

/** Replaces the kept text but not its key: whatever prints this came from the copy, not from oclif. */
function tamperWithCopy(): string {
  const copy = JSON.parse(fs.readFileSync(copyFile(), 'utf8')) as {key: string; text: string}
  const marker = 'printed from the kept copy\n'
  fs.writeFileSync(copyFile(), JSON.stringify({...copy, text: marker}))
  return marker
}

describe('agent --help from the kept copy', () => {
  it("keeps exactly oclif's rendering and prints it the next time", async () => {
    const rendered = await runCli(['--help'], env)
    expect(rendered.code).toBe(0)
    expect(rendered.stdout).toContain('COMMANDS')
    const kept = JSON.parse(fs.readFileSync(copyFile(), 'utf8')) as {text: string}
    expect(kept.text).toBe(rendered.stdout)

    const again = await runCli(['--help'], env)
    expect(again).toEqual(rendered)

    const marker = tamperWithCopy()
    expect((await runCli(['--help'], env)).stdout).toBe(marker)
  })

  it('renders again for another width, and keeps that one', async () => {
    const wide = await runCli(['--help'], env)
    tamperWithCopy()
    const narrow = await runCli(['--help'], {...env, OCLIF_COLUMNS: '50'})
    expect(narrow.code).toBe(0)
    expect(narrow.stdout).not.toBe(wide.stdout)
    expect(narrow.stdout).toContain('COMMANDS')
    expect(Math.max(...narrow.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(
      Math.max(...wide.stdout.split('\n').map((line) => line.length)),
    )
    expect((await runCli(['--help'], {...env, OCLIF_COLUMNS: '50'})).stdout).toBe(narrow.stdout)
  })

  it('is not used while user-installed or linked plugins are listed (oclif renders every time)', async () => {
    await runCli(['--help'], env)
    const marker = tamperWithCopy()
    // What `agent plugins install` leaves in the data directory; the plugin itself need not load for this test.
    const dataDir = path.join(home, 'data', 'sandbox-agent')
    fs.mkdirSync(dataDir, {recursive: true})
    const userPlugins = {
      private: true,
      oclif: {schema: 1, plugins: [{type: 'user', name: 'sa-absent-plugin', tag: '1.0.0'}]},
    }
    fs.writeFileSync(path.join(dataDir, 'package.json'), JSON.stringify(userPlugins))
    const withPlugins = await runCli(['--help'], env)
    expect(withPlugins.stdout).not.toBe(marker)
    expect(withPlugins.stdout).toContain('COMMANDS')
  })
})
