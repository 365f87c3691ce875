// decideFolderTrust: Qwen Code's three rule levels, the most specific rule winning, and unknown folders.
import {describe, expect, it} from 'vitest'

import {decideFolderTrust, type TrustRule} from './folder-trust.js'

const rules = (entries: Record<string, TrustRule['level']>): TrustRule[] =>
  Object.entries(entries).map(([path, level]) => ({path, level}))

describe('decideFolderTrust', () => {
  it('a folder no rule covers is untrusted and unknown', () => {
    expect(decideFolderTrust([], '/home/u/app')).toEqual({trusted: false, decidedBy: 'unknown'})
    expect(decideFolderTrust(rules({'/home/u/other': 'TRUST_FOLDER'}), '/home/u/app').trusted).toBe(false)
    expect(decideFolderTrust(rules({'/home/u/ap': 'TRUST_FOLDER'}), '/home/u/app').trusted).toBe(false)
  })

  it('TRUST_FOLDER trusts the folder and everything under it, not its parent', () => {
    const r = rules({'/home/u/app': 'TRUST_FOLDER'})
    expect(decideFolderTrust(r, '/home/u/app')).toMatchObject({trusted: true, decidedBy: 'rule', scope: '/home/u/app'})
    expect(decideFolderTrust(r, '/home/u/app/packages/x').trusted).toBe(true)
    expect(decideFolderTrust(r, '/home/u').trusted).toBe(false)
  })

  it('TRUST_PARENT trusts the parent folder, so siblings too', () => {
    const r = rules({'/home/u/src/app': 'TRUST_PARENT'})
    expect(decideFolderTrust(r, '/home/u/src/sibling')).toMatchObject({trusted: true, scope: '/home/u/src'})
    expect(decideFolderTrust(r, '/home/u/elsewhere').trusted).toBe(false)
  })

  it('DO_NOT_TRUST overrides a broader trust, and a deeper trust overrides it', () => {
    const r = rules({
      '/home/u/src/app': 'TRUST_PARENT',
      '/home/u/src/odd': 'DO_NOT_TRUST',
      '/home/u/src/odd/ok': 'TRUST_FOLDER',
    })
    expect(decideFolderTrust(r, '/home/u/src/odd')).toMatchObject({trusted: false, decidedBy: 'rule'})
    expect(decideFolderTrust(r, '/home/u/src/odd/deep').trusted).toBe(false)
    expect(decideFolderTrust(r, '/home/u/src/odd/ok/deep').trusted).toBe(true)
    expect(decideFolderTrust(r, '/home/u/src/app').trusted).toBe(true)
  })

  it('on a tie the distrusting rule wins; relative paths in the file are ignored', () => {
    const r = rules({'/home/u/a/x': 'TRUST_PARENT', '/home/u/a': 'DO_NOT_TRUST', relative: 'TRUST_FOLDER'})
    expect(decideFolderTrust(r, '/home/u/a').trusted).toBe(false)
    expect(decideFolderTrust(rules({relative: 'TRUST_FOLDER'}), `${process.cwd()}/relative`).trusted).toBe(false)
  })
})
