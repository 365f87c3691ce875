import {describe, expect, it} from 'vitest'

import {mapPermissionMode} from './permission-modes.js'

describe('mapPermissionMode', () => {
  it('keeps ours and maps the Claude Agent SDK names without a notice', () => {
    expect(mapPermissionMode('auto-edit')).toEqual({mode: 'auto-edit'})
    expect(mapPermissionMode('acceptEdits')).toEqual({mode: 'auto-edit'})
    expect(mapPermissionMode('bypassPermissions')).toEqual({mode: 'yolo'})
  })

  it('runs modes we do not have as default and says so', () => {
    expect(mapPermissionMode('plan')).toEqual({
      mode: 'default',
      notice: expect.stringContaining('"plan" is not supported'),
    })
  })
})
