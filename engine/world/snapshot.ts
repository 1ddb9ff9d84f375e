// Builds the UI's WorldSnapshot from the cluster state, the live and recent page-level migrations, the LAN
// and the policy tracker. Read-only: building a snapshot never changes the world.
import type { HostView, LinkView, MigrationView, PolicyView, VmView, WorldSnapshot } from '../api/snapshot'
import type { MigrationOutcomeKind, MigrationStart } from '../cluster/migration-model'
import type { ClusterState, HostState } from '../cluster/state'
import type { Datacenter } from '../cluster/datacenter-run'
import type { Migration } from '../migration/migration'
import { roundMs } from '../api/rounds'
import type { MigrationResult } from '../migration/types'
import type { Lan } from '../net/lan'
import type { RequestClient } from '../net/traffic'
import { longestOutageUs } from '../net/client-stats'
import type { NetSnapshot } from '../net/snapshot'
import type { Scenario } from '../scenario/schema'
import { cpuImbalance, type PolicyTracker } from './policy-tracker'
import { torId } from './lan-spec'
import type { Cause } from './records'
import { ESTIMATE_STRATEGY } from './records'
import type { FluidProgress } from '../cluster/estimate-run'
import { estimatedRoundMs, estimatedRoundProgress } from './estimated-rounds'

/** A page-level migration the world has finished with: its result and what the view needs that the result lacks. */
export interface FinishedMigration {
  readonly result: MigrationResult
  readonly request: MigrationStart
  readonly endedAtUs: number
  readonly cause: Cause
  readonly downtimeLimitMs: number | null
  readonly timeCapMs: number
}

/** A migration the analytic model runs (big clusters): what its start and rate events said. */
export interface EstimatedMigration {
  readonly id: string
  readonly vmId: string
  readonly source: string
  readonly destination: string
  readonly startUs: number
  readonly estimateTotalUs: number
  readonly estimateDowntimeUs: number
  readonly estimateBytes: number
  readonly memBytes: number
  rateMbitPerS: number
  /** The model's rounds so far (finished and in flight), read at the clock's now; null until its run started. */
  progress: (() => FluidProgress) | null
  /** Set when it ended (kept a while so the view shows how it ended). */
  ended: { readonly atUs: number; readonly outcome: MigrationOutcomeKind; readonly downtimeUs: number; readonly bytes: number; readonly abortReason: string | null; readonly cause: Cause } | null
}

export interface MigrationTracker {
  readonly live: Map<string, Migration>
  readonly requests: Map<string, MigrationStart>
  readonly finished: FinishedMigration[]
  /** Estimated migrations by id: every running one and the most recent ended ones. */
  readonly estimated: Map<string, EstimatedMigration>
}

export interface SnapshotSource {
  readonly sim: { readonly nowUs: number; traceHash(): string }
  readonly dc: Datacenter
  readonly lan: Lan | undefined
  readonly scenario: Scenario
  readonly seed: number
  readonly tracker: MigrationTracker
  readonly policy: PolicyTracker
  readonly clientsByVm: ReadonlyMap<string, readonly RequestClient[]>
  /** Who started a migration and why (the cause its history record carries). */
  causeOf(migrationId: string): Cause
}

const pct = (value: number): number => Math.round(value * 1000) / 10
const ARP_CACHES_MAX = 12

export function buildSnapshot(world: SnapshotSource): WorldSnapshot {
  const state = world.dc.inspectState()
  const net = world.lan?.snapshot()
  const linkUse = new Map((net?.links ?? []).map((link) => [link.id, Math.max(link.aToB.utilisation, link.bToA.utilisation)]))
  // Per-host and per-VM facts gathered in one pass each (not one scan of every VM per host, or of every
  // migration ever started per VM: those made a snapshot of a big world cost tens of ms).
  const downByHost = new Map<number, string[]>()
  const reservedMiBByHost = new Map<number, number>()
  for (const vm of state.vms) {
    if (vm.targetHostIndex >= 0) reservedMiBByHost.set(vm.targetHostIndex, (reservedMiBByHost.get(vm.targetHostIndex) ?? 0) + vm.memMiB)
    if (vm.status !== 'down' || vm.lastHostIndex === undefined) continue
    const list = downByHost.get(vm.lastHostIndex) ?? []
    list.push(vm.id)
    downByHost.set(vm.lastHostIndex, list)
  }
  // The live migration of each VM (the latest started, should there be two).
  const migrationIdByVm = new Map<string, string>()
  for (const id of world.tracker.live.keys()) {
    const request = world.tracker.requests.get(id)
    if (request !== undefined) migrationIdByVm.set(request.vm.vmId, id)
  }
  return {
    nowUs: world.sim.nowUs, scenario: world.scenario.name, seed: world.seed,
    hosts: state.hosts.map((host) => hostView(host, reservedMiBByHost.get(host.index) ?? 0, state, linkUse.get(`${host.id}~${torId(host.rack)}`), downByHost.get(host.index) ?? [])),
    vms: state.vms.map((vm) => vmView(state, vm.index, migrationIdByVm.get(vm.id) ?? null)),
    migrations: migrationViews(world),
    links: (net?.links ?? []).map(linkView),
    switches: (net?.switches ?? []).map((sw) => ({ id: sw.id, entries: sw.entries.map((entry) => ({ mac: entry.mac, port: entry.peer, ageS: Math.max(0, Math.round((entry.expiresAtUs - world.sim.nowUs) / 1e5) / 10) })) })),
    arpCaches: arpViews(net),
    clients: clientViews(world.lan, net, world.sim.nowUs),
    policy: policyView(world),
    traceHash: world.sim.traceHash()
  }
}

