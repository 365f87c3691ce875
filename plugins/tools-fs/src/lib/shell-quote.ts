// Quotes one argument for bash so paths and patterns from the model are data, never syntax.
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`
}
