// The one fault vocabulary: every kind of fault the engine models, the migration stages a fault can target,
// and when a fault fires. The migration protocol (migration/faults.ts), the LAN (net/faults.ts) and the
// datacenter schedule (faults/plan.ts) each accept a subset of these kinds; none spells a kind of its own.
import { sToUs, type SimTimeUs } from '../kernel/time'

export const FAULT_KINDS = [
  'host-crash', 'source-crash', 'dest-crash', 'dest-oom',
  'link-down', 'link-up', 'link-loss', 'link-capacity', 'link-degrade', 'partition', 'heal'
] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/** Faults a single migration reacts to (the fault matrix of docs/migration.md). */
export const MIGRATION_FAULT_KINDS = ['dest-crash', 'source-crash', 'link-down', 'partition', 'dest-oom'] as const satisfies readonly FaultKind[]
export type MigrationFaultKind = (typeof MIGRATION_FAULT_KINDS)[number]

/** Faults the LAN applies to its links and hosts. */
export const NET_FAULT_KINDS = ['link-down', 'link-up', 'link-loss', 'link-capacity', 'partition', 'heal'] as const satisfies readonly FaultKind[]
export type NetFaultKind = (typeof NET_FAULT_KINDS)[number]

/** Faults of a datacenter run's schedule (scripted or drawn crashes, degraded host links). */
export const CLUSTER_FAULT_KINDS = ['host-crash', 'link-degrade'] as const satisfies readonly FaultKind[]
export type ClusterFaultKind = (typeof CLUSTER_FAULT_KINDS)[number]

/** Migration stages a fault can be aimed at (it fires on entry to the stage). */
export const FAULT_STAGES = ['reservation', 'precopy', 'stop-and-copy', 'commit', 'activation', 'postcopy'] as const
export type FaultStage = (typeof FAULT_STAGES)[number]

/**
 * When a fault fires: at a virtual time (`atUs`, for the LAN and the datacenter), at a time since the migration
 * started (`afterStartUs`) or on entry to a migration stage (`stage`). `durationUs`, where given, is how long
 * the fault lasts before it heals by itself (absent: until something else heals it).
 */
export interface FaultTiming {
  readonly atUs?: SimTimeUs
  readonly afterStartUs?: SimTimeUs
  readonly stage?: FaultStage
  readonly durationUs?: SimTimeUs
}

/** A migration fault: a kind and one of `stage` / `afterStartUs`, optionally with a duration. */
export interface PlannedFault extends Pick<FaultTiming, 'stage' | 'afterStartUs' | 'durationUs'> {
  readonly kind: MigrationFaultKind
}

/** Migration faults that may last a while and heal by themselves (a crash does not). */
export const FAULT_KINDS_WITH_DURATION = ['link-down', 'partition'] as const satisfies readonly MigrationFaultKind[]

/** A planned fault's time and duration are at most one simulated day (a bigger one overflows timers long before). */
export const FAULT_TIME_S_MAX = 86_400

export type FaultParse = { readonly ok: true; readonly fault: PlannedFault } | { readonly ok: false; readonly error: string }

/**
 * Parses `KIND@WHEN` or `KIND@WHEN+FORs`: WHEN is a stage (`commit`) or seconds since the start (`12.5s`);
 * `+FORs` gives the fault a duration (`link-down@2s+1.5s`). Errors say which part is wrong.
 */
export function parseFaultText(text: string): FaultParse {
  const [kind, when, extra] = text.split('@')
  if (extra !== undefined || when === undefined || when === '') return { ok: false, error: `expected KIND@WHEN, got "${text}"` }
  if (!(MIGRATION_FAULT_KINDS as readonly string[]).includes(kind)) {
    return { ok: false, error: `unknown kind "${kind}"; expected one of ${MIGRATION_FAULT_KINDS.join(', ')}` }
  }
  const plus = when.indexOf('+')
  const at = plus < 0 ? when : when.slice(0, plus)
  let durationUs: SimTimeUs | undefined
  if (plus >= 0) {
    if (!(FAULT_KINDS_WITH_DURATION as readonly string[]).includes(kind)) {
      return { ok: false, error: `only ${FAULT_KINDS_WITH_DURATION.join(' and ')} take a duration (+FORs), got "${text}"` }
    }
    const forS = secondsOf(when.slice(plus + 1))
    if (forS === undefined || forS <= 0) return { ok: false, error: `FOR must be a positive time like 1.5s, got "${when.slice(plus + 1)}"` }
    if (forS > FAULT_TIME_S_MAX) return { ok: false, error: `FOR must be at most ${FAULT_TIME_S_MAX}s, got "${when.slice(plus + 1)}"` }
    durationUs = sToUs(forS)
  }
  const duration = durationUs === undefined ? {} : { durationUs }
  const faultKind = kind as MigrationFaultKind
  if ((FAULT_STAGES as readonly string[]).includes(at)) return { ok: true, fault: { kind: faultKind, stage: at as FaultStage, ...duration } }
  const atS = secondsOf(at)
  if (atS === undefined) return { ok: false, error: `WHEN must be a stage (${FAULT_STAGES.join(', ')}) or a time like 12.5s, got "${at}"` }
  if (atS > FAULT_TIME_S_MAX) return { ok: false, error: `time must be at most ${FAULT_TIME_S_MAX}s after the start, got "${at}"` }
  return { ok: true, fault: { kind: faultKind, afterStartUs: sToUs(atS), ...duration } }
}

function secondsOf(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text)
  return match === null ? undefined : Number(match[1])
}

/** A fault in words, for abort reasons and logs. */
export function describeFault(kind: FaultKind): string {
  switch (kind) {
    case 'host-crash': return 'host crashed'
    case 'source-crash': return 'source crashed'
    case 'dest-crash': return 'destination crashed'
    case 'dest-oom': return 'destination out of memory'
    case 'link-down': return 'migration link down'
    case 'link-up': return 'link restored'
    case 'link-loss': return 'link losing frames'
    case 'link-capacity': return 'link capacity changed'
    case 'link-degrade': return 'host link degraded'
    case 'partition': return 'source and destination partitioned'
    case 'heal': return 'partition healed'
  }
}
