// What each numeric field of a run summary means, for every surface that shows one: a label, the unit of its
// value, and which direction is better. `lower` and `higher` are costs and benefits a policy can be ranked
// by; `neutral` fields are counts or settings (hosts, migrations, bytes moved) where fewer is not simply
// better (the no-move baseline would "win" every one of them). Served over 'engine:catalog'.
import { z } from 'zod'
import { NUMERIC_SUMMARY_FIELDS } from '../metrics/summary'

export const METRIC_UNITS = ['s', 'h', 'ms', 'kWh', '%', 'bytes', 'count', 'hosts', 'VMs', 'ratio'] as const
export const METRIC_DIRECTIONS = ['lower', 'higher', 'neutral'] as const

export const metricInfoSchema = z.object({
  name: z.enum(NUMERIC_SUMMARY_FIELDS as unknown as [string, ...string[]]),
  label: z.string(),
  unit: z.enum(METRIC_UNITS),
  better: z.enum(METRIC_DIRECTIONS),
  description: z.string(),
  /** A figure over the run's migrations: a run without migrations did not measure it. */
  perMigration: z.boolean().optional()
}).readonly()
export type MetricInfo = z.infer<typeof metricInfoSchema>
export type MetricName = (typeof NUMERIC_SUMMARY_FIELDS)[number]

type Entry = Omit<MetricInfo, 'name'>
const METRICS: Readonly<Record<MetricName, Entry>> = {
  simulatedS: { label: 'Simulated time', unit: 's', better: 'neutral', description: 'virtual time the run covered' },
  hosts: { label: 'Hosts', unit: 'hosts', better: 'neutral', description: 'hosts in the scenario' },
  vms: { label: 'VMs', unit: 'VMs', better: 'neutral', description: 'VMs in the scenario' },
  migrations: { label: 'Migrations', unit: 'count', better: 'neutral', description: 'migrations started (completed and failed)' },
  failedMigrations: { label: 'Failed migrations', unit: 'count', better: 'lower', description: 'migrations that ended aborted or failed' },
  energyKWh: { label: 'Energy', unit: 'kWh', better: 'lower', description: 'energy of all hosts from their power tables' },
  slatahPct: { label: 'SLATAH', unit: '%', better: 'lower', description: 'SLA violation time per active host (share of active time at 100 % CPU)' },
  pdmPct: { label: 'PDM', unit: '%', better: 'lower', description: 'performance degradation due to migrations (CPU lost / requested)' },
  slav: { label: 'SLAV', unit: 'ratio', better: 'lower', description: 'SLATAH × PDM' },
  esv: { label: 'ESV', unit: 'ratio', better: 'lower', description: 'energy × SLAV' },
  meanDowntimeMs: { label: 'Mean downtime', unit: 'ms', better: 'lower', description: 'mean downtime per completed migration', perMigration: true },
  p99DowntimeMs: { label: 'p99 downtime', unit: 'ms', better: 'lower', description: '99th percentile downtime per migration', perMigration: true },
  bytesMigrated: { label: 'Data migrated', unit: 'bytes', better: 'neutral', description: 'bytes sent by all migrations' },
  lostWrites: { label: 'Lost writes', unit: 'count', better: 'lower', description: 'guest writes lost across switchovers (not measured under the estimate model)' },
  maxActiveHosts: { label: 'Peak active hosts', unit: 'hosts', better: 'neutral', description: 'most hosts powered on at once' },
  evacuations: { label: 'Evacuations', unit: 'count', better: 'neutral', description: 'maintenance evacuations that emptied their host' },
  haRestarts: { label: 'HA restarts', unit: 'count', better: 'neutral', description: 'VMs restarted by HA after a host failure' },
  overloadHostH: { label: 'Host overload', unit: 'h', better: 'lower', description: 'Σ over hosts of the time at 100 % CPU' }
}

/** Every numeric summary field, in summary order, with its label, unit and better direction. */
export function metricCatalog(): MetricInfo[] {
  return NUMERIC_SUMMARY_FIELDS.map((name) => ({ name, ...METRICS[name] }))
}

export function metricInfo(name: MetricName): MetricInfo {
  return { name, ...METRICS[name] }
}
