// What each fault (kinds: faults/vocabulary.ts) does to a migration at each point of the protocol (the fault matrix that
// docs/migration.md documents and test/engine/migration/fault-matrix.test.ts checks).
import { describeFault, type MigrationFaultKind } from '../faults/vocabulary'
import type { Outcome, Stage } from './types'

export interface FaultVerdict {
  /** null: the migration carries on. */
  readonly outcome: Outcome | null
  readonly reason: string
}

/**
 * The protocol's answer to a fault. Before the commit the source is authoritative: any fault of the
 * destination or the path aborts and the VM runs on the source; only the source's own death loses the VM.
 * After the commit the destination is authoritative: it must survive, and in post-copy the source and the
 * path too, because pages still live there (migration.md §2, §10). A lost path only pauses post-copy
 * (QEMU's postcopy-paused) until it returns; post-copy fails only when a side dies (migration.md §11.2b).
 */
export function faultVerdict(kind: MigrationFaultKind, stage: Stage, committed: boolean, pagesOnSource: boolean): FaultVerdict {
  const destinationFault = kind === 'dest-crash' || kind === 'dest-oom'
  const pathFault = kind === 'link-down' || kind === 'partition'
  const what = describeFault(kind)
  if (!committed) {
    if (kind === 'source-crash') return { outcome: 'failed', reason: `${what} before commit: the VM is not running anywhere (restart it from shared storage)` }
    return { outcome: 'aborted', reason: `${what} during ${stage}: the source stays authoritative and keeps running the VM` }
  }
  if (pagesOnSource) {
    if (pathFault) return { outcome: null, reason: `${what} during post-copy: paused (postcopy-paused) until the path returns` }
    if (kind === 'source-crash') return { outcome: 'failed', reason: `${what} during post-copy: the pages only the source held are lost` }
    return { outcome: 'failed', reason: `${what} after the switch: the running VM is lost with the destination (HA restarts it from shared storage, if configured)` }
  }
  if (destinationFault) return { outcome: 'failed', reason: `${what} after commit: the VM is lost with the destination (HA restarts it from shared storage, if configured)` }
  return { outcome: null, reason: `${what} after commit: the destination already holds the whole image` }
}
