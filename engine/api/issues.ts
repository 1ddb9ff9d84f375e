// The one way the engine words a validation problem: `field.path[3]: reason, got VALUE`, from zod issues.
// Scenarios, LAN specs, network faults and workload specs all go through it, so the CLI prints one style.
import type { z } from 'zod'

type PathKey = PropertyKey

/** `hosts[2].memGiB`; `root` for the input itself. */
export function formatPath(path: readonly PathKey[], root = '(input)'): string {
  let text = ''
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`
    else text += text === '' ? String(key) : `.${String(key)}`
  }
  return text === '' ? root : text
}

function valueAt(input: unknown, path: readonly PathKey[]): { found: boolean; value: unknown } {
  let current: unknown = input
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in (current as object))) return { found: false, value: undefined }
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return { found: true, value: current }
}

/** A value as an error message shows it: strings quoted, containers by their shape. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `an array of ${value.length}`
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  return String(value)
}

function rangeReason(issue: z.core.$ZodIssue): string {
  const bound = issue.code === 'too_small' ? issue.minimum : issue.code === 'too_big' ? issue.maximum : 0
  const inclusive = 'inclusive' in issue ? issue.inclusive : true
  const origin = 'origin' in issue ? issue.origin : 'number'
  if (origin === 'array') return `expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${String(bound)} item${Number(bound) === 1 ? '' : 's'}`
  if (origin === 'string') return issue.code === 'too_small' ? 'expected a non-empty string' : `expected at most ${bound} characters`
  if (issue.code === 'too_small' && Number(bound) === 0) return inclusive ? 'expected a non-negative number' : 'expected a positive number'
  const relation = issue.code === 'too_small' ? (inclusive ? '≥' : '>') : (inclusive ? '≤' : '<')
  return `expected a number ${relation} ${String(bound)}`
}

function issueReason(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': return issue.expected === 'int' ? 'expected an integer' : `expected ${issue.expected === 'object' ? 'an object' : issue.expected === 'array' ? 'an array' : `a ${issue.expected}`}`
    case 'too_small':
    case 'too_big': return rangeReason(issue)
    case 'invalid_value': return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'unrecognized_keys': return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    case 'invalid_union': return 'kind' in (issue as object) ? issue.message : `no variant matches (${issue.message})`
    default: return issue.message
  }
}

/** One zod issue as `path: reason, got VALUE` (the value looked up in `input`). */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown, root = '(input)'): string {
  const path = issue.path
  const at = valueAt(input, path)
  const reason = issue.code === 'invalid_union' && 'discriminator' in issue
    ? `unknown ${String(issue.discriminator)}`
    : issueReason(issue)
  if (issue.code === 'unrecognized_keys') return `${formatPath(path, root)}: ${reason}`
  const got = at.found ? `, got ${describeValue(at.value)}` : issue.code === 'invalid_type' ? ' (missing)' : ''
  return `${formatPath(path, root)}: ${reason}${got}`
}

/** Every problem `schema` finds in `input`, formatted; empty when it parses. */
export function schemaIssues(schema: z.ZodType, input: unknown, root = '(input)'): string[] {
  const parsed = schema.safeParse(input)
  return parsed.success ? [] : parsed.error.issues.map((issue) => formatIssue(issue, input, root))
}
