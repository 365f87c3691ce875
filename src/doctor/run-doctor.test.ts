// The doctor's runner and report: one line per check, failures fail the run, the auth status is injected.
import {describe, expect, it} from 'vitest'

import {UserInputError} from '../errors.js'
import {registryAuthStatus} from './auth.js'
import {checkNodeVersion} from './node-version.js'
import {renderDoctorReport, runDoctor} from './run-doctor.js'
import type {DoctorCheck} from './types.js'

const fixed = (id: string, status: 'ok' | 'fail' | 'warn', hint?: string): DoctorCheck => ({
  id,
  title: id,
  run: async () => ({status, summary: `${id} summary`, ...(hint ? {hint} : {})}),
})

const notConfigured = registryAuthStatus(async () => ({
  configured: false,
  provider: undefined,
  summary: 'No credentials for the model. Set OPENAI_API_KEY',
  providers: [],
}))

describe('runDoctor', () => {
  it('is ok only when no check fails; warnings do not fail', async () => {
    const base = {env: {}, imageName: 'img', authStatus: notConfigured}
    expect((await runDoctor({...base, checks: [fixed('a', 'ok'), fixed('b', 'warn')]})).ok).toBe(true)
    expect((await runDoctor({...base, checks: [fixed('a', 'ok'), fixed('b', 'fail')]})).ok).toBe(false)
  })

  it('turns a throwing check into a failed line', async () => {
    const boom: DoctorCheck = {id: 'x', title: 'X', run: async () => Promise.reject(new Error('boom\nstack'))}
    const report = await runDoctor({env: {}, imageName: 'img', authStatus: notConfigured, checks: [boom]})
    expect(report.checks[0]).toMatchObject({status: 'fail', summary: 'check failed: boom'})
  })

  it('renders one line per check with a fix for failures', async () => {
    const report = await runDoctor({
      env: {},
      imageName: 'img',
      authStatus: notConfigured,
      checks: [fixed('a', 'ok'), fixed('bb', 'fail', 'Do this')],
    })
    expect(renderDoctorReport(report)).toBe('✓ a   a summary\n✗ bb  bb summary. Fix: Do this\n')
  })

  it('uses the injected auth status', async () => {
    const {authCheck} = await import('./auth.js')
    const report = await runDoctor({
      env: {},
      imageName: 'img',
      authStatus: async () => ({configured: true, description: 'logged in'}),
      checks: [authCheck],
    })
    expect(report.checks[0]).toMatchObject({status: 'ok', summary: 'logged in'})
  })

  it('reports the registry summary, and a settings file that does not load, as the auth line', async () => {
    expect(await notConfigured()).toEqual({
      configured: false,
      description: 'No credentials for the model. Set OPENAI_API_KEY',
    })
    const broken = registryAuthStatus(() =>
      Promise.reject(new UserInputError('Invalid settings in /p/.qwen/settings.json')),
    )
    expect(await broken()).toMatchObject({configured: false, description: 'Invalid settings in /p/.qwen/settings.json'})
  })
})

describe('checkNodeVersion', () => {
  it('accepts 20 and later, refuses older', () => {
    expect(checkNodeVersion('20.0.0').status).toBe('ok')
    expect(checkNodeVersion('22.3.1').status).toBe('ok')
    expect(checkNodeVersion('18.19.0')).toMatchObject({status: 'fail'})
  })
})
