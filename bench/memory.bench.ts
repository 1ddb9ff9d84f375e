// Guest-memory throughput: batched page writes through the chokepoint (a dirty log on throughout), dirty-log
// harvest and iteration on an 8 GiB VM, WWS probe sampling, and page-level state bytes for a 64 GiB VM.
import { DirtyBitmap, GIB, GuestMemory, MIB, WwsProbe } from '../engine/index'
import { bestOfMs, formatRate, report } from './support'

const BATCH = 4096

function randomPages(count: number, pageCount: number): Uint32Array {
  const pages = new Uint32Array(count)
  let state = 0x2545f491
  for (let i = 0; i < count; i++) {
    state = Math.imul(state ^ (state >>> 13), 0x5bd1e995) >>> 0
    pages[i] = state % pageCount
  }
  return pages
}

function writeRates(memory: GuestMemory): void {
  const log = memory.startDirtyLog()
  const totalPages = 8_000_000
  const hot = randomPages(BATCH, 4096)
  const hotMs = bestOfMs(5, () => {
    for (let done = 0; done < totalPages; done += BATCH) memory.writePages(hot, BATCH, 'guest')
  })
  report('writePages, random in 16 MiB hot set, 4096/batch', formatRate((totalPages / hotMs) * 1000), '≥ 50 M/s')
  const cold = randomPages(1 << 20, memory.pageCount)
  const coldMs = bestOfMs(3, () => {
    for (let done = 0; done < cold.length; done += BATCH) memory.writePages(cold.subarray(done, done + BATCH), BATCH, 'guest')
  })
  report('writePages, random over all 8 GiB (cache-cold)', formatRate((cold.length / coldMs) * 1000))
  const rangePages = 64 * 1024
  const seqMs = bestOfMs(5, () => {
    for (let first = 0; first + rangePages <= memory.pageCount; first += rangePages) memory.writeRange(first, rangePages, 'guest')
  })
  report('writeRange, sequential 256 MiB runs over 8 GiB', formatRate((memory.pageCount / seqMs) * 1000), '≥ 50 M/s')
  const singleMs = bestOfMs(5, () => {
    for (let i = 0; i < totalPages; i++) memory.writePage(hot[i & (BATCH - 1)], 'guest')
  })
  report('writePage, one call per page, 16 MiB hot set', formatRate((totalPages / singleMs) * 1000))
  log.stop()
}

function harvestTimes(memory: GuestMemory): void {
  const log = memory.startDirtyLog()
  log.harvest()
  for (const dirtyPages of [10_000, 200_000, memory.pageCount]) {
    const pages = randomPages(dirtyPages, memory.pageCount)
    let harvested = 0
    let bestMs = Number.POSITIVE_INFINITY
    for (let run = 0; run < 7; run++) {
      if (dirtyPages === memory.pageCount) memory.writeRange(0, memory.pageCount, 'guest')
      else memory.writePages(pages, dirtyPages, 'guest')
      // Timed alone: the read-and-clear (buffer swap + clearing the recycled buffer) and the O(1) count.
      bestMs = Math.min(bestMs, bestOfMs(1, () => { harvested = log.harvest().count }))
    }
    report(`harvest 8 GiB, ${harvested} pages dirty`, `${(bestMs * 1000).toFixed(1)} µs`, '≤ 1 ms')
  }
  const snapshot = new DirtyBitmap(memory.pageCount)
  snapshot.markRange(0, memory.pageCount)
  let visited = 0
  const iterateMs = bestOfMs(3, () => {
    visited = 0
    snapshot.forEachSet(() => { visited++ })
  })
  report(`forEachSet over ${visited} set pages`, formatRate((visited / iterateMs) * 1000))
  log.stop()
}

function wwsSampleTime(memory: GuestMemory): void {
  const probe = new WwsProbe(memory, 0)
  const pages = randomPages(20_000, memory.pageCount)
  let atUs = 0
  let total = 0
  const samples = 160
  for (let i = 0; i < samples; i++) {
    memory.writePages(pages, pages.length, 'guest')
    const start = performance.now()
    probe.sample((atUs += 50_000))
    total += performance.now() - start
  }
  report('WWS probe sample, 8 GiB, 20 000 dirty pages', `${((total / samples) * 1000).toFixed(1)} µs`)
  probe.stop()
}

function stateBytesPerPage(): void {
  const memory = new GuestMemory({ memBytes: 64 * GIB })
  const log = memory.startDirtyLog()
  log.harvest()
  report('page state, 64 GiB, no dirty log', `${(memory.stateBytes / memory.pageCount - (2 * log.live.stateBytes) / memory.pageCount).toFixed(3)} B/page`)
  report('page state, 64 GiB, one dirty log (live + spare)', `${(memory.stateBytes / memory.pageCount).toFixed(3)} B/page`, '≤ 6 B/page')
  log.stop()
}

export function run(): void {
  const memory = new GuestMemory({ memBytes: 8 * GIB })
  writeRates(memory)
  harvestTimes(new GuestMemory({ memBytes: 8 * GIB }))
  wwsSampleTime(memory)
  stateBytesPerPage()
  const small = new GuestMemory({ memBytes: 64 * MIB, realBytes: true })
  const pages = 1_000_000
  const ms = bestOfMs(3, () => {
    for (let done = 0; done < pages; done += small.pageCount) small.writeRange(0, small.pageCount, 'guest')
  })
  report('writeRange with real bytes (64 MiB VM)', formatRate((pages / ms) * 1000))
}
