// The run summary of the CLI contract (`cutover run --json`), computed identically for every policy:
// energy from the integrated power tables, SLATAH, PDM, SLAV = SLATAH × PDM, ESV = E × SLAV (Beloglazov &
// Buyya), migration counts and downtimes from the event collector.
import type { ClusterState } from '../cluster/state'
import type { MetricCollector } from './collector'

export interface RunSummary {
  readonly policy: string
  readonly seed: number
  readonly simulatedS: number
  readonly hosts: number
  readonly vms: number
  /** Migrations started (completed + failed). */
  readonly migrations: number
  /** Migrations that ended aborted or failed. */
  readonly failedMigrations: number
  readonly energyKWh: number
  /** Mean over active hosts of the share of active time spent at 100 % CPU, percent. */
  readonly slatahPct: number
  /** Mean over VMs of CPU lost to migrations / CPU requested, percent. */
  readonly pdmPct: number
  /** SLATAH × PDM as fractions. */
  readonly slav: number
  /** energyKWh × slav. */
  readonly esv: number
  readonly meanDowntimeMs: number
  readonly p99DowntimeMs: number
  readonly bytesMigrated: number
  /** Lost writes over all migrations; null when they were not verified (estimate model): never a claimed 0. */
  readonly lostWrites: number | null
  readonly maxActiveHosts: number
  /** Host evacuations (maintenance) that emptied their host. */
  readonly evacuations: number
  readonly haRestarts: number
  readonly traceHash: string
}

/** Field order of the summary: JSON output, CSV columns and sweep tables follow it. */
export const RUN_SUMMARY_FIELDS = [
  'policy', 'seed', 'simulatedS', 'hosts', 'vms', 'migrations', 'failedMigrations', 'energyKWh', 'slatahPct',
  'pdmPct', 'slav', 'esv', 'meanDowntimeMs', 'p99DowntimeMs', 'bytesMigrated', 'lostWrites', 'maxActiveHosts',
  'evacuations', 'haRestarts', 'traceHash'
] as const satisfies readonly (keyof RunSummary)[]

export const NUMERIC_SUMMARY_FIELDS = RUN_SUMMARY_FIELDS.filter(
  (field) => field !== 'policy' && field !== 'traceHash' && field !== 'seed'
) as readonly Exclude<keyof RunSummary, 'policy' | 'traceHash' | 'seed'>[]

function round(value: number, digits: number): number {
  if (!Number.isFinite(value)) return 0
  return Number(value.toPrecision(digits))
}

export interface ClusterMetrics {
  readonly energyKWh: number
  readonly slatah: number
  readonly pdm: number
  /** Demand not served (hosts saturated) / demand requested, over all VMs, percent. */
  readonly unservedPct: number
}

/** Energy, SLATAH and PDM (fractions) from a fully accounted cluster state at `endUs`. */
export function clusterMetrics(state: ClusterState, endUs: number): ClusterMetrics {
  let energyJ = 0
  let slatahSum = 0
  let activeHosts = 0
  for (const host of state.hosts) {
    energyJ += host.energyJ
    if (host.activeUs > 0) { slatahSum += host.overloadUs / host.activeUs; activeHosts++ }
  }
  let pdmSum = 0
  let requestingVms = 0
  let requestedTotal = 0
  let unservedTotal = 0
  for (const vm of state.vms) {
    const requestedMipsS = state.demandIntegralMipsS(vm.index, 0, endUs)
    requestedTotal += requestedMipsS
    unservedTotal += vm.unservedMipsS
    if (requestedMipsS > 0) { pdmSum += vm.migrationLossMipsS / requestedMipsS; requestingVms++ }
  }
  return {
    energyKWh: energyJ / 3.6e6,
    slatah: activeHosts === 0 ? 0 : slatahSum / activeHosts,
    pdm: requestingVms === 0 ? 0 : pdmSum / requestingVms,
    unservedPct: requestedTotal === 0 ? 0 : (100 * unservedTotal) / requestedTotal
  }
}

export function buildSummary(
  identity: { policy: string; seed: number; simulatedUs: number; traceHash: string },
  state: ClusterState, collector: MetricCollector, cluster: ClusterMetrics = clusterMetrics(state, identity.simulatedUs)
): RunSummary {
  const slav = cluster.slatah * cluster.pdm
  return {
    policy: identity.policy, seed: identity.seed, simulatedS: identity.simulatedUs / 1e6,
    hosts: state.hosts.length, vms: state.vms.length,
    migrations: collector.migrationsStarted, failedMigrations: collector.migrationsFailed,
    energyKWh: round(cluster.energyKWh, 9), slatahPct: round(cluster.slatah * 100, 9), pdmPct: round(cluster.pdm * 100, 9),
    slav: round(slav, 9), esv: round(cluster.energyKWh * slav, 9),
    meanDowntimeMs: round(collector.meanDowntimeMs(), 9), p99DowntimeMs: round(collector.p99DowntimeMs(), 9),
    bytesMigrated: collector.bytesMigrated, lostWrites: collector.lostWrites, maxActiveHosts: state.maxActiveHosts,
    evacuations: collector.evacuations, haRestarts: collector.haRestarts, traceHash: identity.traceHash
  }
}
