// Network faults as plain data, schedulable by virtual time: link down/up, random loss, a slow link
// (capacity change) and partitions of host sets. Kinds come from the one fault vocabulary; validated by a
// zod schema built for the LAN's link and host ids, then applied by `Lan`.
import { z } from 'zod'
import { schemaIssues } from '../api/issues'
import type { NetFaultKind } from '../faults/vocabulary'

interface Timed {
  readonly atUs: number
  /** How long the fault lasts; carried for schedules of `KIND@WHEN+FORs`, not yet applied by the LAN. */
  readonly durationUs?: number
}

export type NetFault =
  | Timed & { readonly kind: 'link-down'; readonly linkId: string }
  | Timed & { readonly kind: 'link-up'; readonly linkId: string }
  | Timed & { readonly kind: 'link-loss'; readonly linkId: string; readonly lossRatio: number }
  | Timed & { readonly kind: 'link-capacity'; readonly linkId: string; readonly capacityMbitPerS: number }
  | Timed & { readonly kind: 'partition'; readonly hostIds: readonly string[] }
  | Timed & { readonly kind: 'heal' }

/** Names a validator can check fault references against. */
export interface FaultTargets {
  readonly linkIds: readonly string[]
  readonly hostIds: readonly string[]
}

/** The fault-list schema for a LAN with these link and host ids. */
export function netFaultsSchema(targets: FaultTargets) {
  const timing = { atUs: z.number().int().min(0), durationUs: z.number().int().positive().optional() }
  const linkId = z.string().min(1).refine((id) => targets.linkIds.includes(id), { message: 'expected the id of a link' })
  const hostId = z.string().min(1).refine((id) => targets.hostIds.includes(id), { message: 'expected the id of a host' })
  return z.array(z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('link-down'), ...timing, linkId }),
    z.strictObject({ kind: z.literal('link-up'), ...timing, linkId }),
    z.strictObject({ kind: z.literal('link-loss'), ...timing, linkId, lossRatio: z.number().min(0).lt(1) }),
    z.strictObject({ kind: z.literal('link-capacity'), ...timing, linkId, capacityMbitPerS: z.number().positive() }),
    z.strictObject({ kind: z.literal('partition'), ...timing, hostIds: z.array(hostId).min(1) }),
    z.strictObject({ kind: z.literal('heal'), ...timing })
  ]) satisfies z.ZodType<{ kind: NetFaultKind }>)
}

/** Every problem in `input` as `path: message`; empty when it is a valid fault list for `targets`. */
export function validateNetFaults(input: unknown, targets: FaultTargets): string[] {
  // Wrapped so that paths read `faults[2].linkId`, as in a scenario file.
  return schemaIssues(z.object({ faults: netFaultsSchema(targets) }), { faults: input })
}
