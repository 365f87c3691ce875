// Replacing and extending the system prompt: --system-prompt (file or text), QWEN_SYSTEM_MD, --append-system-prompt.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {UserInputError} from '../../errors.js'
import {resolveSystemPrompt, systemMdPath} from './resolve-system-prompt.js'

let project: string
beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'sa-prompt-'))
})
afterEach(() => fs.rmSync(project, {recursive: true, force: true}))

const base = () => ({tools: [], projectRoot: project, home: '/home/nobody'})

describe('resolveSystemPrompt', () => {
  it('uses the built-in prompt, then the appended text, then the context after a rule', () => {
    const {text, source} = resolveSystemPrompt({...base(), append: 'Answer in French.', context: 'CTX'})
    expect(source).toBe('built-in')
    expect(text).toMatch(/^You are a coding agent/)
    expect(text.indexOf('Answer in French.')).toBeGreaterThan(0)
    expect(text.endsWith('---\n\nCTX')).toBe(true)
  })

  it('--system-prompt reads a file when one exists, else takes the text itself', () => {
    fs.writeFileSync(path.join(project, 'prompt.md'), 'FROM FILE\n')
    expect(resolveSystemPrompt({...base(), replace: 'prompt.md'}).text).toBe('FROM FILE')
    expect(resolveSystemPrompt({...base(), replace: 'You are terse.'})).toEqual({
      text: 'You are terse.',
      source: 'flag text',
    })
  })

  it('QWEN_SYSTEM_MD=1 reads .qwen/system.md; a path reads that file; 0/false/unset keep the built-in prompt', () => {
    fs.mkdirSync(path.join(project, '.qwen'))
    fs.writeFileSync(path.join(project, '.qwen', 'system.md'), 'PROJECT SYSTEM')
    fs.writeFileSync(path.join(project, 'other.md'), 'OTHER SYSTEM')
    expect(resolveSystemPrompt({...base(), env: {QWEN_SYSTEM_MD: '1'}}).text).toBe('PROJECT SYSTEM')
    expect(resolveSystemPrompt({...base(), env: {QWEN_SYSTEM_MD: 'true'}}).text).toBe('PROJECT SYSTEM')
    expect(resolveSystemPrompt({...base(), env: {QWEN_SYSTEM_MD: 'other.md'}}).text).toBe('OTHER SYSTEM')
    expect(resolveSystemPrompt({...base(), env: {QWEN_SYSTEM_MD: 'false'}}).source).toBe('built-in')
    expect(systemMdPath('~/s.md', project, '/home/u')).toBe('/home/u/s.md')
    // --system-prompt wins over QWEN_SYSTEM_MD; the context is still added.
    expect(resolveSystemPrompt({...base(), env: {QWEN_SYSTEM_MD: '1'}, replace: 'FLAG', context: 'C'}).text).toBe(
      'FLAG\n\n---\n\nC',
    )
  })

  it('a QWEN_SYSTEM_MD file that is missing is one user error naming it', () => {
    expect(() => resolveSystemPrompt({...base(), env: {QWEN_SYSTEM_MD: 'missing.md'}})).toThrow(UserInputError)
    expect(() => resolveSystemPrompt({...base(), env: {QWEN_SYSTEM_MD: 'missing.md'}})).toThrow(
      /Cannot read the system prompt file .*missing\.md \(QWEN_SYSTEM_MD\): ENOENT/,
    )
  })
})
