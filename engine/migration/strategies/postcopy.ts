// Post-copy and pure demand migration (Hines & Gopalan; migration.md §10). The VM is suspended at once, the
// CPU state is sent, and the destination resumes; pages follow. Each step, pages the guest touched that are
// still on the source are network faults: fetched at once (a round trip + the page), with the vCPU blocked
// meanwhile (recorded as block time and a CPU-share loss). Post-copy also pushes the rest in the background,
// pre-paging outward from the last fault ("bubbling"); pure demand only fetches on faults.
import { DirtyBitmap } from '../../memory/dirty-bitmap'
import type { DirtyLog } from '../../memory/dirty-log'
import type { Migration } from '../migration'
import { PAGE_HEADER_BYTES } from '../page-encoder'
import type { Strategy } from './index'

const MBIT = 1_000_000
const MIN_CPU_SHARE = 0.05

export class PostcopyStrategy implements Strategy {
  private pull: PostcopyPull | undefined

  constructor(private readonly migration: Migration, private readonly mode: 'postcopy' | 'demand') {}

  begin(): void {
    const m = this.migration
    m.enterStage('stop-and-copy')
    if (m.isFinished) return
    m.suspend()
    m.snapshotAtSuspension()
    m.pagesOnSource = true
    const pending = m.allPages()
    m.sendBytes(m.params.cpuStateBytes, () => {
      m.markFinalCopyDone()
      m.commitAndActivate(() => {
        this.pull = new PostcopyPull(m, pending, this.mode === 'postcopy')
        this.pull.start()
      })
    })
  }

  onCancel(): void {
    if (!this.migration.committed) this.migration.abort('cancelled')
    else if (this.mode === 'demand') this.pull?.finishWithResidual()
  }
}

export class PostcopyPull {
  private log: DirtyLog | undefined
  private pushCursor = 0
  private prepageQueue: number[] = []
  private readonly wordsPerPage: number
  private stepping = false
  private bytesAtStart = 0

  constructor(private readonly m: Migration, private readonly pending: DirtyBitmap, private readonly push: boolean) {
    this.wordsPerPage = m.vm.memory.pageBytes >>> 2
  }

  start(): void {
    this.m.enterStage('postcopy')
    if (this.m.isFinished) return
    this.log = this.m.startDirtyLog()
    this.bytesAtStart = this.m.bytesSent
    const limit = this.m.params.postcopy.maxPostcopyBandwidthMbitPerS
    this.m.rounds.push({ index: this.m.rounds.length + 1, startUs: this.m.sim.nowUs, durationUs: 0, pagesSent: 0, pagesSkipped: 0, zeroPagesSent: 0, bytesSent: 0, rateMbitPerS: limit, dirtyPagesAfter: 0, final: true, phase: this.push ? 'postcopy' : 'demand' })
    this.step(limit > 0 ? limit * MBIT : null)
  }

  finishWithResidual(): void {
    this.complete()
  }

  private step(limitBitPerS: number | null): void {
    const m = this.m
    if (m.isFinished || this.stepping) return
    if (this.pending.count === 0) return this.complete()
    const rttUs = m.controlRttUs()
    if (!m.pathUp()) {
      m.sim.schedule(m.params.stepUs, () => this.step(limitBitPerS))
      return
    }
    m.vm.flushWrites()
    const pageWireBytes = m.vm.memory.pageBytes + PAGE_HEADER_BYTES
    const faultBytes = this.serveFaults(rttUs, pageWireBytes)
    const budget = this.push ? Math.max(pageWireBytes, ((limitBitPerS ?? 1e9) * m.params.stepUs) / 8e6) : 0
    const pushedBytes = this.pushPages(budget, pageWireBytes)
    const bytes = faultBytes + pushedBytes
    if (bytes === 0) {
      m.sim.schedule(m.params.stepUs, () => this.step(limitBitPerS))
      return
    }
    this.stepping = true
    m.sendBytes(bytes, () => {
      this.stepping = false
      this.step(limitBitPerS)
    })
  }

  /** Pages the guest touched since the last step that the destination lacks: fetch them now. */
  private serveFaults(rttUs: number, pageWireBytes: number): number {
    const log = this.log
    if (log === undefined) return 0
    const touched = log.harvest()
    let faults = 0
    touched.forEachSet((page) => {
      if (!this.pending.test(page)) return
      this.receive(page)
      faults++
      this.queuePrepaging(page)
    })
    if (faults === 0) return 0
    const m = this.m
    const linkRate = Math.max(m.currentRateBitPerS, 1e6)
    const blockedUs = faults * (rttUs + Math.ceil((pageWireBytes * 8e6) / linkRate))
    m.postcopyFaults += faults
    m.postcopyBlockTimeUs += blockedUs
    m.vm.setCpuShare(Math.max(MIN_CPU_SHARE, 1 - blockedUs / m.params.stepUs))
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

  private pushPages(budgetBytes: number, pageWireBytes: number): number {
    let bytes = 0
    const pageCount = this.pending.pageCount
    while (bytes + pageWireBytes <= budgetBytes && this.pending.count > 0) {
      const queued = this.prepageQueue.shift()
      let page: number
      if (queued !== undefined) {
        if (queued < 0 || queued >= pageCount || !this.pending.test(queued)) continue
        page = queued
      } else {
        page = this.pending.nextSetBit(this.pushCursor)
        if (page < 0) page = this.pending.nextSetBit(0)
        if (page < 0) break
        this.pushCursor = page + 1
      }
      this.receive(page)
      bytes += pageWireBytes
    }
    if (bytes > 0 && this.log !== undefined) this.m.vm.setCpuShare(1)
    return bytes
  }

  private receive(page: number): void {
    const m = this.m
    const versions = m.suspendVersions as Uint32Array
    const words = m.suspendWords
    if (m.vm.memory.isZero(page) && versions[page] === m.vm.memory.versionOf(page)) m.dest.receiveZero(page, versions[page])
    else m.dest.receive(page, versions[page], words, page * this.wordsPerPage)
    this.pending.clear(page)
    m.account(0, 1, 0)
  }

  private complete(): void {
    const m = this.m
    const round = m.rounds[m.rounds.length - 1]
    m.rounds[m.rounds.length - 1] = { ...round, durationUs: m.sim.nowUs - round.startUs, pagesSent: m.dest.receivedPages, bytesSent: Math.round(m.bytesSent - this.bytesAtStart) }
    m.verifyArrivals(this.pending.count === 0 ? null : complementOf(this.pending))
    m.vm.setCpuShare(1)
    m.complete()
  }
}

/** Pages not in `pending` (what has arrived), for verifying a demand migration that ends with residual pages. */
function complementOf(pending: DirtyBitmap): DirtyBitmap {
  const arrived = new DirtyBitmap(pending.pageCount)
  arrived.markRange(0, pending.pageCount)
  pending.forEachSet((page) => arrived.clear(page))
  return arrived
}