function hostView(host: HostState, reservedMiB: number, state: Readonly<ClusterState>, linkUtilisation: number | undefined, downVmIds: readonly string[]): HostView {
  return {
    id: host.id, rack: host.rack, cores: host.cores, memMiB: host.memMiB,
    cpuUsedPct: pct(host.cpuDemandMips / host.cpuCapacityMips), memUsedMiB: host.memUsedMiB, memReservedMiB: reservedMiB,
    netUsedPct: pct(linkUtilisation ?? Math.min(1, host.netDemandMbitPerS / host.nicMbitPerS)),
    power: host.state === 'maintenance' ? 'on' : host.state, maintenance: host.state === 'maintenance' || host.drain === 'maintenance',
    vmIds: host.vmIndices.map((index) => state.vms[index].id), downVmIds
  }
}

function vmView(state: Readonly<ClusterState>, index: number, migrationId: string | null): VmView {
  const vm = state.vms[index]
  const antiAffinity = state.rulesByVm[index].map((rule) => state.rules[rule]).find((rule) => rule.kind === 'vm-anti-affinity')
  return {
    id: vm.id, name: vm.id, hostId: vm.hostIndex >= 0 ? state.hosts[vm.hostIndex].id : null, vcpus: vm.vcpus, memMiB: vm.memMiB,
    cpuDemandPct: pct(vm.cpuDemandMips / vm.cpuCapacityMips), workload: vm.group,
    state: vm.status === 'down' ? 'lost' : vm.moving || migrationId !== null ? 'migrating' : 'running',
    migrationId, restartingOnHostId: vm.status === 'down' && vm.moving && vm.targetHostIndex >= 0 ? state.hosts[vm.targetHostIndex].id : null,
    wwsMiB: vm.wwsMiB, antiAffinityGroup: antiAffinity?.id ?? null
  }
}

function migrationViews(world: SnapshotSource): MigrationView[] {
  const views: MigrationView[] = []
  for (const [id, migration] of world.tracker.live) {
    const request = world.tracker.requests.get(id)
    if (request !== undefined) views.push(liveView(id, migration, request, world))
  }
  for (const finished of world.tracker.finished) views.push(finishedView(finished, world))
  for (const estimated of world.tracker.estimated.values()) views.push(estimatedView(estimated, world))
  return views
}

const NO_LIVE_FIGURES = { currentRound: null, downtimeLimitMs: null, downtimeOverLimit: null, switchoverRequested: false, estimate: null } as const

function downtimeLimitOf(migration: Migration): number | null {
  return migration.params.strategy === 'precopy-qemu' || migration.params.strategy === 'hybrid' ? migration.params.qemu.downtimeLimitMs : null
}

/** The pass in flight, from the migration's own counters (the strategy's rate limit, or the link when it has none). */
function roundProgress(migration: Migration, nowUs: number): { view: MigrationView['currentRound']; pagesLeft: number } {
  const pass = migration.roundInProgress
  if (pass === null) return { view: null, pagesLeft: 0 }
  const pageBytes = migration.vm.memory.pageBytes
  const pagesDone = Math.min(pass.pagesToSend, pass.pagesSent + pass.pagesSkipped)
  const pagesLeft = pass.pagesToSend - pagesDone
  const elapsedUs = nowUs - pass.startUs
  const bytesRemaining = pagesLeft * pageBytes
  // ETA from the pass's own pace so far (what it really got from the link), not from the limit.
  const etaMs = pass.bytesSent > 0 && elapsedUs > 0 ? Math.round((bytesRemaining * elapsedUs) / pass.bytesSent / 100) / 10 : null
  return {
    pagesLeft,
    view: {
      index: pass.index, phase: pass.phase, startMs: (pass.startUs - migration.startedAtUs) / 1000, elapsedMs: elapsedUs / 1000,
      pagesToSend: pass.pagesToSend, pagesDone, bytesSent: Math.round(pass.bytesSent), bytesRemaining,
      rateMbitPerS: pass.rateMbitPerS > 0 ? pass.rateMbitPerS : null,
      progressPct: pass.pagesToSend > 0 ? pct(pagesDone / pass.pagesToSend) : 100, etaMs
    }
  }
}

