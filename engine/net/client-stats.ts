// What a traffic client observes: latency of every answered request, the gaps between replies (the
// outage is the longest interval with no reply), and every lost packet with its reason.
//
// Invariants:
//  1. Reply times are non-decreasing, so gaps are never negative.
//  2. outageUs ≥ every recorded gap, including the wait for the first reply.
import type { PacketDropReason } from './types'

/** At most this many lost packets are kept individually; all are counted. */
const LOST_RECORDS_MAX = 1_000

export interface LostPacket {
  readonly seq: number
  readonly sentAtUs: number
  readonly reason: PacketDropReason
  /** Which way the lost packet was going. */
  readonly leg: 'request' | 'reply'
}

export interface Gap {
  readonly fromUs: number
  readonly toUs: number
}

export class ClientStats {
  requests = 0
  transmissions = 0
  retransmissions = 0
  replies = 0
  readonly latenciesUs: number[] = []
  readonly lost: LostPacket[] = []
  readonly lostByReason: Partial<Record<PacketDropReason, number>> = {}
  lostCount = 0
  /** Gaps longer than the notice threshold, in order. */
  readonly gaps: Gap[] = []
  firstSentAtUs = -1
  lastReplyAtUs = -1
  longestGap: Gap = { fromUs: 0, toUs: 0 }

  /** `latencyWindow`: keep only about the last this many latencies (long interactive runs; quantiles stay cheap). */
  constructor(readonly gapNoticeUs: number, private readonly latencyWindow = Number.POSITIVE_INFINITY) {}

  noteSent(nowUs: number): void {
    if (this.firstSentAtUs < 0) this.firstSentAtUs = nowUs
  }

  /** Records a reply; returns the gap it ended when that gap is longer than the notice threshold, else 0. */
  noteReply(nowUs: number, latencyUs: number): number {
    this.replies++
    this.latenciesUs.push(latencyUs)
    // Trimmed in halves so the cost per reply stays constant.
    if (this.latenciesUs.length >= 2 * this.latencyWindow) this.latenciesUs.splice(0, this.latenciesUs.length - this.latencyWindow)
    const fromUs = this.lastReplyAtUs >= 0 ? this.lastReplyAtUs : this.firstSentAtUs
    this.lastReplyAtUs = nowUs
    const gapUs = nowUs - fromUs
    if (gapUs > this.longestGap.toUs - this.longestGap.fromUs) this.longestGap = { fromUs, toUs: nowUs }
    if (gapUs <= this.gapNoticeUs) return 0
    this.gaps.push({ fromUs, toUs: nowUs })
    return gapUs
  }

  noteLost(record: LostPacket): void {
    this.lostCount++
    this.lostByReason[record.reason] = (this.lostByReason[record.reason] ?? 0) + 1
    if (this.lost.length < LOST_RECORDS_MAX) this.lost.push(record)
  }

  /** The longest interval without a reply up to `nowUs`, including one still running. */
  outage(nowUs: number): Gap & { readonly outageUs: number; readonly ongoing: boolean } {
    const since = this.lastReplyAtUs >= 0 ? this.lastReplyAtUs : this.firstSentAtUs
    const longest = this.longestGap
    if (since >= 0 && nowUs - since > longest.toUs - longest.fromUs) {
      return { fromUs: since, toUs: nowUs, outageUs: nowUs - since, ongoing: true }
    }
    return { ...longest, outageUs: longest.toUs - longest.fromUs, ongoing: false }
  }
}

/**
 * The longest time any of `clients` went without a reply in an interval that ended after `sinceUs` (a gap
 * that began before it counts from `sinceUs`), plus the gap still open at `nowUs` once it is longer than the
 * notice threshold; in µs. The one definition of a migration's client outage: the lab and the live world's
 * snapshot both read it here.
 */
export function longestOutageUs(clients: readonly { readonly stats: ClientStats }[], sinceUs: number, nowUs: number): number {
  let outageUs = 0
  for (const { stats } of clients) {
    for (const gap of stats.gaps) if (gap.toUs >= sinceUs) outageUs = Math.max(outageUs, gap.toUs - Math.max(gap.fromUs, sinceUs))
    const longest = stats.longestGap
    if (longest.toUs >= sinceUs) outageUs = Math.max(outageUs, longest.toUs - Math.max(longest.fromUs, sinceUs))
    // A client that never got a reply has waited since its first request.
    const lastHeardUs = stats.lastReplyAtUs >= 0 ? stats.lastReplyAtUs : stats.firstSentAtUs
    if (lastHeardUs >= 0) {
      const quietSinceUs = Math.max(lastHeardUs, sinceUs)
      if (nowUs - quietSinceUs > stats.gapNoticeUs) outageUs = Math.max(outageUs, nowUs - quietSinceUs)
    }
  }
  return outageUs
}

/** The q-quantile (0…1) of `values` by nearest rank; 0 for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((x, y) => x - y)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank]
}
