// Merges settings objects key by key: later sources win, nested objects merge, arrays and scalars are replaced.

export type JsonObject = Record<string, unknown>

export function isPlainObject(value: unknown): value is JsonObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** A new object: `override` wins key by key; arrays are replaced, never concatenated; inputs are not modified. */
export function deepMerge(base: JsonObject, override: JsonObject): JsonObject {
  const out: JsonObject = {...base}
  for (const [key, value] of Object.entries(override)) {
    // JSON.parse can create an own "__proto__" key; never let it reach an object's prototype.
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return out
}
