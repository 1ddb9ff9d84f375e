// The world as the UI and the history see it: plain JSON-safe DTOs, no engine objects, declared as zod schemas
// so the TypeScript types (inferred below) and the IPC contract's response schemas are one source. A snapshot
// is complete; the host sends one on connect and then newer ones (coalesced, at most 30 a second).
import { z } from 'zod'
import { ROUND_PHASES, type RoundMs } from './rounds'
import { automationSchema, outcomeSchema, stageSchema, strategySchema, triggerSchema } from './names'

const count = z.number().int().nonnegative()
/** Virtual time in integer microseconds (SimTimeUs). */
const timeUs = z.number().int().nonnegative()
const ids = z.array(z.string()).readonly()

export const powerStateSchema = z.enum(['on', 'off', 'booting', 'failed'])
export type PowerState = z.infer<typeof powerStateSchema>
export const vmStateSchema = z.enum(['running', 'migrating', 'suspended', 'lost'])
export type VmState = z.infer<typeof vmStateSchema>
export type { AutomationLevel } from './names'

export const hostViewSchema = z.object({
  id: z.string(),
  rack: z.string(),
  cores: count,
  memMiB: z.number(),
  cpuUsedPct: z.number(),
  memUsedMiB: z.number(),
  /** Memory reserved by incoming migrations (already counted in memUsedMiB). */
  memReservedMiB: z.number(),
  netUsedPct: z.number(),
  power: powerStateSchema,
  maintenance: z.boolean(),
  vmIds: ids,
  /** VMs that went down with this host and have not been restarted elsewhere yet (HA restarts them). */
  downVmIds: ids
}).readonly()
export type HostView = z.infer<typeof hostViewSchema>

export const vmViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  hostId: z.string().nullable(),
  vcpus: count,
  memMiB: z.number(),
  cpuDemandPct: z.number(),
  workload: z.string(),
  state: vmStateSchema,
  migrationId: z.string().nullable(),
  /** A down VM HA is restarting: the host it restarts on; null otherwise. */
  restartingOnHostId: z.string().nullable(),
  /** Writable working set estimate in MiB (evacuation order, policy cost). */
  wwsMiB: z.number(),
  antiAffinityGroup: z.string().nullable()
}).readonly()
export type VmView = z.infer<typeof vmViewSchema>

/** A round as the UI shows it (ms from the migration's start): the engine's edge view, RoundMs. */
export const roundViewSchema = z.object({
  index: count,
  startMs: z.number(),
  durationMs: z.number(),
  pagesSent: count,
  bytesSent: count,
  rateMbitPerS: z.number(),
  dirtyPagesAfter: count,
  final: z.boolean(),
  /** On the last pre-copy round: why iteration stopped (the rule that fired); null on the others. */
  stopReason: z.string().nullable(),
  /** What the round moved: a pre-copy pass, the final copy, post-copy (active, paused, recover) or demand paging. */
  phase: z.enum(ROUND_PHASES)
}).readonly() satisfies z.ZodType<RoundMs>
export type RoundView = RoundMs

/** The pass being sent now, as far as it got: what a round looks like before it completes (ms from the migration's start). */
export const roundProgressViewSchema = z.object({
  index: count,
  phase: z.enum(ROUND_PHASES),
  startMs: z.number(),
  elapsedMs: z.number(),
  pagesToSend: count,
  /** Pages sent (or skipped as re-dirtied) so far in this pass. */
  pagesDone: count,
  bytesSent: count,
  /** Bytes of this pass still to send. */
  bytesRemaining: count,
  /** The pass's rate limit; null when it goes at link speed. */
  rateMbitPerS: z.number().nullable(),
  progressPct: z.number(),
  /** Time to the pass's end at the rate measured so far; null until something was sent. */
  etaMs: z.number().nullable()
}).readonly()
export type RoundProgressView = z.infer<typeof roundProgressViewSchema>

/** How a migration is modelled: page by page (rounds, live figures) or by the analytic estimate (big clusters). */
export const migrationModelKindSchema = z.enum(['page', 'estimate'])

