// Applies a user command to the interactive world. Each answer says what happened or why it was refused, in
// words the UI shows as is; every command is also audited by the world.
import { TIME_CAP_S_DEFAULT, type EngineCommand } from '../api/commands'
import type { Datacenter } from '../cluster/datacenter-run'
import type { PageMigrationModel } from '../migration/page-model'
import type { Migration } from '../migration/migration'
import type { MigrationParams } from '../migration/types'
import { DEFAULT_PARAMS } from '../migration/types'
import type { Lan } from '../net/lan'
import type { ClusterState } from '../cluster/state'
import type { PolicyTracker } from './policy-tracker'
import { torId } from './lan-spec'
import { createPolicyRegistry, PolicyParamError } from '../policy/registry'

/** The built-ins' parameter lists (the app registers no plugins). */
const POLICIES = createPolicyRegistry()

export interface CommandOutcome {
  readonly ok: boolean
  readonly detail: string
}

export interface CommandTarget {
  readonly dc: Datacenter
  readonly model: PageMigrationModel
  readonly lan: Lan | undefined
  readonly policy: PolicyTracker
  readonly tracker: { readonly live: Map<string, Migration> }
  repairDelayS(): number
}

const ok = (detail: string): CommandOutcome => ({ ok: true, detail })
const refused = (detail: string): CommandOutcome => ({ ok: false, detail })
const answer = (refusal: string | null, detail: string): CommandOutcome => (refusal === null ? ok(detail) : refused(refusal))

/** Maps the UI's parameter names onto the migration parameters. */
export function migrationParams(parameters: Readonly<Record<string, number | boolean | undefined>> = {}): Partial<MigrationParams> {
  const number = (key: string): number | undefined => (typeof parameters[key] === 'number' ? parameters[key] as number : undefined)
  const clark = { ...DEFAULT_PARAMS.clark, rateMinMbitPerS: number('rateMinMbitPerS') ?? DEFAULT_PARAMS.clark.rateMinMbitPerS, rateMaxMbitPerS: number('rateMaxMbitPerS') ?? DEFAULT_PARAMS.clark.rateMaxMbitPerS }
  const qemu = {
    ...DEFAULT_PARAMS.qemu, maxBandwidthMbitPerS: number('maxBandwidthMbitPerS') ?? DEFAULT_PARAMS.qemu.maxBandwidthMbitPerS,
    downtimeLimitMs: number('downtimeLimitMs') ?? DEFAULT_PARAMS.qemu.downtimeLimitMs, autoConverge: parameters.autoConverge === true
  }
  return { clark, qemu }
}

function hostLink(state: Readonly<ClusterState>, hostId: string): string | null {
  const host = state.hosts.find((candidate) => candidate.id === hostId)
  return host === undefined ? null : `${host.id}~${torId(host.rack)}`
}

function injectFault(world: CommandTarget, fault: 'link-down' | 'link-up' | 'partition' | 'heal', target: string): CommandOutcome {
  const lan = world.lan
  if (lan === undefined) return refused('this scenario is too large for the emulated LAN: network faults are not available')
  if (fault === 'heal') { lan.healPartitions(); return ok('partitions healed') }
  if (fault === 'partition') { lan.partition([target]); return ok(`${target} partitioned from the rest`) }
  const link = hostLink(world.dc.inspectState(), target)
  if (link === null) return refused(`unknown host ${target}`)
  lan.setLinkUp(link, fault === 'link-up')
  return ok(`${link} ${fault === 'link-up' ? 'up' : 'down'}`)
}

export function applyCommand(world: CommandTarget, command: EngineCommand): CommandOutcome {
  const { dc } = world
  switch (command.kind) {
    case 'migrate':
      world.model.overrideNext(command.vmId, { strategy: command.strategy, params: { ...migrationParams(command.parameters), cancelAfterUs: (command.timeCapS ?? TIME_CAP_S_DEFAULT) * 1_000_000 } })
      return answer(dc.migrateVm(command.vmId, command.destination), `migrating ${command.vmId} to ${command.destination} (${command.strategy})`)
    case 'abort-migration': {
      const migration = world.tracker.live.get(command.migrationId)
      if (migration === undefined) return refused(`no running migration ${command.migrationId}`)
      if (migration.committed) return refused(`${command.migrationId} has committed: the destination owns the VM`)
      migration.abort('cancelled by the user')
      return ok(`${command.migrationId} aborted; the VM keeps running on ${migration.hosts.source}`)
    }
    case 'force-complete': {
      const migration = world.tracker.live.get(command.migrationId)
      if (migration === undefined) return refused(`no running migration ${command.migrationId}`)
      migration.requestSwitchover()
      return ok(`${command.migrationId} switches over at its next decision point`)
    }
    case 'evacuate-host': return answer(dc.evacuateHost(command.hostId), `evacuating ${command.hostId} for maintenance`)
    case 'exit-maintenance': return answer(dc.exitMaintenance(command.hostId), `${command.hostId} back in service`)
    case 'fail-host': return answer(dc.failHost(command.hostId, world.repairDelayS()), `${command.hostId} crashed; repair it, or it is repaired after ${world.repairDelayS()} s`)
    case 'repair-host': return answer(dc.repairHost(command.hostId), `${command.hostId} repaired`)
    case 'power-host': return answer(dc.powerHost(command.hostId, command.on), `${command.hostId} ${command.on ? 'booting' : 'switched off'}`)
    case 'inject-fault': return injectFault(world, command.fault, command.target)
    case 'set-policy': {
      // The level is a parameter only of a policy that declares one (DRS); the others would refuse it by name.
      const declared = POLICIES.info(command.policy)?.params.some((p) => p.name === 'automation') ?? false
      const parameters = declared ? { ...command.parameters, automation: command.automation } : { ...command.parameters }
      try {
        dc.setPolicy(command.policy, parameters)
      } catch (error) {
        if (error instanceof PolicyParamError) return refused(error.message)
        throw error
      }
      world.policy.automation = command.automation
      world.policy.parameters = { ...command.parameters }
      return ok(`policy ${command.policy} (${command.automation})`)
    }
    case 'accept-recommendation': {
      const recommendation = world.policy.recommendations.get(command.recommendationId)
      if (recommendation === undefined) return refused(`no pending recommendation ${command.recommendationId}`)
      world.policy.recommendations.delete(command.recommendationId)
      return answer(dc.migrateVm(recommendation.vmId, recommendation.destination), `accepted: ${recommendation.vmId} → ${recommendation.destination}`)
    }
    case 'reject-recommendation':
      return world.policy.recommendations.delete(command.recommendationId) ? ok(`rejected ${command.recommendationId}`) : refused(`no pending recommendation ${command.recommendationId}`)
  }
}
