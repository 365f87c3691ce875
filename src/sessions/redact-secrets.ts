// Keeps secrets out of saved conversations: the values of key- and token-like variables are replaced wherever they
// appear in what is written.

const SECRET_NAME = /(API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)/i
/** Shorter values are too likely to be ordinary words. */
const MIN_SECRET_LENGTH = 8
export const REDACTED = '[redacted]'

export type Redactor = (text: string) => string

/** A redactor for the secret-looking values of `env` (plus any extra values given). */
export function createRedactor(
  env: Readonly<Record<string, string | undefined>>,
  extra: readonly string[] = [],
): Redactor {
  const secrets = [
    ...Object.entries(env)
      .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined)
      .map(([, value]) => value as string),
    ...extra,
  ]
    .map((value) => value.trim())
    .filter((value) => value.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length)
  const unique = [...new Set(secrets)]
  if (unique.length === 0) return (text) => text
  return (text) => {
    let out = text
    for (const secret of unique) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    return out
  }
}
