// Validation of policy proposals by the core. A proposal is accepted only if the VM can move now (running,
// not already moving, automation allows it, out of cooldown), the target can take it (on or booting on
// request, not draining, memory, CPU ≤ 100 %, hard rules) and it would not close a ping-pong cycle.
import type { SimTimeUs } from '../kernel/time'
import type { PingPongDetector } from '../policy/oscillation'
import type { MigrateProposal, PowerProposal } from '../policy/types'
import { fitProblem, fitRefusal, type FitOptions, type FitRefusal } from './placement'
import type { ClusterState } from './state'

export interface AdmissionContext {
  readonly state: ClusterState
  readonly detector: PingPongDetector
  readonly nowUs: SimTimeUs
  readonly groups: ReadonlyMap<number, readonly number[]>
}

export type MigrationVerdict =
  | { readonly kind: 'accept' }
  | { readonly kind: 'recommend' }
  | { readonly kind: 'reject'; readonly reason: string; readonly cycle: readonly number[] | null }

function reject(reason: string, cycle: readonly number[] | null = null): MigrationVerdict {
  return { kind: 'reject', reason, cycle }
}

function vmProblem(context: AdmissionContext, proposal: MigrateProposal): string | null {
  const { state, nowUs } = context
  const vm = state.vms[proposal.vmIndex]
  if (vm === undefined) return `no VM #${proposal.vmIndex}`
  if (vm.status !== 'running') return `VM is ${vm.status}`
  if (vm.moving) return 'VM already has a move queued or running'
  if (vm.automation === 'disabled') return 'VM automation is disabled'
  if (context.groups.has(vm.index)) return 'VM moves only with its hard-affinity group'
  if (nowUs < vm.cooldownUntilUs) return `VM in cooldown until ${vm.cooldownUntilUs} µs`
  return null
}

// Shared option objects: one allocation per process, not per proposal.
const ON_FIT: FitOptions = { cpuLimit: 1, allowOff: false }
const OFF_FIT: FitOptions = { cpuLimit: 1, allowOff: true }
/** A booting target the proposal asks to power on fits as an off host would (the boot is already under way). */
const BOOTING_FIT: FitOptions = { cpuLimit: 1, allowOff: true, bootingAsOff: true }

export function judgeMigration(context: AdmissionContext, proposal: MigrateProposal): MigrationVerdict {
  const { state, nowUs } = context
  const problem = vmProblem(context, proposal)
  if (problem !== null) return reject(problem)
  const vm = state.vms[proposal.vmIndex]
  const target = state.hosts[proposal.targetHostIndex]
  if (target === undefined) return reject(`no host #${proposal.targetHostIndex}`)
  if (target.index === vm.hostIndex) return reject('target is the VM\'s own host')
  const booting = target.state === 'booting' && proposal.powerOnTarget
  const fit = fitProblem(state, vm, target, booting ? BOOTING_FIT : proposal.powerOnTarget ? OFF_FIT : ON_FIT)
  if (fit !== null) return reject(`target: ${fit}`)
  const cycle = context.detector.cycle(vm.index, vm.hostIndex, target.index, nowUs)
  if (cycle !== null) return reject('ping-pong: the move would close a host cycle', cycle)
  if (proposal.recommendOnly || vm.automation === 'manual') return { kind: 'recommend' }
  return { kind: 'accept' }
}

/** A user's move ignores CPU (the user decides to overload) but never overcommits memory or breaks a hard rule. */
const USER_FIT = { cpuLimit: Number.POSITIVE_INFINITY, allowOff: false } as const

/**
 * Why a user may not move a VM to a host now (a drop in the UI, "Migrate to…", an accepted recommendation), or
 * null: the one rule the command path enforces and the UI's drag feedback shows, with a sentence naming both.
 */
export function userMoveRefusal(state: Readonly<ClusterState>, vmIndex: number, targetIndex: number): FitRefusal | null {
  const vm = state.vms[vmIndex]
  const host = state.hosts[targetIndex]
  if (vm.hostIndex === targetIndex && vm.status !== 'down') return { code: 'same-host', reason: `${vm.id} already runs on ${host.id}` }
  if (vm.moving) return { code: 'already-migrating', reason: `${vm.id} is already migrating; wait for it to finish or abort it` }
  if (vm.status !== 'running') return { code: 'vm-not-running', reason: `${vm.id} is ${vm.status}` }
  // fitRefusal only reads the state (the snapshot side passes the world's read-only view).
  const refusal = fitRefusal(state as ClusterState, vm, host, USER_FIT)
  if (refusal === null) return null
  switch (refusal.code) {
    case 'host-down': return { ...refusal, reason: `${host.id} is ${host.state === 'off' ? 'powered off' : host.state === 'booting' ? 'still booting' : host.state}` }
    case 'maintenance': return { ...refusal, reason: `${host.id} is in maintenance and accepts no VMs` }
    case 'no-memory': return { ...refusal, reason: `${host.id} has ${Math.max(0, Math.floor(host.memMiB - host.memUsedMiB))} MiB free; ${vm.id} needs ${vm.memMiB} MiB` }
    case 'anti-affinity': return { ...refusal, reason: `${host.id} already runs a VM of anti-affinity group "${refusal.ruleId}"` }
    default: return { ...refusal, reason: `${host.id}: ${refusal.reason}` }
  }
}

export type PowerVerdict =
  | { readonly kind: 'now' }
  | { readonly kind: 'drain' }
  | { readonly kind: 'reject'; readonly reason: string }

export function judgePower(context: AdmissionContext, proposal: PowerProposal): PowerVerdict {
  const { state } = context
  const host = state.hosts[proposal.hostIndex]
  if (host === undefined) return { kind: 'reject', reason: `no host #${proposal.hostIndex}` }
  if (proposal.kind === 'power-on') {
    return host.state === 'off' ? { kind: 'now' } : { kind: 'reject', reason: `host is ${host.state}` }
  }
  if (host.state !== 'on') return { kind: 'reject', reason: `host is ${host.state}` }
  if (host.drain === 'maintenance') return { kind: 'reject', reason: 'host is draining for maintenance' }
  if (state.activeHosts <= 1) return { kind: 'reject', reason: 'the last active host stays on' }
  const empty = host.vmIndices.length === 0 && host.memUsedMiB <= 1e-6 && host.migrationsActive === 0
  if (empty) return { kind: 'now' }
  return proposal.whenEmpty ? { kind: 'drain' } : { kind: 'reject', reason: 'host is not empty' }
}
