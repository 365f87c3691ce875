// Parses settings.json text as Qwen Code does (comments allowed, via jsonc-parser) and reports a syntax error by line
// and column from the parser's own error offset.
import {parse, stripComments, type ParseError, ParseErrorCode} from 'jsonc-parser'

export type JsonTextResult = {ok: true; value: unknown} | {ok: false; line: number; column: number; message: string}

const MESSAGES: Record<ParseErrorCode, string> = {
  [ParseErrorCode.InvalidSymbol]: 'Unexpected character',
  [ParseErrorCode.InvalidNumberFormat]: 'Invalid number',
  [ParseErrorCode.PropertyNameExpected]: 'Expected a property name in double quotes',
  [ParseErrorCode.ValueExpected]: 'Expected a value',
  [ParseErrorCode.ColonExpected]: "Expected ':' after a property name",
  [ParseErrorCode.CommaExpected]: "Expected ',' between entries",
  [ParseErrorCode.CloseBraceExpected]: "Expected '}'",
  [ParseErrorCode.CloseBracketExpected]: "Expected ']'",
  [ParseErrorCode.EndOfFileExpected]: 'Unexpected text after the end of the JSON value',
  [ParseErrorCode.InvalidCommentToken]: 'Invalid comment',
  [ParseErrorCode.UnexpectedEndOfComment]: 'Unterminated comment',
  [ParseErrorCode.UnexpectedEndOfString]: 'Unterminated string',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'Unterminated number',
  [ParseErrorCode.InvalidUnicode]: 'Invalid unicode escape',
  [ParseErrorCode.InvalidEscapeCharacter]: 'Invalid escape character in a string',
  [ParseErrorCode.InvalidCharacter]: 'Invalid character in a string',
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): {line: number; column: number} {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)))
  const lines = before.split('\n')
  return {line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1}
}

/** JSON with // and /* *\/ comments (no trailing commas, as JSON.parse); an empty or comment-only file is `{}`. */
export function parseJsonText(input: string): JsonTextResult {
  const text = input.replace(/^\uFEFF/, '')
  if (stripComments(text).trim() === '') return {ok: true, value: {}}
  const errors: ParseError[] = []
  parse(text, errors, {disallowComments: false, allowTrailingComma: false})
  const first = errors[0]
  // The value from JSON.parse: jsonc-parser assigns keys, so `"__proto__"` would set a prototype instead of being
  // an own key that deepMerge then drops. Comments become spaces; the text is valid JSON once they are gone.
  if (!first) return {ok: true, value: JSON.parse(stripComments(text, ' ')) as unknown}
  return {ok: false, ...lineAndColumn(text, first.offset), message: MESSAGES[first.error] ?? 'Invalid JSON'}
}
