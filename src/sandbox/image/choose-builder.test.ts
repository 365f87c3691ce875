// The builder choice: explicit flags win, auto prefers the Dockerfile and falls back to offline without a registry.
import {describe, expect, it} from 'vitest'

import {chooseBuilder, type BuildFacts} from './choose-builder.js'

/** Runs the decision loop against fixed probe answers, recording the probes asked for. */
function decide(facts: BuildFacts, answers: Omit<BuildFacts, 'requested'>) {
  const probes: string[] = []
  const known: BuildFacts = {...facts}
  for (let i = 0; i < 10; i++) {
    const d = chooseBuilder(known)
    if (d.action === 'build' || d.action === 'fail') return {decision: d, probes}
    probes.push(d.action)
    if (d.action === 'check-base') known.baseImageLocal = answers.baseImageLocal ?? false
    if (d.action === 'try-pull') known.basePull = answers.basePull ?? {ok: false, error: 'no registry'}
    if (d.action === 'check-offline') known.offlineReady = answers.offlineReady ?? {ok: true}
  }
  throw new Error('no decision')
}

describe('chooseBuilder', () => {
  it('uses the Dockerfile when asked, without probing', () => {
    expect(decide({requested: 'dockerfile'}, {})).toEqual({
      decision: {action: 'build', builder: 'dockerfile', reason: 'requested with --dockerfile'},
      probes: [],
    })
  })

  it('uses offline when asked, after checking it can run', () => {
    const {decision, probes} = decide({requested: 'offline'}, {})
    expect(decision).toMatchObject({action: 'build', builder: 'offline'})
    expect(probes).toEqual(['check-offline'])
  })

  it('fails with one clear message when offline is asked but cannot run', () => {
    const {decision} = decide({requested: 'offline'}, {offlineReady: {ok: false, error: 'it needs root'}})
    expect(decision).toMatchObject({action: 'fail'})
    expect(decision.action === 'fail' && decision.message).toContain('it needs root')
  })

  it('auto: a local base image means the Dockerfile, no pull', () => {
    const {decision, probes} = decide({requested: 'auto'}, {baseImageLocal: true})
    expect(decision).toMatchObject({action: 'build', builder: 'dockerfile'})
    expect(probes).toEqual(['check-base'])
  })

  it('auto: a pullable base means the Dockerfile', () => {
    const {decision, probes} = decide({requested: 'auto'}, {baseImageLocal: false, basePull: {ok: true}})
    expect(decision).toMatchObject({action: 'build', builder: 'dockerfile', reason: 'the base image was pulled'})
    expect(probes).toEqual(['check-base', 'try-pull'])
  })

  it('auto: no registry falls back to offline and says why', () => {
    const {decision, probes} = decide(
      {requested: 'auto'},
      {baseImageLocal: false, basePull: {ok: false, error: 'no such host'}, offlineReady: {ok: true}},
    )
    expect(decision).toEqual({
      action: 'build',
      builder: 'offline',
      reason: 'the base image cannot be pulled (no such host)',
    })
    expect(probes).toEqual(['check-base', 'try-pull', 'check-offline'])
  })

  it('auto: a failed Dockerfile build falls back to offline', () => {
    const d = chooseBuilder({
      requested: 'auto',
      baseImageLocal: true,
      dockerfileFailed: 'apt-get: no network',
      offlineReady: {ok: true},
    })
    expect(d).toMatchObject({action: 'build', builder: 'offline'})
  })

  it('auto: neither path possible is a failure naming both reasons', () => {
    const {decision} = decide(
      {requested: 'auto'},
      {basePull: {ok: false, error: 'no such host'}, offlineReady: {ok: false, error: 'debootstrap is not installed'}},
    )
    expect(decision.action).toBe('fail')
    if (decision.action === 'fail') {
      expect(decision.message).toContain('no such host')
      expect(decision.message).toContain('debootstrap is not installed')
    }
  })

  it('never falls back for an explicit --dockerfile', () => {
    expect(chooseBuilder({requested: 'dockerfile', dockerfileFailed: 'x'})).toMatchObject({builder: 'dockerfile'})
  })
})
