// Typed events of a datacenter run. Only decisions, migrations, power changes, faults and operations are
// events (never per-sample demand), so a simulated day of a thousand hosts stays a few thousand records.
// Field order is fixed by these literals and is part of the trace hash.
import type { MigrationOutcomeKind } from './migration-model'

export type MigrationCause = 'policy' | 'maintenance' | 'user'
export type Disposition = 'accepted' | 'rejected' | 'recommended'

export type DcEvent =
  | { readonly kind: 'dc.started'; readonly scenario: string; readonly policy: string; readonly migrationModel: string; readonly hosts: number; readonly vms: number; readonly unplacedVms: number }
  | { readonly kind: 'rule.disabled'; readonly ruleId: string; readonly conflictsWith: string; readonly reason: string }
  | {
    readonly kind: 'policy.ticked'; readonly tick: number; readonly policy: string; readonly activeHosts: number
    readonly meanUtil: number; readonly imbalanceSd: number; readonly proposals: number; readonly accepted: number
    readonly rejected: number; readonly recommended: number; readonly skipped: number; readonly notes: string
  }
  | {
    readonly kind: 'decision.made'; readonly decisionId: string; readonly tick: number; readonly policy: string
    readonly action: 'migrate' | 'power-on' | 'power-off'; readonly vmId: string | null; readonly sourceHostId: string | null
    readonly targetHostId: string | null; readonly reason: string; readonly priority: number
    readonly benefitMetric: string; readonly benefitBefore: number; readonly benefitAfter: number
    readonly costBytes: number; readonly costTotalUs: number; readonly costDowntimeUs: number
    readonly disposition: Disposition; readonly rejectReason: string | null; readonly alternatives: string
  }
  | {
    readonly kind: 'migration.started'; readonly migrationId: string; readonly vmId: string; readonly sourceHostId: string
    readonly targetHostId: string; readonly cause: MigrationCause; readonly decisionId: string | null
    readonly rateMbitPerS: number; readonly estimateTotalUs: number; readonly estimateDowntimeUs: number; readonly estimateBytes: number
  }
  | {
    readonly kind: 'migration.ended'; readonly migrationId: string; readonly vmId: string; readonly outcome: MigrationOutcomeKind
    readonly totalUs: number; readonly downtimeUs: number; readonly bytes: number; readonly rounds: number
    /** null: not verified (the analytic estimate model moves no pages). */
    readonly lostWrites: number | null; readonly abortReason: string | null
  }
  | { readonly kind: 'migration.rate'; readonly migrationId: string; readonly vmId: string; readonly rateMbitPerS: number }
  | { readonly kind: 'migration.cancelled'; readonly migrationId: string; readonly vmId: string; readonly reason: string }
  | { readonly kind: 'host.powerChanged'; readonly hostId: string; readonly state: 'booting' | 'on' | 'off' | 'maintenance'; readonly reason: string }
  | { readonly kind: 'host.crashed'; readonly hostId: string; readonly vmsDown: number; readonly cause: string }
  | { readonly kind: 'host.repaired'; readonly hostId: string }
  | { readonly kind: 'link.changed'; readonly hostId: string; readonly factor: number }
  | { readonly kind: 'vm.restarted'; readonly vmId: string; readonly hostId: string; readonly downUs: number; readonly cause: 'crash' | 'unplaced' }
  | { readonly kind: 'ha.blocked'; readonly vmId: string; readonly reason: string }
  | { readonly kind: 'maintenance.started'; readonly hostId: string; readonly vms: number; readonly deadlineUs: number; readonly order: string }
  | { readonly kind: 'maintenance.completed'; readonly hostId: string; readonly durationUs: number; readonly metDeadline: boolean }
  | { readonly kind: 'maintenance.deadlineMissed'; readonly hostId: string; readonly vmsLeft: number }
  | { readonly kind: 'maintenance.exited'; readonly hostId: string }
  | { readonly kind: 'pingpong.detected'; readonly vmId: string; readonly path: string; readonly cooldownUntilUs: number }
  | { readonly kind: 'dc.finished'; readonly simulatedUs: number; readonly migrations: number; readonly energyKWh: number; readonly unservedPct: number }

export type DcEventKind = DcEvent['kind']
