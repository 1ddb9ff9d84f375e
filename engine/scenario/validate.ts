// Scenario validation: the zod schema, then cross-references (rule selectors, maintenance and fault hosts).
// Every problem is reported as `field.path[3]: reason, got VALUE`, the form the CLI prints before exiting 2.
import { toJSONSchema, type z } from 'zod'
import { scenarioSchema, type Scenario } from './schema'
import { groupOfEach, hostIds, resolveSelectors, vmIds } from './ids'
import { traceErrors } from './trace-source'

export type ScenarioValidation =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly string[] }

type PathKey = PropertyKey

export function formatPath(path: readonly PathKey[]): string {
  let text = ''
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`
    else text += text === '' ? String(key) : `.${String(key)}`
  }
  return text === '' ? '(scenario)' : text
}

function valueAt(input: unknown, path: readonly PathKey[]): { found: boolean; value: unknown } {
  let current: unknown = input
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(key in (current as object))) return { found: false, value: undefined }
    current = (current as Record<PropertyKey, unknown>)[key]
  }
  return { found: true, value: current }
}

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
  if (origin === 'array') return issue.code === 'too_small' ? `expected at least ${bound} items` : `expected at most ${bound} items`
  if (origin === 'string') return issue.code === 'too_small' ? 'expected a non-empty string' : `expected at most ${bound} characters`
  if (issue.code === 'too_small' && Number(bound) === 0) return inclusive ? 'expected a non-negative number' : 'expected a positive number'
  const relation = issue.code === 'too_small' ? (inclusive ? '≥' : '>') : (inclusive ? '≤' : '<')
  return `expected a number ${relation} ${String(bound)}`
}

function issueReason(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': return issue.expected === 'int' ? 'expected an integer' : `expected ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`
    case 'too_small':
    case 'too_big': return rangeReason(issue)
    case 'invalid_value': return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'unrecognized_keys': return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    case 'invalid_union': return 'kind' in (issue as object) ? issue.message : `no variant matches (${issue.message})`
    default: return issue.message
  }
}

export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path
  const at = valueAt(input, path)
  const reason = issue.code === 'invalid_union' && 'discriminator' in issue
    ? `unknown ${String(issue.discriminator)}`
    : issueReason(issue)
  if (issue.code === 'unrecognized_keys') return `${formatPath(path)}: ${reason}`
  const got = at.found ? `, got ${describeValue(at.value)}` : issue.code === 'invalid_type' ? ' (missing)' : ''
  return `${formatPath(path)}: ${reason}${got}`
}

function crossReferenceErrors(scenario: Scenario): string[] {
  const errors: string[] = []
  const hosts = hostIds(scenario)
  const vms = vmIds(scenario)
  const hostGroups = groupOfEach(scenario.hosts)
  const vmGroups = groupOfEach(scenario.vms)
  const hostSet = new Set(hosts)
  scenario.rules.forEach((rule, r) => {
    const vmMatch = resolveSelectors(rule.vms, vms, vmGroups)
    if ('unknownAt' in vmMatch) errors.push(`rules[${r}].vms[${vmMatch.unknownAt}]: unknown VM or VM group, got ${JSON.stringify(rule.vms[vmMatch.unknownAt])}`)
    if (rule.kind === 'vm-host') {
      const hostMatch = resolveSelectors(rule.hosts, hosts, hostGroups)
      if ('unknownAt' in hostMatch) errors.push(`rules[${r}].hosts[${hostMatch.unknownAt}]: unknown host or host group, got ${JSON.stringify(rule.hosts[hostMatch.unknownAt])}`)
    }
  })
  scenario.maintenance.forEach((entry, i) => {
    if (!hostSet.has(entry.host)) errors.push(`maintenance[${i}].host: unknown host, got ${JSON.stringify(entry.host)}`)
  })
  scenario.faults.forEach((fault, i) => {
    if ('host' in fault && !hostSet.has(fault.host)) errors.push(`faults[${i}].host: unknown host, got ${JSON.stringify(fault.host)}`)
  })
  scenario.vms.forEach((group, g) => {
    if (group.cpu.kind === 'uniform' && group.cpu.minUtil > group.cpu.maxUtil) {
      errors.push(`vms[${g}].cpu.maxUtil: expected a number ≥ minUtil (${group.cpu.minUtil}), got ${group.cpu.maxUtil}`)
    }
  })
  const largestHostMiB = Math.max(...scenario.hosts.map((h) => h.memGiB * 1024))
  scenario.vms.forEach((group, g) => {
    if (group.memMiB > largestHostMiB) errors.push(`vms[${g}].memMiB: larger than the largest host (${largestHostMiB} MiB), got ${group.memMiB}`)
  })
  errors.push(...traceErrors(scenario))
  return errors
}

/** Validates unknown JSON into a Scenario with defaults filled in, or lists every problem with its path. */
export function validateScenario(input: unknown): ScenarioValidation {
  const parsed = scenarioSchema.safeParse(input)
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => formatIssue(issue, input)) }
  const errors = crossReferenceErrors(parsed.data)
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenario: parsed.data }
}

/** The scenario format as JSON Schema (input side: fields with defaults are optional). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>
}
