// Tells text from binary the way git and gemini-cli do: a NUL byte, or many control bytes, in the first 8 KiB.
const SAMPLE_BYTES = 8192

export function looksBinary(data: Buffer): boolean {
  const sample = data.subarray(0, SAMPLE_BYTES)
  if (sample.length === 0) return false
  let control = 0
  for (const byte of sample) {
    if (byte === 0) return true
    if (byte < 7 || (byte > 14 && byte < 32)) control++
  }
  return control / sample.length > 0.3
}
