// The one-line form of oclif's parse errors: the meaningful reason, never oclif's header or footer.
import {describe, expect, it} from 'vitest'

import {parseErrorLine} from './base-command.js'

describe('parseErrorLine', () => {
  it('drops the "The following error occurred:" header and keeps the reason (exclusive flags)', () => {
    const message =
      'The following error occurred:\n  \u001B[2m--prompt-file=b cannot also be provided when using --prompt\u001B[22m\nSee more help with --help'
    expect(parseErrorLine(message)).toBe('--prompt-file=b cannot also be provided when using --prompt')
  })

  it('joins several reasons on one line', () => {
    expect(parseErrorLine('The following errors occurred:\n  --a cannot be used with --b\n  --c is required')).toBe(
      '--a cannot be used with --b; --c is required',
    )
  })

  it('keeps a plain one-line message as it is', () => {
    expect(
      parseErrorLine('Expected --approval-mode=foo to be one of: default, auto-edit, yolo\nSee more help with --help'),
    ).toBe('Expected --approval-mode=foo to be one of: default, auto-edit, yolo')
  })

  it('turns "Parsing --flag" and its reason into "--flag: reason"', () => {
    expect(
      parseErrorLine('Parsing --max-turns \n\tExpected an integer greater than or equal to 1 but received: 0'),
    ).toBe('--max-turns: Expected an integer greater than or equal to 1 but received: 0')
  })
})
