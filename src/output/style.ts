// Colours for terminal output (the interactive UI and agent run's text), switched off as a whole (NO_COLOR, or not wanted).

export interface Style {
  readonly enabled: boolean
  dim(text: string): string
  bold(text: string): string
  cyan(text: string): string
  green(text: string): string
  red(text: string): string
  yellow(text: string): string
  magenta(text: string): string
  inverse(text: string): string
}

export function createStyle(enabled: boolean): Style {
  const paint = (code: string) => (text: string) => (enabled && text !== '' ? `\u001B[${code}m${text}\u001B[0m` : text)
  return {
    enabled,
    dim: paint('2'),
    bold: paint('1'),
    cyan: paint('36'),
    green: paint('32'),
    red: paint('31'),
    yellow: paint('33'),
    magenta: paint('35'),
    inverse: paint('7'),
  }
}
