// Builds the UI's WorldSnapshot from the cluster state, the live and recent page-level migrations, the LAN
// and the policy tracker. Read-only: building a snapshot never changes the world.
import type { HostView, LinkView, MigrationView, PolicyView, VmView, WorldSnapshot } from '../api/snapshot'
import type { MigrationStart } from '../cluster/migration-model'
import type { ClusterState, HostState } from '../cluster/state'
import type { Datacenter } from '../cluster/datacenter-run'
import type { Migration } from '../migration/migration'
import { roundMs } from '../api/rounds'
import type { MigrationResult } from '../migration/types'
import type { Lan } from '../net/lan'
import type { RequestClient } from '../net/traffic'
import type { NetSnapshot } from '../net/snapshot'
import type { Scenario } from '../scenario/schema'
import { cpuImbalance, type PolicyTracker } from './policy-tracker'
import { torId } from './lan-spec'

export interface MigrationTracker {
  readonly live: Map<string, Migration>
  readonly requests: Map<string, MigrationStart>
  readonly finished: { result: MigrationResult; request: MigrationStart; endedAtUs: number }[]
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
}

const pct = (value: number): number => Math.round(value * 1000) / 10
const ARP_CACHES_MAX = 12

export function buildSnapshot(world: SnapshotSource): WorldSnapshot {
  const state = world.dc.inspectState()
  const net = world.lan?.snapshot()
  const linkUse = new Map((net?.links ?? []).map((link) => [link.id, Math.max(link.aToB.utilisation, link.bToA.utilisation)]))
  return {
    nowUs: world.sim.nowUs, scenario: world.scenario.name, seed: world.seed,
    hosts: state.hosts.map((host) => hostView(state, host, linkUse.get(`${host.id}~${torId(host.rack)}`))),
    vms: state.vms.map((vm) => vmView(world, state, vm.index)),
    migrations: migrationViews(world),
    links: (net?.links ?? []).map(linkView),
    switches: (net?.switches ?? []).map((sw) => ({ id: sw.id, entries: sw.entries.map((entry) => ({ mac: entry.mac, port: entry.peer, ageS: Math.max(0, Math.round((entry.expiresAtUs - world.sim.nowUs) / 1e5) / 10) })) })),
    arpCaches: arpViews(net),
    clients: clientViews(world.lan, net, world.sim.nowUs),
    policy: policyView(world),
    traceHash: world.sim.traceHash()
  }
}

function hostView(state: Readonly<ClusterState>, host: HostState, linkUtilisation: number | undefined): HostView {
  let reservedMiB = 0
  for (const vm of state.vms) if (vm.targetHostIndex === host.index) reservedMiB += vm.memMiB
  return {
    id: host.id, rack: host.rack, cores: host.cores, memMiB: host.memMiB,
    cpuUsedPct: pct(host.cpuDemandMips / host.cpuCapacityMips), memUsedMiB: host.memUsedMiB, memReservedMiB: reservedMiB,
    netUsedPct: pct(linkUtilisation ?? Math.min(1, host.netDemandMbitPerS / host.nicMbitPerS)),
    power: host.state === 'maintenance' ? 'on' : host.state, maintenance: host.state === 'maintenance' || host.drain === 'maintenance',
    vmIds: host.vmIndices.map((index) => state.vms[index].id)
  }
}

function vmView(world: SnapshotSource, state: Readonly<ClusterState>, index: number): VmView {
  const vm = state.vms[index]
  let migrationId: string | null = null
  for (const [id, request] of world.tracker.requests) if (request.vm.vmId === vm.id && world.tracker.live.has(id)) migrationId = id
  const antiAffinity = state.rulesByVm[index].map((rule) => state.rules[rule]).find((rule) => rule.kind === 'vm-anti-affinity')
  return {
    id: vm.id, name: vm.id, hostId: vm.hostIndex >= 0 ? state.hosts[vm.hostIndex].id : null, vcpus: vm.vcpus, memMiB: vm.memMiB,
    cpuDemandPct: pct(vm.cpuDemandMips / vm.cpuCapacityMips), workload: vm.group,
    state: vm.status === 'down' ? 'lost' : vm.moving || migrationId !== null ? 'migrating' : 'running',
    migrationId, wwsMiB: vm.wwsMiB, antiAffinityGroup: antiAffinity?.id ?? null
  }
}