/**
 * The longest time a client of the VM went without a reply since the migration started (an unfinished gap
 * counts up to now), in ms; null when no client talks to the VM — not measured, never 0.
 */
export function clientOutageMs(clients: readonly RequestClient[] | undefined, startUs: number, nowUs: number): number | null {
  if (clients === undefined || clients.length === 0) return null
  return longestOutageUs(clients, startUs, nowUs) / 1000
}

function liveView(id: string, migration: Migration, request: MigrationStart, world: SnapshotSource): MigrationView {
  const memory = migration.vm.memory
  const last = migration.rounds[migration.rounds.length - 1]
  const nowUs = world.sim.nowUs
  const progress = roundProgress(migration, nowUs)
  const pass = migration.roundInProgress
  const dirtyPages = migration.dirtyLog?.count ?? 0
  // Still to send: what this pass has not reached yet plus what the guest dirtied since it began (the next pass).
  const remainingBytes = Math.max(0, (progress.pagesLeft + dirtyPages) * memory.pageBytes)
  // Live dirty rate: distinct pages dirtied since the pass began (the log is harvested at each pass's start).
  const passUs = pass === null ? 0 : nowUs - pass.startUs
  // Before the first pass has run for a microsecond, with no round behind it, nothing has been measured: null.
  const dirtyRateMbitPerS = pass !== null && passUs > 0 ? (dirtyPages * memory.pageBytes * 8) / passUs
    : last === undefined ? null : (last.dirtyPagesAfter * memory.pageBytes * 8) / Math.max(1, last.durationUs)
  const rateMbitPerS = migration.currentRateBitPerS / 1e6
  const cause = world.causeOf(id)
  return {
    id, vmId: request.vm.vmId, source: request.source.hostId, destination: request.target.hostId, strategy: migration.params.strategy, model: 'page',
    trigger: cause.trigger, reason: cause.reason, stage: migration.stage, startedAtUs: migration.startedAtUs,
    rounds: migration.rounds.map((round) => roundMs(round, migration.startedAtUs)), currentRound: progress.view, bytesSent: Math.round(migration.bytesSent),
    bytesRemaining: remainingBytes, memBytes: memory.memBytes, dirtyRateMbitPerS: dirtyRateMbitPerS === null ? null : Math.round(dirtyRateMbitPerS * 10) / 10,
    rateLimitMbitPerS: pass !== null && pass.rateMbitPerS > 0 ? pass.rateMbitPerS : last?.rateMbitPerS ?? rateMbitPerS, linkMbitPerS: request.linkMbitPerS,
    expectedDowntimeMs: rateMbitPerS > 0 ? (remainingBytes * 8) / (rateMbitPerS * 1e3) : null,
    downtimeLimitMs: downtimeLimitOf(migration), downtimeOverLimit: null, timeCapMs: migration.params.cancelAfterUs / 1000,
    switchoverRequested: migration.switchoverRequested, estimate: null, throttlePct: migration.throttlePct,
    outcome: null, abortReason: null, totalTimeMs: null, downtimeMs: null,
    clientOutageMs: clientOutageMs(world.clientsByVm.get(request.vm.vmId), migration.startedAtUs, nowUs)
  }
}

function finishedView(finished: FinishedMigration, world: SnapshotSource): MigrationView {
  const { result, request, endedAtUs, cause, downtimeLimitMs } = finished
  const downtimeMs = result.downtimeUs / 1000
  return {
    id: result.migrationId, vmId: result.vmId, source: request.source.hostId, destination: request.target.hostId, strategy: result.strategy, model: 'page',
    trigger: cause.trigger, reason: cause.reason, stage: 'done', startedAtUs: result.startUs,
    rounds: result.rounds.map((round) => roundMs(round, result.startUs)), currentRound: null, bytesSent: result.bytesSent, bytesRemaining: 0,
    memBytes: request.vm.memBytes, dirtyRateMbitPerS: null, rateLimitMbitPerS: result.rounds[result.rounds.length - 1]?.rateMbitPerS ?? 0,
    linkMbitPerS: request.linkMbitPerS, expectedDowntimeMs: result.expectedDowntimeMs,
    downtimeLimitMs, downtimeOverLimit: downtimeLimitMs === null || result.outcome !== 'completed' ? null : downtimeMs > downtimeLimitMs,
    timeCapMs: finished.timeCapMs, switchoverRequested: false, estimate: null,
    throttlePct: result.throttlePctMax, outcome: result.outcome,
    abortReason: result.abortReason, totalTimeMs: result.totalTimeUs / 1000, downtimeMs,
    // Read a second after the end, so the gap the cutover opened has closed (or is still counting).
    clientOutageMs: clientOutageMs(world.clientsByVm.get(result.vmId), result.startUs, Math.min(world.sim.nowUs, endedAtUs + 1_000_000))
  }
}

