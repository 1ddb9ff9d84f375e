// The migration's protocol state as one checked union (style.md §7): which stage it is in, whether the commit
// record is written, whether pages still live on the source (post-copy), and how it ended. Every transition
// names the phases it may leave; any other is an InvariantViolation, so a strategy cannot skip the commit
// or resume a finished migration.
import { assert } from '../kernel/assert'
import type { Outcome, Stage } from './types'

export type MigrationPhase =
  | { readonly kind: 'pre-migration' }
  | { readonly kind: 'reservation' }
  | { readonly kind: 'precopy' }
  /** The VM is suspended; `pagesOnSource` once the strategy chose to resume before the whole image moves. */
  | { readonly kind: 'stop-and-copy'; readonly pagesOnSource: boolean }
  /** Waiting for the destination's "consistent image" and the source's commit. */
  | { readonly kind: 'commit'; readonly pagesOnSource: boolean }
  /** The commit record is written: the destination is authoritative (still reported as stage `commit`). */
  | { readonly kind: 'committed'; readonly pagesOnSource: boolean }
  | { readonly kind: 'activation'; readonly pagesOnSource: boolean }
  /** Running on the destination while pages are still pulled from the source (QEMU's postcopy-active). */
  | { readonly kind: 'postcopy' }
  /**
   * The source–destination path broke during post-copy (QEMU's postcopy-paused): neither side gives up; vCPUs
   * that touch a page the destination lacks block until the path returns. Reported as stage `postcopy`.
   */
  | { readonly kind: 'postcopy-paused' }
  /** The path is back (QEMU's postcopy-recover): the destination reports what it lacks and the source re-sends it. */
  | { readonly kind: 'postcopy-recover' }
  | { readonly kind: 'done'; readonly outcome: Outcome; readonly committed: boolean }

export type PhaseKind = MigrationPhase['kind']

/** The phases each phase may be left for (every live phase may also end: `done`). */
const NEXT: Readonly<Record<PhaseKind, readonly PhaseKind[]>> = {
  'pre-migration': ['reservation'],
  reservation: ['precopy', 'stop-and-copy'],
  precopy: ['stop-and-copy'],
  'stop-and-copy': ['commit'],
  commit: ['committed'],
  committed: ['activation'],
  activation: ['postcopy'],
  postcopy: ['postcopy-paused'],
  'postcopy-paused': ['postcopy-recover'],
  // The path may break again while recovering; recovery ends back in postcopy-active.
  'postcopy-recover': ['postcopy', 'postcopy-paused'],
  done: []
}

/** `to` after `from`, asserting the protocol allows it. */
export function transition(from: MigrationPhase, to: MigrationPhase): MigrationPhase {
  const allowed = from.kind !== 'done' && (to.kind === 'done' || NEXT[from.kind].includes(to.kind))
  assert(allowed, `illegal migration transition ${from.kind} → ${to.kind}`)
  return to
}

/** The stage events, faults and snapshots name for a phase. */
export function stageOf(phase: MigrationPhase): Stage {
  switch (phase.kind) {
    case 'committed': return 'commit'
    case 'postcopy-paused': case 'postcopy-recover': return 'postcopy'
    default: return phase.kind
  }
}

/** Post-copy with its path broken or being recovered (not postcopy-active). */
export function isPostcopyInterrupted(phase: MigrationPhase): boolean {
  return phase.kind === 'postcopy-paused' || phase.kind === 'postcopy-recover'
}

export function isCommitted(phase: MigrationPhase): boolean {
  switch (phase.kind) {
    case 'committed': case 'activation': case 'postcopy': case 'postcopy-paused': case 'postcopy-recover': return true
    case 'done': return phase.committed
    default: return false
  }
}

export function hasPagesOnSource(phase: MigrationPhase): boolean {
  switch (phase.kind) {
    case 'stop-and-copy': case 'commit': case 'committed': case 'activation': return phase.pagesOnSource
    case 'postcopy': case 'postcopy-paused': case 'postcopy-recover': return true
    default: return false
  }
}

/** The phase a stage request enters from `from`, carrying whether pages stay on the source. */
export function phaseForStage(stage: Exclude<Stage, 'done'>, from: MigrationPhase): MigrationPhase {
  const pagesOnSource = hasPagesOnSource(from)
  switch (stage) {
    case 'pre-migration': case 'reservation': case 'precopy': return { kind: stage }
    case 'stop-and-copy': case 'commit': case 'activation': return { kind: stage, pagesOnSource }
    case 'postcopy':
      assert(pagesOnSource, 'post-copy entered while the destination holds every page')
      return { kind: 'postcopy' }
  }
}
