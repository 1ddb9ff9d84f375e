// Scenario validation: the zod schema, then cross-references (rule selectors, maintenance and fault hosts).
// Every problem is reported as `field.path[3]: reason, got VALUE`, the form the CLI prints before exiting 2.
import { toJSONSchema } from 'zod'
import { formatIssue } from '../api/issues'
import { scenarioSchema, type Scenario } from './schema'
import { groupOfEach, hostIds, resolveSelectors, vmIds } from './ids'

export type ScenarioValidation =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly string[] }

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
  return errors
}

/** Validates unknown JSON into a Scenario with defaults filled in, or lists every problem with its path. */
export function validateScenario(input: unknown): ScenarioValidation {
  const parsed = scenarioSchema.safeParse(input)
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => formatIssue(issue, input, '(scenario)')) }
  const errors = crossReferenceErrors(parsed.data)
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenario: parsed.data }
}

/** The scenario format as JSON Schema (input side: fields with defaults are optional). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>
}