/**
 * An analytic-model migration: no pages move; its rounds, the round in flight and the bytes sent are the model's
 * own (its round log read at now), labelled as estimated in the view.
 */
function estimatedView(migration: EstimatedMigration, world: SnapshotSource): MigrationView {
  const ended = migration.ended
  const progress = migration.progress?.() ?? null
  const nowUs = ended?.atUs ?? world.sim.nowUs
  const share = migration.estimateTotalUs > 0 ? Math.min(1, (nowUs - migration.startUs) / migration.estimateTotalUs) : 1
  const bytesSent = ended !== null ? ended.bytes : progress !== null ? Math.round(progress.sentBytes) : Math.round(migration.estimateBytes * share)
  const cause = ended?.cause ?? world.causeOf(migration.id)
  return {
    id: migration.id, vmId: migration.vmId, source: migration.source, destination: migration.destination, strategy: ESTIMATE_STRATEGY, model: 'estimate',
    trigger: cause.trigger, reason: cause.reason, stage: ended === null ? 'precopy' : 'done', startedAtUs: migration.startUs,
    ...NO_LIVE_FIGURES,
    rounds: progress === null ? [] : progress.rounds.map(estimatedRoundMs),
    currentRound: ended === null && progress?.current != null ? estimatedRoundProgress(progress.current) : null,
    estimate: { totalMs: migration.estimateTotalUs / 1000, downtimeMs: migration.estimateDowntimeUs / 1000, bytes: migration.estimateBytes },
    bytesSent, bytesRemaining: ended !== null ? 0 : Math.max(0, migration.estimateBytes - bytesSent), memBytes: migration.memBytes,
    dirtyRateMbitPerS: ended !== null || progress === null ? null : Math.round((progress.dirtyBytesPerS * 80) / 1e6) / 10,
    rateLimitMbitPerS: migration.rateMbitPerS, linkMbitPerS: migration.rateMbitPerS,
    expectedDowntimeMs: migration.estimateDowntimeUs / 1000, timeCapMs: null, throttlePct: 0,
    outcome: ended?.outcome ?? null, abortReason: ended?.abortReason ?? null,
    totalTimeMs: ended === null ? null : (ended.atUs - migration.startUs) / 1000, downtimeMs: ended === null ? null : ended.downtimeUs / 1000, clientOutageMs: null
  }
}

function linkView(link: NetSnapshot['links'][number]): LinkView {
  return { id: link.id, a: link.a, b: link.b, capacityMbitPerS: link.capacityMbitPerS, utilisationPct: pct(Math.max(link.aToB.utilisation, link.bToA.utilisation)), up: link.up }
}

function arpViews(net: NetSnapshot | undefined) {
  const caches = (net?.arpCaches ?? []).filter((cache) => cache.owner.startsWith('client') || cache.owner === 'router')
  const rest = (net?.arpCaches ?? []).filter((cache) => !caches.includes(cache)).slice(0, Math.max(0, ARP_CACHES_MAX - caches.length))
  return [...caches, ...rest].map((cache) => ({ owner: cache.owner, entries: cache.entries.map((entry) => ({ ip: entry.ip, mac: entry.mac ?? '', state: entry.state })) }))
}

function clientViews(lan: Lan | undefined, net: NetSnapshot | undefined, nowUs: number) {
  return (net?.clients ?? []).map((client) => {
    const stats = lan?.client(client.id).stats
    const latencies = stats?.latenciesUs ?? []
    const last = latencies[latencies.length - 1]
    // While no reply has come for longer than the client's notice threshold, its latency is a gap (null), not the old value.
    const silent = stats !== undefined && stats.lastReplyAtUs >= 0 && nowUs - stats.lastReplyAtUs > stats.gapNoticeUs
    return { id: client.id, targetVmId: client.to, lastLatencyMs: last === undefined || silent ? null : last / 1000, outageMs: client.outageUs / 1000, lost: client.lost }
  })
}

function policyView(world: SnapshotSource): PolicyView {
  const policy = world.policy
  return {
    name: world.dc.policyName, automation: policy.automation, parameters: policy.parameters, imbalance: cpuImbalance(world.dc.inspectState()),
    recommendations: [...policy.recommendations.values()], decisions: policy.decisions.slice(-20)
  }
}
