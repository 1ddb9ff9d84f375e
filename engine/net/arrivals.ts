// Frame arrivals for all channels, ordered by (arrival µs, registration seq), behind one kernel timer per
// distinct arrival µs instead of one per frame hop. Each busy channel sits in a small binary heap keyed by
// its head frame (channels are FIFO); the kernel timer drains every arrival due at its µs, in key order.
//
// Invariants:
//  1. Arrivals are delivered in (atUs, seq) order; seq is a counter bumped per registration, so ties never
//     depend on heap internals.
//  2. A channel is in the heap at most once, keyed by its head frame's arrival time.
//  3. Whenever the heap is non-empty, one kernel timer is armed at its minimum time.
import { assert } from '../kernel/assert'
import type { Timer } from '../kernel/event-queue'
import type { NetSim } from './types'

/** What the queue needs from a channel: its heap slot and a way to deliver its head frame. */
export interface ArrivalSource {
  headAtUs: number
  headSeq: number
  heapIndex: number
  deliverHead(): void
}

export class ArrivalQueue {
  private readonly heap: ArrivalSource[] = []
  private nextSeq = 0
  private timer: Timer | undefined
  private armedAtUs = Number.POSITIVE_INFINITY
  private draining = false
  private readonly onTimer = (): void => this.drain()

  constructor(private readonly sim: NetSim) {}

  /** Registers `source`'s next arrival; the source must not already be waiting. */
  schedule(source: ArrivalSource, atUs: number): void {
    assert(source.heapIndex < 0, 'a channel is already waiting for an arrival')
    source.headAtUs = atUs
    source.headSeq = this.nextSeq++
    source.heapIndex = this.heap.length
    this.heap.push(source)
    this.siftUp(source.heapIndex)
    if (!this.draining && atUs < this.armedAtUs) this.arm(atUs)
  }

  private arm(atUs: number): void {
    this.sim.cancel(this.timer)
    this.armedAtUs = atUs
    this.timer = this.sim.scheduleAt(atUs, this.onTimer)
  }

  private drain(): void {
    const nowUs = this.sim.nowUs
    this.timer = undefined
    this.armedAtUs = Number.POSITIVE_INFINITY
    this.draining = true
    try {
      while (this.heap.length > 0 && this.heap[0].headAtUs <= nowUs) this.popTop().deliverHead()
    } finally {
      this.draining = false
    }
    if (this.heap.length > 0) this.arm(this.heap[0].headAtUs)
  }

  private popTop(): ArrivalSource {
    const heap = this.heap
    const top = heap[0]
    const last = heap.pop() as ArrivalSource
    top.heapIndex = -1
    if (last !== top) {
      heap[0] = last
      last.heapIndex = 0
      this.siftDown(0)
    }
    return top
  }

  private siftUp(index: number): void {
    const heap = this.heap
    const item = heap[index]
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = heap[parentIndex]
      if (!before(item, parent)) break
      heap[index] = parent
      parent.heapIndex = index
      index = parentIndex
    }
    heap[index] = item
    item.heapIndex = index
  }

  private siftDown(index: number): void {
    const heap = this.heap
    const length = heap.length
    const item = heap[index]
    for (;;) {
      const left = 2 * index + 1
      if (left >= length) break
      const right = left + 1
      const child = right < length && before(heap[right], heap[left]) ? right : left
      if (!before(heap[child], item)) break
      heap[index] = heap[child]
      heap[index].heapIndex = index
      index = child
    }
    heap[index] = item
    item.heapIndex = index
  }
}

function before(a: ArrivalSource, b: ArrivalSource): boolean {
  return a.headAtUs < b.headAtUs || (a.headAtUs === b.headAtUs && a.headSeq < b.headSeq)
}
