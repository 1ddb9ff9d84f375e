// The analytic model's rounds at the UI's edge: the same RoundMs / RoundProgressView shapes as a page-level
// migration's, from the model's own round log (estimate-run.ts), so the Migrations view shows them alike. The model
// moves bytes, not pages: page counts are its bytes in default-size pages.
import type { RoundProgressView } from '../api/snapshot'
import type { RoundMs } from '../api/rounds'
import type { FluidRound, FluidRoundInProgress } from '../cluster/estimate-run'
import { PAGE_BYTES_DEFAULT } from '../memory/geometry'

const pages = (bytes: number): number => Math.round(bytes / PAGE_BYTES_DEFAULT)
const ms = (seconds: number): number => Math.round(seconds * 1e6) / 1000
const mbitPerS = (bytes: number, seconds: number): number => (seconds > 0 ? Math.round((bytes * 80) / seconds / 1e6) / 10 : 0)

export function estimatedRoundMs(round: FluidRound): RoundMs {
  return {
    index: round.index, startMs: ms(round.startS), durationMs: ms(round.durationS), pagesSent: pages(round.bytesSent),
    bytesSent: Math.round(round.bytesSent), rateMbitPerS: mbitPerS(round.bytesSent, round.durationS), dirtyPagesAfter: pages(round.dirtiedBytes),
    final: round.final, stopReason: round.stopReason, phase: round.final ? 'stop-and-copy' : 'precopy'
  }
}

/** The round in flight; its ETA at the pace it has had so far (as a page-level pass's). */
export function estimatedRoundProgress(current: FluidRoundInProgress): RoundProgressView {
  const remainingBytes = Math.max(0, current.setBytes - current.doneBytes)
  const elapsedMs = ms(current.elapsedS)
  return {
    index: current.index, phase: current.final ? 'stop-and-copy' : 'precopy', startMs: ms(current.startS), elapsedMs,
    pagesToSend: pages(current.setBytes), pagesDone: Math.min(pages(current.setBytes), pages(current.doneBytes)),
    bytesSent: Math.round(current.sentBytes), bytesRemaining: Math.round(remainingBytes), rateMbitPerS: null,
    progressPct: current.setBytes > 0 ? Math.round((1000 * current.doneBytes) / current.setBytes) / 10 : 100,
    etaMs: current.doneBytes > 0 && current.elapsedS > 0 ? Math.round((remainingBytes * elapsedMs * 10) / current.doneBytes) / 10 : null
  }
}