function migrationViews(world: SnapshotSource): MigrationView[] {
  const views: MigrationView[] = []
  for (const [id, migration] of world.tracker.live) {
    const request = world.tracker.requests.get(id)
    if (request !== undefined) views.push(liveView(id, migration, request, world))
  }
  for (const { result, request, endedAtUs } of world.tracker.finished) views.push(finishedView(result, request, world, endedAtUs))
  return views
}

/**
 * The longest time a client of the VM went without a reply since the migration started (an unfinished gap
 * counts up to now), in ms; null when no client talks to the VM — not measured, never 0.
 */
export function clientOutageMs(clients: readonly RequestClient[] | undefined, startUs: number, nowUs: number): number | null {
  if (clients === undefined || clients.length === 0) return null
  let outageUs = 0
  for (const client of clients) {
    const stats = client.stats
    for (const gap of stats.gaps) if (gap.toUs >= startUs) outageUs = Math.max(outageUs, gap.toUs - Math.max(gap.fromUs, startUs))
    const quietSinceUs = Math.max(stats.lastReplyAtUs, startUs)
    if (stats.lastReplyAtUs >= 0 && nowUs - quietSinceUs > stats.gapNoticeUs) outageUs = Math.max(outageUs, nowUs - quietSinceUs)
  }
  return outageUs / 1000
}

function liveView(id: string, migration: Migration, request: MigrationStart, world: SnapshotSource): MigrationView {
  const memory = migration.vm.memory
  const last = migration.rounds[migration.rounds.length - 1]
  const remainingBytes = Math.max(0, (migration.dirtyLog?.count ?? 0) * memory.pageBytes)
  const dirtyRateMbitPerS = last === undefined ? 0 : (last.dirtyPagesAfter * memory.pageBytes * 8) / Math.max(1, last.durationUs)
  const rateMbitPerS = migration.currentRateBitPerS / 1e6
  return {
    id, vmId: request.vm.vmId, source: request.source.hostId, destination: request.target.hostId, strategy: migration.params.strategy,
    trigger: 'user', reason: '', stage: migration.stage, startedAtUs: migration.startedAtUs,
    rounds: migration.rounds.map((round) => roundMs(round, migration.startedAtUs)), bytesSent: Math.round(migration.bytesSent),
    bytesRemaining: remainingBytes, memBytes: memory.memBytes, dirtyRateMbitPerS: Math.round(dirtyRateMbitPerS * 10) / 10,
    rateLimitMbitPerS: last?.rateMbitPerS ?? rateMbitPerS, linkMbitPerS: request.linkMbitPerS,
    expectedDowntimeMs: rateMbitPerS > 0 ? (remainingBytes * 8) / (rateMbitPerS * 1e3) : null, throttlePct: migration.throttlePct,
    outcome: null, abortReason: null, totalTimeMs: null, downtimeMs: null,
    clientOutageMs: clientOutageMs(world.clientsByVm.get(request.vm.vmId), migration.startedAtUs, world.sim.nowUs)
  }
}

function finishedView(result: MigrationResult, request: MigrationStart, world: SnapshotSource, endedAtUs: number): MigrationView {
  return {
    id: result.migrationId, vmId: result.vmId, source: request.source.hostId, destination: request.target.hostId, strategy: result.strategy,
    trigger: 'user', reason: '', stage: 'done', startedAtUs: result.startUs,
    rounds: result.rounds.map((round) => roundMs(round, result.startUs)), bytesSent: result.bytesSent, bytesRemaining: 0,
    memBytes: request.vm.memBytes, dirtyRateMbitPerS: 0, rateLimitMbitPerS: result.rounds[result.rounds.length - 1]?.rateMbitPerS ?? 0,
    linkMbitPerS: request.linkMbitPerS, expectedDowntimeMs: result.expectedDowntimeMs, throttlePct: result.throttlePctMax, outcome: result.outcome,
    abortReason: result.abortReason, totalTimeMs: result.totalTimeUs / 1000, downtimeMs: result.downtimeUs / 1000,
    // Read a second after the end, so the gap the cutover opened has closed (or is still counting).
    clientOutageMs: clientOutageMs(world.clientsByVm.get(result.vmId), result.startUs, Math.min(world.sim.nowUs, endedAtUs + 1_000_000))
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
