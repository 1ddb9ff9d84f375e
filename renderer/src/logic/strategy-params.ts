// Migration strategies offered by the migrate sheet, with their user-facing parameters and defaults
// (the engine's reference defaults: Clark/Xen rate 100–500 Mbit/s, QEMU 1 Gbit/s and 300 ms).
import type { StrategyName } from '../../../main/ipc/contract'

export interface StrategyParam {
  readonly key: string
  readonly label: string
  readonly kind: 'number' | 'boolean'
  readonly defaultValue: number | boolean
  readonly unit?: string
  readonly min?: number
  readonly max?: number
}

export interface StrategyInfo { readonly value: StrategyName; readonly label: string; readonly summary: string; readonly params: readonly StrategyParam[] }

export const STRATEGIES: readonly StrategyInfo[] = [
  { value: 'precopy', label: 'Pre-copy (Xen)', summary: 'Iterative rounds with an adaptive rate; short downtime for calm VMs.', params: [
    { key: 'rateMinMbitPerS', label: 'Minimum rate', kind: 'number', defaultValue: 100, unit: 'Mbit/s', min: 1, max: 100_000 },
    { key: 'rateMaxMbitPerS', label: 'Maximum rate', kind: 'number', defaultValue: 500, unit: 'Mbit/s', min: 1, max: 100_000 }
  ] },
  { value: 'precopy-qemu', label: 'Pre-copy (QEMU)', summary: 'Rounds until the expected downtime fits the limit; auto-converge throttles the guest.', params: [
    { key: 'maxBandwidthMbitPerS', label: 'Max bandwidth', kind: 'number', defaultValue: 1000, unit: 'Mbit/s', min: 1, max: 100_000 },
    { key: 'downtimeLimitMs', label: 'Downtime limit', kind: 'number', defaultValue: 300, unit: 'ms', min: 1, max: 60_000 },
    { key: 'autoConverge', label: 'Auto-converge', kind: 'boolean', defaultValue: false }
  ] },
  { value: 'postcopy', label: 'Post-copy', summary: 'Switch first, then push and fault pages in; minimal downtime, risky on failure.', params: [] },
  { value: 'hybrid', label: 'Hybrid', summary: 'One pre-copy round, then post-copy.', params: [] },
  { value: 'stop-and-copy', label: 'Stop and copy', summary: 'Suspend, copy everything, resume; downtime grows with memory.', params: [] },
  { value: 'demand', label: 'Demand paging', summary: 'Switch immediately; pages move only when touched.', params: [] }
]

export const DEFAULT_STRATEGY: StrategyName = 'precopy'

export function strategyInfo(value: string): StrategyInfo {
  return STRATEGIES.find((s) => s.value === value) ?? STRATEGIES[0]
}

export function defaultParams(value: string): Record<string, number | boolean> {
  return Object.fromEntries(strategyInfo(value).params.map((p) => [p.key, p.defaultValue]))
}

/** A problem with the parameters as a sentence, or null when they can be sent. */
export function paramsProblem(value: string, params: Readonly<Record<string, number | boolean>>): string | null {
  for (const param of strategyInfo(value).params) {
    const v = params[param.key]
    if (param.kind === 'boolean') continue
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${param.label} must be a number.`
    if (param.min !== undefined && v < param.min) return `${param.label} must be at least ${param.min} ${param.unit ?? ''}`.trim() + '.'
    if (param.max !== undefined && v > param.max) return `${param.label} must be at most ${param.max} ${param.unit ?? ''}`.trim() + '.'
  }
  if (value === 'precopy' && Number(params.rateMinMbitPerS) > Number(params.rateMaxMbitPerS)) return 'Minimum rate must not exceed the maximum rate.'
  return null
}
