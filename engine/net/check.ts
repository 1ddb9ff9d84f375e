// Tiny field checkers for validating plain descriptions: each appends `path: message, got value` to an
// issue list and returns whether the field passed, so validators read as a list of rules.

export type Issues = string[]

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (value === undefined) return 'nothing'
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}

export function fail(issues: Issues, path: string, expected: string, value: unknown): false {
  issues.push(`${path}: expected ${expected}, got ${describe(value)}`)
  return false
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function checkRecord(issues: Issues, path: string, value: unknown): value is Record<string, unknown> {
  return isRecord(value) || fail(issues, path, 'an object', value)
}

export function checkArray(issues: Issues, path: string, value: unknown, optional = false): value is unknown[] {
  if (optional && value === undefined) return false
  return Array.isArray(value) || fail(issues, path, 'an array', value)
}

export function checkString(issues: Issues, path: string, value: unknown, optional = false): value is string {
  if (optional && value === undefined) return false
  return (typeof value === 'string' && value.length > 0) || fail(issues, path, 'a non-empty string', value)
}

export function checkPositive(issues: Issues, path: string, value: unknown, optional = false): value is number {
  if (optional && value === undefined) return false
  return (typeof value === 'number' && Number.isFinite(value) && value > 0) || fail(issues, path, 'a positive number', value)
}

export function checkInteger(issues: Issues, path: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER, optional = false): value is number {
  if (optional && value === undefined) return false
  const ok = typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in ${min}…${max}`
  return ok || fail(issues, path, `an integer ${range}`, value)
}

export function checkRatio(issues: Issues, path: string, value: unknown, optional = false): value is number {
  if (optional && value === undefined) return false
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1
  return ok || fail(issues, path, 'a ratio in [0, 1)', value)
}

export function checkBoolean(issues: Issues, path: string, value: unknown, optional = false): value is boolean {
  if (optional && value === undefined) return false
  return typeof value === 'boolean' || fail(issues, path, 'a boolean', value)
}

export function checkOneOf<T extends string>(issues: Issues, path: string, value: unknown, options: readonly T[], optional = false): value is T {
  if (optional && value === undefined) return false
  return options.includes(value as T) || fail(issues, path, `one of ${options.join(', ')}`, value)
}

/** Flags keys the schema does not know (a typo otherwise silently falls back to a default). */
export function checkKnownKeys(issues: Issues, path: string, record: Record<string, unknown>, known: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) issues.push(`${path}.${key}: unknown field`)
  }
}
