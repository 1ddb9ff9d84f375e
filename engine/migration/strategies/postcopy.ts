// Post-copy and pure demand migration (Hines & Gopalan; migration.md §10). The VM is suspended at once, the
// CPU state is sent, and the destination resumes; pages follow. Each step, pages the guest touched that are
// still on the source are network faults: fetched at once (a round trip + the page), with the vCPU blocked
// meanwhile (recorded as block time and a CPU-share loss). Post-copy also pushes the rest in the background,
// pre-paging outward from the last fault ("bubbling"); pure demand only fetches on faults. A broken path pauses
// the pull and a returning one recovers it (PostcopyPull; migration.md §11.2b).
import { assert } from '../../kernel/assert'
import { popcount32 } from '../../memory/bits'
import type { DirtyBitmap } from '../../memory/dirty-bitmap'
import type { DirtyLog } from '../../memory/dirty-log'
import type { RoundPhase } from '../../api/rounds'
import type { MigrationControl, Suspension } from '../control'
import { PAGE_HEADER_BYTES } from '../page-encoder'
import type { Strategy } from './index'
import { InFlightPages } from './postcopy-in-flight'
import { PendingPages } from './postcopy-pending'

const MBIT = 1_000_000
const MIN_CPU_SHARE = 0.05
/**
 * While post-copy is paused, the source tries the path this often (the management layer retrying
 * `migrate-recover`); a healed path is found within this plus one round trip.
 */
export const POSTCOPY_PROBE_US = 100_000

export class PostcopyStrategy implements Strategy {
  private pull: PostcopyPull | undefined

  constructor(private readonly migration: MigrationControl, private readonly mode: 'postcopy' | 'demand') {}

  begin(): void {
    const m = this.migration
    m.enterStage('stop-and-copy')
    if (m.isFinished) return
    m.suspend()
    m.resumeBeforeAllPages()
    const pending = PendingPages.allOf(m.vm.memory.pageCount)
    m.sendBytes(m.params.cpuStateBytes, () => {
      m.markFinalCopyDone()
      m.commitAndActivate(() => {
        this.pull = new PostcopyPull(m, pending, this.mode === 'postcopy')
        this.pull.start()
      })
    })
  }

  onCancel(): void {
    if (!this.migration.committed) this.migration.abortAtTimeCap()
    else if (this.mode === 'demand') this.pull?.finishWithResidual()
  }
}

type PullState = 'active' | 'paused' | 'recovering'

/**
 * The pull after the switch. With the path broken it pauses (QEMU's postcopy-paused): the batch on the wire is
 * lost, the guest runs until it touches a page the destination lacks and then blocks, and the source probes
 * the path every POSTCOPY_PROBE_US. When a probe gets through it recovers (postcopy-recover): the destination's
 * received bitmap goes to the source, which re-sends what was lost in flight and the pages the guest faulted
 * on meanwhile; then the pull carries on (postcopy-active). Each of the three phases is a round of its own.
 */
export class PostcopyPull {
  private log: DirtyLog | undefined
  private pushCursor = 0
  private prepageQueue: number[] = []
  private readonly wordsPerPage: number
  private readonly suspension: Suspension
  /** Pages of the batch on the wire: stored on the destination, but lost with the batch if the path breaks. */
  private readonly inFlight = new InFlightPages()
  private state: PullState = 'active'
  /** Bumped at every pause, so a step, delivery or probe from before it does nothing. */
  private epoch = 0
  private guestBlocked = false
  private limitBitPerS: number | null = null
  private roundBytesAtStart = 0
  /** Pages the pull has sent (faults, pushes and re-sends), for the rounds' page counts. */
  private movedPages = 0
  private roundMovedAtStart = 0
  private roundOpen = false

  private readonly pending: PendingPages

  /** `pending`: what the destination lacks (a hybrid's dirty set, cleared here as pages go), or every page. */
  constructor(private readonly m: MigrationControl, pending: DirtyBitmap | PendingPages, private readonly push: boolean) {
    this.pending = pending instanceof PendingPages ? pending : PendingPages.of(pending)
    this.wordsPerPage = m.vm.memory.pageBytes >>> 2
    assert(m.suspension !== undefined, 'post-copy pull without the suspension snapshot')
    this.suspension = m.suspension
  }

