// Turns a zod issue about settings.json into one short phrase: the key path, what was expected and what was found.
import type {z} from 'zod'

/** `tools.core[0]`, `sandbox.memory`: how users write a key path. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out === '' ? '(top level)' : out
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[part]
  }
  return value
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`)

function expectedText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${article(issue.expected)}`
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => shortJson(v)).join(', ')}`
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<'
      if (issue.origin === 'string')
        return `expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} characters`
      if (issue.origin === 'array')
        return `expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} items`
      return `expected a number ${op} ${bound}`
    }
    case 'invalid_union': {
      if (issue.message && issue.message !== 'Invalid input') return withExpected(issue.message)
      const types = issue.errors.flatMap((branch) =>
        branch.filter((i) => i.code === 'invalid_type').map((i) => i.expected),
      )
      return types.length > 0 ? `expected ${[...new Set(types)].map(article).join(' or ')}` : 'expected another value'
    }
    case 'invalid_format':
      return issue.message && !issue.message.startsWith('Invalid')
        ? withExpected(issue.message)
        : `expected a valid ${issue.format}`
    default:
      return withExpected(issue.message)
  }
}

function withExpected(message: string): string {
  return /^expected\b/i.test(message) ? message : `expected ${message}`
}

/** `sandbox.memory: expected a size such as "512m" or "2g" (got "lots")` */
export function describeSettingsIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const value = valueAt(input, issue.path)
  const got = value === undefined ? ' (missing)' : ` (got ${shortJson(value)})`
  return `${formatKeyPath(issue.path)}: ${expectedText(issue)}${got}`
}
