// CloudSim-compatible mode (policies.md §7.5): CloudSim 3.0.3's semantics, quirks included, as named switches a
// researcher can turn off one by one. `faithful` (the default) has every switch off: memory enforced, pre-copy
// migrations sharing the network, boot time and idle power. `cloudsim` turns every switch on.

export const COMPAT_SWITCHES = [
  'ramOverHalfBandwidth', 'targetTenthReserved', 'memoryUnenforced', 'plainLeastSquares', 'instantFreePower',
  'cloudsimMetrics', 'noMigrationLimits', 'pabfdInitialPlacement'
] as const

export type CompatSwitch = (typeof COMPAT_SWITCHES)[number]
export type CompatMode = 'faithful' | 'cloudsim'
export type CompatSwitches = Readonly<Record<CompatSwitch, boolean>>

/** One line per switch: what it copies from CloudSim 3.0.3 (printed by `cutover policies --compat` and the docs). */
export const COMPAT_SWITCH_DOCS: Readonly<Record<CompatSwitch, string>> = Object.freeze({
  ramOverHalfBandwidth: 'a migration takes RAM / (half the target NIC) — 870 MB over 1 Gbit/s: 13.9 s — with no dirty pages, no downtime, no link sharing; bytes = RAM',
  targetTenthReserved: 'the target holds 10 % of the moving VM\'s CPU (counted as its load: energy, SLA) instead of all of it; the source loses 10 % (PDM, both modes)',
  memoryUnenforced: 'after the initial placement VMs hold no memory: placement and migrations check CPU only, hosts may hold far more VM RAM than 4 GB',
  plainLeastSquares: 'LR and LRR fit plain least squares over the last 10 samples: CloudSim weighs only when ≥ 40 % of the weights are 0, never true for 10 samples, so its tricube and bisquare weights never apply (LRR = LR)',
  instantFreePower: 'hosts switch on and off instantly at no energy cost, a host at 0 % CPU draws 0 W, and PABFD weighs an off host like an idle one',
  cloudsimMetrics: 'SLATAH = Σ time with demand > capacity / Σ time with CPU > 0 over all hosts (CloudSim\'s Helper), not the mean of per-host shares at 100 %',
  noMigrationLimits: 'no per-host or cluster migration caps, no cooldown, no ping-pong guard, no cap on moves per tick, the under-load pass tries every host',
  pabfdInitialPlacement: 'initial placement by PABFD with every VM at its full MIPS (CloudSim\'s allocation at VM creation), refusing a VM a core too slow for it'
})

const ALL_OFF: CompatSwitches = Object.freeze(Object.fromEntries(COMPAT_SWITCHES.map((name) => [name, false])) as Record<CompatSwitch, boolean>)
const ALL_ON: CompatSwitches = Object.freeze(Object.fromEntries(COMPAT_SWITCHES.map((name) => [name, true])) as Record<CompatSwitch, boolean>)

export interface CompatSettings {
  readonly mode: CompatMode
  readonly switches: CompatSwitches
}

export const FAITHFUL: CompatSettings = Object.freeze({ mode: 'faithful', switches: ALL_OFF })

/** The mode's switches with `overrides` applied on top. */
export function resolveCompat(mode: CompatMode, overrides: Partial<Record<CompatSwitch, boolean>> = {}): CompatSettings {
  return Object.freeze({ mode, switches: Object.freeze({ ...(mode === 'cloudsim' ? ALL_ON : ALL_OFF), ...overrides }) })
}

/** Switch names that are on, in declaration order, comma-joined ('' when none): the summary's `compatSwitches`. */
export function switchesOn(settings: CompatSettings): string {
  return COMPAT_SWITCHES.filter((name) => settings.switches[name]).join(',')
}
