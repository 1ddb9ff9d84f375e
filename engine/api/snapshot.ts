// The world as the UI and the history see it: plain JSON-safe DTOs, no engine objects. A snapshot is
// complete; the host sends one on connect and then newer ones (coalesced, at most 30 a second).
import type { SimTimeUs } from '../kernel/time'

export type PowerState = 'on' | 'off' | 'booting' | 'failed'
export type VmState = 'running' | 'migrating' | 'suspended' | 'lost'
export type AutomationLevel = 'manual' | 'partial' | 'full'

export interface HostView {
  readonly id: string
  readonly rack: string
  readonly cores: number
  readonly memMiB: number
  readonly cpuUsedPct: number
  readonly memUsedMiB: number
  /** Memory reserved by incoming migrations (already counted in memUsedMiB). */
  readonly memReservedMiB: number
  readonly netUsedPct: number
  readonly power: PowerState
  readonly maintenance: boolean
  readonly vmIds: readonly string[]
}

export interface VmView {
  readonly id: string
  readonly name: string
  readonly hostId: string | null
  readonly vcpus: number
  readonly memMiB: number
  readonly cpuDemandPct: number
  readonly workload: string
  readonly state: VmState
  readonly migrationId: string | null
  /** Writable working set estimate in MiB (evacuation order, policy cost). */
  readonly wwsMiB: number
  readonly antiAffinityGroup: string | null
}

export interface RoundView {
  readonly index: number
  readonly startMs: number
  readonly durationMs: number
  readonly pagesSent: number
  readonly pagesDirtied: number
  readonly bytesSent: number
  readonly rateMbitPerS: number
  readonly final: boolean
  /** On the last pre-copy round: why iteration stopped (the rule that fired); null on the others. */
  readonly stopReason: string | null
}

export interface MigrationView {
  readonly id: string
  readonly vmId: string
  readonly source: string
  readonly destination: string
  readonly strategy: string
  readonly trigger: 'user' | 'policy' | 'evacuation' | 'ha'
  readonly reason: string
  readonly stage: string
  readonly startedAtUs: SimTimeUs
  readonly rounds: readonly RoundView[]
  readonly bytesSent: number
  readonly bytesRemaining: number
  readonly memBytes: number
  readonly dirtyRateMbitPerS: number
  readonly rateLimitMbitPerS: number
  readonly linkMbitPerS: number
  readonly expectedDowntimeMs: number | null
  readonly throttlePct: number
  readonly outcome: 'completed' | 'aborted' | 'failed' | null
  readonly abortReason: string | null
  readonly totalTimeMs: number | null
  readonly downtimeMs: number | null
  readonly clientOutageMs: number | null
}

export interface LinkView {
  readonly id: string
  readonly a: string
  readonly b: string
  readonly capacityMbitPerS: number
  readonly utilisationPct: number
  readonly up: boolean
}

export interface MacEntryView { readonly mac: string; readonly port: string; readonly ageS: number }
export interface SwitchView { readonly id: string; readonly entries: readonly MacEntryView[] }
export interface ArpEntryView { readonly ip: string; readonly mac: string; readonly state: string }
export interface ArpCacheView { readonly owner: string; readonly entries: readonly ArpEntryView[] }

export interface ClientView {
  readonly id: string
  readonly targetVmId: string
  readonly lastLatencyMs: number | null
  readonly outageMs: number
  readonly lost: number
}

export interface RecommendationView {
  readonly id: string
  readonly vmId: string
  readonly source: string
  readonly destination: string
  readonly reason: string
  readonly expectedBenefit: string
  readonly expectedCost: string
}

export interface PolicyView {
  readonly name: string
  readonly automation: AutomationLevel
  readonly parameters: Readonly<Record<string, number | string | boolean>>
  readonly imbalance: number
  readonly recommendations: readonly RecommendationView[]
  readonly decisions: readonly { readonly atUs: SimTimeUs; readonly summary: string }[]
}

export interface WorldSnapshot {
  readonly nowUs: SimTimeUs
  readonly scenario: string
  readonly seed: number
  readonly hosts: readonly HostView[]
  readonly vms: readonly VmView[]
  readonly migrations: readonly MigrationView[]
  readonly links: readonly LinkView[]
  readonly switches: readonly SwitchView[]
  readonly arpCaches: readonly ArpCacheView[]
  readonly clients: readonly ClientView[]
  readonly policy: PolicyView
  readonly traceHash: string
}
