// Faults a migration can meet, and what each does at each point of the protocol (the fault matrix that
// docs/migration.md documents and test/engine/migration/fault-matrix.test.ts checks).
import type { SimTimeUs } from '../kernel/time'
import type { Outcome, Stage } from './types'

export const FAULT_KINDS = ['dest-crash', 'source-crash', 'link-down', 'partition', 'dest-oom'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export const FAULT_STAGES = ['reservation', 'precopy', 'stop-and-copy', 'commit', 'activation', 'postcopy'] as const
export type FaultStage = (typeof FAULT_STAGES)[number]

/** A fault at the entry of a stage, or at a virtual time since the migration started. */
export interface PlannedFault {
  readonly kind: FaultKind
  readonly stage?: FaultStage
  readonly afterStartUs?: SimTimeUs
}

export interface FaultVerdict {
  /** null: the migration carries on. */
  readonly outcome: Outcome | null
  readonly reason: string
}

/**
 * The protocol's answer to a fault. Before the commit the source is authoritative: any fault of the
 * destination or the path aborts and the VM runs on the source; only the source's own death loses the VM.
 * After the commit the destination is authoritative: it must survive, and in post-copy the source and the
 * path too, because pages still live there (migration.md §2, §10); a lost path pauses it until recovery.
 */
export function faultVerdict(kind: FaultKind, stage: Stage, committed: boolean, pagesOnSource: boolean): FaultVerdict {
  const destinationFault = kind === 'dest-crash' || kind === 'dest-oom'
  const pathFault = kind === 'link-down' || kind === 'partition'
  const what = describeFault(kind)
  if (!committed) {
    if (kind === 'source-crash') return { outcome: 'failed', reason: `${what} before commit: the VM is not running anywhere (restart it from shared storage)` }
    return { outcome: 'aborted', reason: `${what} during ${stage}: the source stays authoritative and keeps running the VM` }
  }
  if (pagesOnSource) {
    if (pathFault) return { outcome: null, reason: `${what} during post-copy: the destination is paused waiting for pages` }
    return { outcome: 'failed', reason: `${what} during post-copy: neither host holds a complete image` }
  }
  if (destinationFault) return { outcome: 'failed', reason: `${what} after commit: the VM is lost with the destination (HA restart needed)` }
  return { outcome: null, reason: `${what} after commit: the destination already holds the whole image` }
}

export function describeFault(kind: FaultKind): string {
  switch (kind) {
    case 'dest-crash': return 'destination crashed'
    case 'source-crash': return 'source crashed'
    case 'link-down': return 'migration link down'
    case 'partition': return 'source and destination partitioned'
    case 'dest-oom': return 'destination out of memory'
  }
}