  start(): void {
    this.m.enterStage('postcopy')
    if (this.m.isFinished) return
    this.log = this.m.startDirtyLog()
    const limit = this.m.params.postcopy.maxPostcopyBandwidthMbitPerS
    this.limitBitPerS = limit > 0 ? limit * MBIT : null
    this.m.attachPostcopy({ onPathLost: () => this.pause(), lackingPages: () => this.lackingPages, onEnd: () => this.closeRound() })
    // A path fault at activation or at this stage's entry came before the pull could hear of it.
    if (this.m.pathBroken) return this.pause()
    this.openRound(this.activePhase, limit)
    this.step(this.epoch)
  }

  finishWithResidual(): void {
    // A paused demand migration cannot finish: its residual pages are out of reach.
    if (this.state === 'active') this.complete()
  }

  private get activePhase(): RoundPhase {
    return this.push ? 'postcopy' : 'demand'
  }

  /** Pages the destination lacks: still on the source, or lost in flight. */
  private get lackingPages(): number {
    return this.pending.count + this.inFlight.count
  }

  private step(epoch: number): void {
    const m = this.m
    if (m.isFinished || epoch !== this.epoch || this.state !== 'active') return
    if (this.pending.count === 0) return this.complete()
    if (m.pathBroken || !m.pathUp()) return this.pause()
    const rttUs = m.controlRttUs()
    m.vm.flushWrites()
    const pageWireBytes = m.vm.memory.pageBytes + PAGE_HEADER_BYTES
    const faultBytes = this.serveFaults(rttUs, pageWireBytes)
    const budget = this.push ? Math.max(pageWireBytes, ((this.limitBitPerS ?? 1e9) * m.params.stepUs) / 8e6) : 0
    const pushedBytes = this.pushPages(budget, pageWireBytes)
    const bytes = faultBytes + pushedBytes
    if (bytes === 0) {
      m.schedule(m.params.stepUs, () => this.step(epoch))
      return
    }
    m.sendBytes(bytes, () => {
      if (epoch !== this.epoch) return
      this.inFlight.clear()
      this.step(epoch)
    })
  }

  /** The path broke: drop the batch on the wire, end the round, watch the guest and probe for the path. */
  private pause(): void {
    const m = this.m
    if (m.isFinished || this.state === 'paused' || this.log === undefined) return
    this.epoch++
    m.dropInFlight()
    this.closeRound()
    m.pausePostcopy(this.lackingPages, this.inFlight.count)
    this.state = 'paused'
    this.openRound('postcopy-paused', 0)
    this.watchGuest(this.epoch)
    this.probe(this.epoch)
  }

  /** While the path is out, the guest runs until it touches a page the destination lacks; then its vCPU blocks. */
  private watchGuest(epoch: number): void {
    const m = this.m
    if (m.isFinished || epoch !== this.epoch || this.state === 'active' || this.guestBlocked) return
    m.vm.flushWrites()
    if (this.touchesLackingPage()) {
      this.guestBlocked = true
      m.setGuestBlocked(true)
      return
    }
    m.schedule(m.params.stepUs, () => this.watchGuest(epoch))
  }

  /** Whether the guest touched (since the pull last served faults) a page still pending or lost in flight. */
  private touchesLackingPage(): boolean {
    const touched = (this.log as DirtyLog).live
    // No pending page lies below the push cursor (see pushInOrder), so the log is read from there on.
    for (let page = touched.nextSetBit(this.pushCursor); page >= 0; page = touched.nextSetBit(((page >>> 5) + 1) << 5)) {
      const word = page >>> 5
      if ((touched.wordAt(word) & this.pending.wordAt(word)) !== 0) return true
    }
    return this.inFlight.intersects(touched)
  }

  private probe(epoch: number): void {
    const m = this.m
    m.schedule(POSTCOPY_PROBE_US, () => {
      if (m.isFinished || epoch !== this.epoch || this.state !== 'paused') return
      m.probePath(() => { if (epoch === this.epoch && this.state === 'paused') this.recover(epoch) }, () => {})
      this.probe(epoch)
    })
  }

  /** postcopy-recover: the destination reports what it holds (one bit a page); the source then re-sends the rest. */
  private recover(epoch: number): void {
    const m = this.m
    this.closeRound()
    m.recoverPostcopy(this.lackingPages, this.inFlight.count)
    this.state = 'recovering'
    this.openRound('postcopy-recover', 0)
    const bitmapBytes = Math.ceil(this.pending.pageCount / 8)
    const reportUs = Math.ceil(m.controlRttUs() / 2 + (bitmapBytes * 8e6) / Math.max(m.currentRateBitPerS, 1e6))
    m.schedule(reportUs, () => this.resend(epoch))
  }

