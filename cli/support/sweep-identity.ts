// Which sweep a shard output belongs to, and which shard it is, so `cutover merge` can tell a complete set of
// shards from a partial one. The sweep id hashes everything that decides the (policy, seed) pairs and their
// results; every shard of one `cutover sweep` invocation (any --shard i/n, same n) carries the same id.
import { createHash } from 'node:crypto'

export interface SweepIdentity {
  /** 16 hex digits of SHA-256 over the sweep's defining inputs. */
  readonly id: string
  /** 1-based shard index and the number of shards (1/1: the whole sweep). */
  readonly shard: { readonly index: number; readonly count: number }
  /** (policy, seed) pairs of the whole sweep, over all shards. */
  readonly runsTotal: number
}

export interface SweepDefinition {
  readonly scenarioText: string
  readonly policies: readonly string[]
  readonly seeds: readonly number[]
  readonly hours?: number
  readonly policyIntervalS?: number
  readonly params?: Readonly<Record<string, unknown>>
  readonly migrationModel?: string
  readonly plugins?: readonly string[]
}

export function sweepId(definition: SweepDefinition): string {
  const canonical = JSON.stringify([
    createHash('sha256').update(definition.scenarioText).digest('hex'), definition.policies, definition.seeds,
    definition.hours ?? null, definition.policyIntervalS ?? null,
    Object.entries(definition.params ?? {}).sort(([a], [b]) => a.localeCompare(b)), definition.migrationModel ?? null,
    definition.plugins ?? []
  ])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16)
}

/** Runs shard i of n holds when pairs are dealt round-robin (pair k goes to shard k mod n + 1). */
export function runsInShard(identity: SweepIdentity): number {
  const { index, count } = identity.shard
  return index > identity.runsTotal ? 0 : Math.floor((identity.runsTotal - index) / count) + 1
}

export function shardLabel(shard: SweepIdentity['shard']): string {
  return `${shard.index}/${shard.count}`
}
