// The one definition of a migration's client outage (engine/net/client-stats.ts longestOutageUs), read by
// both the lab and the live world's snapshot.
import { describe, expect, it } from 'vitest'
import { ClientStats, longestOutageUs } from '../../../engine/net/client-stats'

const NOTICE_US = 50_000

/** A client that sent at 0 and got replies at the given times. */
function clientWithReplies(replyTimesUs: readonly number[]): { stats: ClientStats } {
  const stats = new ClientStats(NOTICE_US)
  stats.noteSent(0)
  for (const atUs of replyTimesUs) stats.noteReply(atUs, 1_000)
  return { stats }
}

describe('longestOutageUs', () => {
  it('is the longest closed gap that ends after the start, clipped at the start', () => {
    const client = clientWithReplies([10_000, 20_000, 420_000, 430_000])
    expect(longestOutageUs([client], 0, 430_000)).toBe(400_000)
    // The same gap seen from a migration that started inside it counts only from that start.
    expect(longestOutageUs([client], 300_000, 430_000)).toBe(120_000)
    // A gap that ended before the migration started is not the migration's; replies 10 ms apart are no outage.
    expect(longestOutageUs([client], 425_000, 430_000)).toBe(0)
  })

  it('counts a gap still open once it is longer than the notice threshold', () => {
    const client = clientWithReplies([10_000, 20_000])
    expect(longestOutageUs([client], 0, 20_000 + NOTICE_US)).toBe(10_000)
    expect(longestOutageUs([client], 0, 20_000 + NOTICE_US + 1)).toBe(NOTICE_US + 1)
  })

  it('counts a client that never got a reply from its first request', () => {
    const stats = new ClientStats(NOTICE_US)
    stats.noteSent(100_000)
    expect(longestOutageUs([{ stats }], 0, 400_000)).toBe(300_000)
    expect(longestOutageUs([{ stats }], 250_000, 400_000)).toBe(150_000)
  })

  it('takes the worst client', () => {
    const calm = clientWithReplies([10_000, 20_000, 30_000])
    const hit = clientWithReplies([10_000, 200_000])
    expect(longestOutageUs([calm, hit], 0, 200_000)).toBe(190_000)
  })
})
