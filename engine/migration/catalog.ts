// The strategies as the UI offers them: label, one-line summary, the parameters a user may set (with the
// engine's reference defaults: Clark/Xen rate 100–500 Mbit/s, QEMU 1 Gbit/s and 300 ms) and the stages each
// passes through. world/commands.ts maps these parameter names onto MigrationParams.
import type { CatalogParam, StageInfo, StrategyInfo } from '../api/catalog'
import { STAGES, type Stage, type StrategyName } from '../api/names'
import { DEFAULT_PARAMS } from './types'

const RATE_BOUNDS = { unit: 'Mbit/s', min: 1, max: 100_000 } as const

const PRECOPY_PARAMS: readonly CatalogParam[] = [
  { name: 'rateMinMbitPerS', description: 'Minimum rate', defaultValue: DEFAULT_PARAMS.clark.rateMinMbitPerS, ...RATE_BOUNDS, notAbove: 'rateMaxMbitPerS' },
  { name: 'rateMaxMbitPerS', description: 'Maximum rate', defaultValue: DEFAULT_PARAMS.clark.rateMaxMbitPerS, ...RATE_BOUNDS }
]
const QEMU_PARAMS: readonly CatalogParam[] = [
  { name: 'maxBandwidthMbitPerS', description: 'Max bandwidth', defaultValue: DEFAULT_PARAMS.qemu.maxBandwidthMbitPerS, ...RATE_BOUNDS },
  { name: 'downtimeLimitMs', description: 'Downtime limit', defaultValue: DEFAULT_PARAMS.qemu.downtimeLimitMs, unit: 'ms', min: 1, max: 60_000 },
  { name: 'autoConverge', description: 'Auto-converge', defaultValue: DEFAULT_PARAMS.qemu.autoConverge }
]

/** Stages of a strategy: the protocol's, without iterative pre-copy when it skips it, with post-copy when it pulls pages after resuming. */
function stagesOf(precopy: boolean, postcopy: boolean): Stage[] {
  return STAGES.filter((stage) => stage !== 'done' && (stage !== 'precopy' || precopy) && (stage !== 'postcopy' || postcopy))
}

const DETAILS: { readonly [S in StrategyName]: Omit<StrategyInfo, 'name'> } = {
  'stop-and-copy': { label: 'Stop and copy', summary: 'Suspend, copy everything, resume; downtime grows with memory.', params: [], stages: stagesOf(false, false) },
  demand: { label: 'Demand paging', summary: 'Switch immediately; pages move only when touched.', params: [], stages: stagesOf(false, true) },
  precopy: { label: 'Pre-copy (Xen)', summary: 'Iterative rounds with an adaptive rate; short downtime for calm VMs.', params: PRECOPY_PARAMS, stages: stagesOf(true, false) },
  'precopy-qemu': { label: 'Pre-copy (QEMU)', summary: 'Rounds until the expected downtime fits the limit; auto-converge throttles the guest.', params: QEMU_PARAMS, stages: stagesOf(true, false) },
  postcopy: { label: 'Post-copy', summary: 'Switch first, then push and fault pages in; minimal downtime, risky on failure.', params: [], stages: stagesOf(false, true) },
  hybrid: { label: 'Hybrid', summary: 'One pre-copy round, then post-copy.', params: [], stages: stagesOf(true, true) }
}

export const DEFAULT_STRATEGY: StrategyName = DEFAULT_PARAMS.strategy

/** Every strategy, the default first, then in the vocabulary's order. */
export function strategyCatalog(): StrategyInfo[] {
  const all = (Object.keys(DETAILS) as StrategyName[]).map((name) => ({ name, ...DETAILS[name] }))
  return [...all.filter((s) => s.name === DEFAULT_STRATEGY), ...all.filter((s) => s.name !== DEFAULT_STRATEGY)]
}

const STAGE_LABELS: { readonly [S in Stage]: string } = {
  'pre-migration': 'Pre-migration', reservation: 'Reservation', precopy: 'Pre-copy', 'stop-and-copy': 'Stop & copy',
  commit: 'Commit', activation: 'Activation', postcopy: 'Post-copy', done: 'Done'
}

/** Every stage but 'done', in protocol order, with its label. */
export function stageCatalog(): StageInfo[] {
  return STAGES.filter((stage) => stage !== 'done').map((name) => ({ name, label: STAGE_LABELS[name], optional: name === 'postcopy' }))
}