  /** Re-sends the pages lost in flight and fetches those the guest faulted on while paused, in one batch. */
  private resend(epoch: number): void {
    const m = this.m
    if (m.isFinished || epoch !== this.epoch || this.state !== 'recovering') return
    m.vm.flushWrites()
    const pageWireBytes = m.vm.memory.pageBytes + PAGE_HEADER_BYTES
    const resentPages = this.inFlight.count
    this.movedPages += resentPages
    m.countPages(resentPages)
    const bytes = resentPages * pageWireBytes + this.serveFaults(m.controlRttUs(), pageWireBytes)
    if (bytes === 0) return this.finishRecovery()
    m.sendBytes(bytes, () => { if (epoch === this.epoch) this.finishRecovery() })
  }

  private finishRecovery(): void {
    const m = this.m
    this.inFlight.clear()
    if (this.guestBlocked) {
      this.guestBlocked = false
      m.setGuestBlocked(false)
    }
    this.closeRound()
    this.state = 'active'
    m.resumePostcopy(this.lackingPages)
    this.openRound(this.activePhase, m.params.postcopy.maxPostcopyBandwidthMbitPerS)
    this.step(this.epoch)
  }

  private openRound(phase: RoundPhase, rateMbitPerS: number): void {
    this.roundBytesAtStart = this.m.bytesSent
    this.roundMovedAtStart = this.movedPages
    this.roundOpen = true
    this.m.openPhaseRound(phase, rateMbitPerS)
  }

  private closeRound(): void {
    if (!this.roundOpen) return
    this.roundOpen = false
    this.m.closePhaseRound(this.movedPages - this.roundMovedAtStart, Math.round(this.m.bytesSent - this.roundBytesAtStart))
  }