export const migrationViewSchema = z.object({
  id: z.string(),
  vmId: z.string(),
  source: z.string(),
  destination: z.string(),
  /** `precopy-estimate`: run by the analytic model (history uses the same name). */
  strategy: z.union([strategySchema, z.literal('precopy-estimate')]),
  model: migrationModelKindSchema,
  trigger: triggerSchema,
  reason: z.string(),
  stage: stageSchema,
  startedAtUs: timeUs,
  /** Estimated migrations: the analytic model's rounds (pages are its bytes in 4 KiB pages). */
  rounds: z.array(roundViewSchema).readonly(),
  /** The pass in flight (estimated migrations: the model's); null between passes and once finished. */
  currentRound: roundProgressViewSchema.nullable(),
  /** Estimated migrations: what the analytic model has sent by now (it moves no pages). */
  bytesSent: z.number(),
  /** All that is still to send: the rest of this pass plus the pages dirtied since it began. */
  bytesRemaining: z.number(),
  memBytes: z.number(),
  /** Live dirty rate; null where none was measured (finished, or before the first pass has run). */
  dirtyRateMbitPerS: z.number().nullable(),
  rateLimitMbitPerS: z.number(),
  linkMbitPerS: z.number(),
  expectedDowntimeMs: z.number().nullable(),
  /** QEMU's downtime limit; null for strategies without one. */
  downtimeLimitMs: z.number().nullable(),
  /** Finished QEMU migrations: whether the measured downtime exceeded the limit; null otherwise. */
  downtimeOverLimit: z.boolean().nullable(),
  /** The migration is aborted when still running after this long; null when the model has no cap. */
  timeCapMs: z.number().nullable(),
  /** Force complete was asked for: it takes effect at the pass's end. */
  switchoverRequested: z.boolean(),
  /** The analytic model's prediction (estimated migrations only; null for page-level ones). */
  estimate: z.object({ totalMs: z.number(), downtimeMs: z.number(), bytes: z.number() }).readonly().nullable(),
  throttlePct: z.number(),
  outcome: outcomeSchema.nullable(),
  abortReason: z.string().nullable(),
  totalTimeMs: z.number().nullable(),
  downtimeMs: z.number().nullable(),
  clientOutageMs: z.number().nullable()
}).readonly()
export type MigrationView = z.infer<typeof migrationViewSchema>

export const linkViewSchema = z.object({
  id: z.string(),
  a: z.string(),
  b: z.string(),
  capacityMbitPerS: z.number(),
  utilisationPct: z.number(),
  up: z.boolean()
}).readonly()
export type LinkView = z.infer<typeof linkViewSchema>

export const macEntryViewSchema = z.object({ mac: z.string(), port: z.string(), ageS: z.number() }).readonly()
export type MacEntryView = z.infer<typeof macEntryViewSchema>
export const switchViewSchema = z.object({ id: z.string(), entries: z.array(macEntryViewSchema).readonly() }).readonly()
export type SwitchView = z.infer<typeof switchViewSchema>
export const arpEntryViewSchema = z.object({ ip: z.string(), mac: z.string(), state: z.string() }).readonly()
export type ArpEntryView = z.infer<typeof arpEntryViewSchema>
export const arpCacheViewSchema = z.object({ owner: z.string(), entries: z.array(arpEntryViewSchema).readonly() }).readonly()
export type ArpCacheView = z.infer<typeof arpCacheViewSchema>

export const clientViewSchema = z.object({
  id: z.string(),
  targetVmId: z.string(),
  lastLatencyMs: z.number().nullable(),
  outageMs: z.number(),
  lost: count
}).readonly()
export type ClientView = z.infer<typeof clientViewSchema>

export const recommendationViewSchema = z.object({
  id: z.string(),
  vmId: z.string(),
  source: z.string(),
  destination: z.string(),
  reason: z.string(),
  expectedBenefit: z.string(),
  expectedCost: z.string()
}).readonly()
export type RecommendationView = z.infer<typeof recommendationViewSchema>

export const policyParamValueSchema = z.union([z.number(), z.string(), z.boolean()])

export const policyViewSchema = z.object({
  name: z.string(),
  automation: automationSchema,
  parameters: z.record(z.string(), policyParamValueSchema).readonly(),
  imbalance: z.number(),
  recommendations: z.array(recommendationViewSchema).readonly(),
  decisions: z.array(z.object({ atUs: timeUs, summary: z.string() }).readonly()).readonly()
}).readonly()
export type PolicyView = z.infer<typeof policyViewSchema>

export const worldSnapshotSchema = z.object({
  nowUs: timeUs,
  scenario: z.string(),
  seed: z.number().int(),
  hosts: z.array(hostViewSchema).readonly(),
  vms: z.array(vmViewSchema).readonly(),
  migrations: z.array(migrationViewSchema).readonly(),
  links: z.array(linkViewSchema).readonly(),
  switches: z.array(switchViewSchema).readonly(),
  arpCaches: z.array(arpCacheViewSchema).readonly(),
  clients: z.array(clientViewSchema).readonly(),
  policy: policyViewSchema,
  traceHash: z.string()
}).readonly()
export type WorldSnapshot = z.infer<typeof worldSnapshotSchema>
