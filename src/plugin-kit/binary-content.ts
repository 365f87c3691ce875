// Tells text from binary: the one rule for every part that shows, diffs or edits a file's contents as text.
import {isUtf8} from 'node:buffer'

/** How much of a file's start decides, as in git and gemini-cli. */
export const BINARY_SAMPLE_BYTES = 8192

/** Above this share of control bytes in the sample, valid UTF-8 still counts as binary. */
const CONTROL_SHARE = 0.3

/**
 * True when `data` is not text this project can show, diff or edit without changing a byte. Text is UTF-8, with or
 * without a BOM: the first 8 KiB hold no NUL byte, decode as UTF-8 (a sequence cut by the end of the sample is fine),
 * and are at most 30% control bytes (tab, newline, carriage return, bell, backspace, vertical tab, form feed and
 * shift-out do not count). An empty file is text. Latin-1 and other 8-bit encodings are binary: decoded as UTF-8 they
 * would show replacement characters, hide which bytes a change touched, and be rewritten wrongly by an edit. UTF-16
 * and UTF-32 (NUL bytes in their ASCII, invalid UTF-8 in their BOMs) are binary too, as git treats them.
 */
export function isBinaryContent(data: Uint8Array): boolean {
  const sample = data.subarray(0, BINARY_SAMPLE_BYTES)
  if (sample.length === 0) return false
  let control = 0
  for (const byte of sample) {
    if (byte === 0) return true
    if (byte < 7 || (byte > 14 && byte < 32)) control++
  }
  if (control / sample.length > CONTROL_SHARE) return true
  const whole = sample.length === data.length
  return !isUtf8(whole ? sample : withoutCutSequence(sample))
}

/** The sample without a last multi-byte sequence that the sample's end cut short. */
function withoutCutSequence(sample: Uint8Array): Uint8Array {
  let lead = sample.length - 1
  while (lead > 0 && sample.length - lead < 4 && (sample[lead]! & 0xc0) === 0x80) lead--
  const byte = sample[lead]!
  const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
  return sample.length - lead < needs ? sample.subarray(0, lead) : sample
}
