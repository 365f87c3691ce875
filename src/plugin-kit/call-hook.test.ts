// callHook runs a plugin's hook as the CLI would, so plugin authors test hooks without casting `this`.
import {describe, expect, it} from 'vitest'

import {callHook} from './call-hook.js'
import {defineTool} from './define-tool.js'
import type {AuthHook, ToolsHook} from './hooks.js'
import {z} from 'zod'

const echo = defineTool({
  name: 'echo_text',
  description: 'Echoes its text.',
  parameters: z.object({text: z.string()}),
  kind: 'other',
  actsOn: 'sandbox',
  execute: async ({text}) => ({forModel: text, forUser: text}),
})

describe('callHook', () => {
  it('passes the settings and gives back what a tools hook returns', async () => {
    const hook: ToolsHook = async ({settings}) => (settings.echo === false ? [] : [echo])
    expect(await callHook(hook)).toEqual([echo])
    expect(await callHook(hook, {settings: {echo: false}})).toEqual([])
  })

  it('passes home to an auth hook and lets its errors through', async () => {
    const hook: AuthHook = async function ({home}) {
      if (home === '/tmp/nobody') this.error(`no credentials under ${home}`)
      return []
    }
    await expect(callHook(hook, {home: '/tmp/nobody'})).rejects.toThrow('no credentials under /tmp/nobody')
  })
})
