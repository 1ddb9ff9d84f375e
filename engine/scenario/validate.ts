// Scenario validation: the zod schema, then cross-references (rule selectors, maintenance and fault hosts).
// Every problem is reported as `field.path[3]: reason, got VALUE`, the form the CLI prints before exiting 2.
import { toJSONSchema } from 'zod'
import { formatIssue } from '../api/issues'
import { SCENARIO_LIMITS, scenarioSchema, type Scenario } from './schema'
import { groupOfEach, hostIds, resolveSelectors, vmIds } from './ids'

export type ScenarioValidation =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly string[] }

/**
 * Totals over all groups (each group's count is bounded by the schema, their sum is not), and the demand series
 * a run of `hours` allocates. Checked before any id list is expanded, so it costs nothing per host or VM.
 */
export function scenarioSizeErrors(scenario: Pick<Scenario, 'hosts' | 'vms' | 'sampleIntervalS' | 'durationH'>, hours = scenario.durationH): string[] {
  const errors: string[] = []
  const hosts = scenario.hosts.reduce((sum, group) => sum + group.count, 0)
  const vms = scenario.vms.reduce((sum, group) => sum + group.count, 0)
  if (hosts > SCENARIO_LIMITS.hostsTotalMax) errors.push(`hosts: expected at most ${SCENARIO_LIMITS.hostsTotalMax} hosts in total (sum of count), got ${hosts}`)
  if (vms > SCENARIO_LIMITS.vmsTotalMax) errors.push(`vms: expected at most ${SCENARIO_LIMITS.vmsTotalMax} VMs in total (sum of count), got ${vms}`)
  if (!(hours > 0 && hours <= SCENARIO_LIMITS.durationHMax)) errors.push(`durationH: expected a number in (0, ${SCENARIO_LIMITS.durationHMax}] hours, got ${hours}`)
  const samples = vms * Math.ceil((hours * 3600) / scenario.sampleIntervalS)
  if (errors.length === 0 && samples > SCENARIO_LIMITS.demandSamplesMax) {
    errors.push(`sampleIntervalS: ${vms} VMs × ${hours} h at one sample per ${scenario.sampleIntervalS} s need ${samples} demand samples; ` +
      `at most ${SCENARIO_LIMITS.demandSamplesMax} are allowed (fewer VMs, fewer hours or a longer sampleIntervalS)`)
  }
  return errors
}

/** Values that parse but cannot describe a real machine. */
function nonsenseErrors(scenario: Scenario): string[] {
  const errors: string[] = []
  scenario.hosts.forEach((group, g) => {
    if (group.power.kind === 'linear' && group.power.idleW > group.power.maxW) {
      errors.push(`hosts[${g}].power.idleW: expected at most maxW (${group.power.maxW}), got ${group.power.idleW}`)
    }
  })
  const mostCores = Math.max(...scenario.hosts.map((h) => h.cores))
  scenario.vms.forEach((group, g) => {
    if (group.vcpus > mostCores) errors.push(`vms[${g}].vcpus: more than the largest host's cores (${mostCores}), got ${group.vcpus}`)
  })
  return errors
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
  return errors
}

/** Validates unknown JSON into a Scenario with defaults filled in, or lists every problem with its path. */
export function validateScenario(input: unknown): ScenarioValidation {
  const parsed = scenarioSchema.safeParse(input)
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => formatIssue(issue, input, '(scenario)')) }
  const sizeErrors = scenarioSizeErrors(parsed.data)
  if (sizeErrors.length > 0) return { ok: false, errors: sizeErrors }
  const errors = [...nonsenseErrors(parsed.data), ...crossReferenceErrors(parsed.data)]
  return errors.length > 0 ? { ok: false, errors } : { ok: true, scenario: parsed.data }
}

/** The scenario format as JSON Schema (input side: fields with defaults are optional). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return toJSONSchema(scenarioSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>
}