  /**
   * Pages the guest touched since the last step that the destination lacks: fetch them now, in increasing
   * order. No pending page lies below the push cursor (see pushInOrder), so the log is read from the cursor
   * on and each page read is cleared there; touches below the cursor can never fault and stay in the log
   * unread, which spares a harvest's scan of the whole bitmap every step.
   */
  private serveFaults(rttUs: number, pageWireBytes: number): number {
    const log = this.log
    if (log === undefined) return 0
    const touched = log.live
    let faults = 0
    for (let page = touched.nextSetBit(this.pushCursor); page >= 0; page = touched.nextSetBit(((page >>> 5) + 1) << 5)) {
      const word = page >>> 5
      let bits = touched.wordAt(word) & ~((1 << (page & 31)) - 1)
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits & -bits)
        bits &= ~(1 << bit)
        const touchedPage = (word << 5) + bit
        touched.clear(touchedPage)
        if (!this.pending.test(touchedPage)) continue
        this.receive(touchedPage)
        faults++
        this.queuePrepaging(touchedPage)
      }
    }
    if (faults === 0) return 0
    const m = this.m
    const linkRate = Math.max(m.currentRateBitPerS, 1e6)
    const blockedUs = faults * (rttUs + Math.ceil((pageWireBytes * 8e6) / linkRate))
    m.recordPostcopyFaults(faults, blockedUs)
    // A guest blocked through a pause gets its share back when the recovery batch lands.
    if (!this.guestBlocked) m.vm.setCpuShare(Math.max(MIN_CPU_SHARE, 1 - blockedUs / m.params.stepUs))
    return faults * pageWireBytes
  }

  /** Bubbling: after a fault at `page`, push its neighbours outward, forward first. */
  private queuePrepaging(page: number): void {
    const window = this.m.params.postcopy.prepagingWindowPages
    if (!this.push || window <= 0) return
    this.prepageQueue = []
    for (let distance = 1; distance <= window; distance++) {
      this.prepageQueue.push(page + distance)
      if (distance <= window / 2) this.prepageQueue.push(page - distance)
    }
  }

  /** Pushes as many whole pages as fit the budget: pages queued by bubbling first, then onward from the cursor. */
  private pushPages(budgetBytes: number, pageWireBytes: number): number {
    let bytes = 0
    const pageCount = this.pending.pageCount
    while (bytes + pageWireBytes <= budgetBytes && this.pending.count > 0 && this.prepageQueue.length > 0) {
      const queued = this.prepageQueue.shift() as number
      if (queued < 0 || queued >= pageCount || !this.pending.test(queued)) continue
      this.receive(queued)
      bytes += pageWireBytes
    }
    if (this.prepageQueue.length === 0) bytes += this.pushInOrder(pagesWithin(budgetBytes, bytes, pageWireBytes, this.pending.count)) * pageWireBytes
    if (bytes > 0 && this.log !== undefined) this.m.vm.setCpuShare(1)
    return bytes
  }

  /**
   * Sends the next `pages` pending pages in increasing order from the cursor, a 32-page word at a time (the
   * pages taken from a word are always a run of its set bits); returns how many. Every page below the cursor
   * has been sent or was not pending when the cursor passed it, and pending never grows, so no pending page
   * lies below the cursor: there is never anything to wrap around to.
   */
  private pushInOrder(pages: number): number {
    let left = pages
    while (left > 0) {
      const page = this.pending.nextSetBit(this.pushCursor)
      if (page < 0) {
        assert(this.pending.count === 0, `${this.pending.count} pending pages below the push cursor ${this.pushCursor}`)
        break
      }
      const word = page >>> 5
      const wholeWords = this.wholeWordsFrom(page, left)
      if (wholeWords > 0) {
        this.m.dest.receiveWordRun(word, wholeWords, null, this.suspension.versions, this.suspension.words)
        this.inFlight.addWordRun(word, wholeWords)
        this.pending.takeWholeWords(word, wholeWords)
        this.pushCursor = page + (wholeWords << 5)
        left -= wholeWords << 5
        continue
      }
      let mask = this.pending.wordAt(word) & ~((1 << (page & 31)) - 1)
      if (popcount32(mask) > left) mask = lowestBits(mask, left)
      const lastPage = (word << 5) + 31 - Math.clz32(mask)
      this.receiveWord(word, mask)
      this.pending.takeWordBits(word, mask)
      this.pushCursor = lastPage + 1
      left -= popcount32(mask)
    }
    this.m.countPages(pages - left)
    this.movedPages += pages - left
    return pages - left
  }

  /**
   * How many whole words from `page` on (at most `pages` pages' worth) are pending in full and hold no page
   * zero on the source: those receive() would store page by page with equal effect as one run.
   */
  private wholeWordsFrom(page: number, pages: number): number {
    if ((page & 31) !== 0) return 0
    const firstWord = page >>> 5
    const endWord = firstWord + this.pending.fullWordsFrom(firstWord, pages >>> 5)
    const zeroWord = this.m.vm.memory.firstZeroWord(firstWord, endWord)
    return (zeroWord < 0 ? endWord : zeroWord) - firstWord
  }

  /** receive() for the pages `mask` selects in one word, with one bulk store on the destination. */
  private receiveWord(word: number, mask: number): void {
    const m = this.m
    const memory = m.vm.memory
    const snapshot = this.suspension.versions
    // A page zero on the source now was zero at suspension only if it has not been written since.
    let zeroMask = memory.zeroWordAt(word) & mask
    let bits = zeroMask
    while (bits !== 0) {
      const bit = 31 - Math.clz32(bits & -bits)
      bits &= ~(1 << bit)
      const page = (word << 5) + bit
      if (snapshot.get(page) !== memory.versionOf(page)) zeroMask &= ~(1 << bit)
    }
    m.dest.receiveWord(word, mask, zeroMask, snapshot, this.suspension.words)
    this.inFlight.addWord(word, mask)
  }

  private receive(page: number): void {
    const m = this.m
    const version = this.suspension.versions.get(page)
    if (m.vm.memory.isZero(page) && version === m.vm.memory.versionOf(page)) m.dest.receiveZero(page, version)
    else m.dest.receive(page, version, this.suspension.words, page * this.wordsPerPage)
    this.pending.clear(page)
    this.inFlight.addPage(page)
    this.movedPages++
    m.countPages(1)
  }

  private complete(): void {
    const m = this.m
    this.closeRound()
    m.verifyArrivals(this.pending.count === 0 ? null : this.pending.complement())
    m.vm.setCpuShare(1)
    m.complete()
  }
}

/** How many more pages fit: the largest n ≤ pendingPages with usedBytes + n·pageWireBytes ≤ budgetBytes. */
function pagesWithin(budgetBytes: number, usedBytes: number, pageWireBytes: number, pendingPages: number): number {
  let pages = Math.min(pendingPages, Math.max(0, Math.floor((budgetBytes - usedBytes) / pageWireBytes)))
  // The same test the per-page loop made, so rounding in the division cannot change the count.
  while (pages > 0 && usedBytes + pages * pageWireBytes > budgetBytes) pages--
  while (pages < pendingPages && usedBytes + (pages + 1) * pageWireBytes <= budgetBytes) pages++
  return pages
}

/** The lowest `count` set bits of `mask` (count below its popcount). */
function lowestBits(mask: number, count: number): number {
  let taken = 0
  let rest = mask
  for (let i = 0; i < count; i++) {
    const low = rest & -rest
    taken |= low
    rest &= ~low
  }
  return taken
}
