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
 * path too, because pages still live there (migration.md §2, §10); a lost path pauses it until recovery.
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
    if (pathFault) return { outcome: null, reason: `${what} during post-copy: the destination is paused waiting for pages` }
    return { outcome: 'failed', reason: `${what} during post-copy: neither host holds a complete image` }
  }
  if (destinationFault) return { outcome: 'failed', reason: `${what} after commit: the VM is lost with the destination (HA restart needed)` }
  return { outcome: null, reason: `${what} after commit: the destination already holds the whole image` }
}
