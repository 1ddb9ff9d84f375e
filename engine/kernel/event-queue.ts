// Pending-event queue: a binary min-heap ordered by (atUs, priority, seq). `seq` is bumped on every
// schedule, so the order of equal-time, equal-priority events is insertion order and never depends on heap
// internals. Cancellation is lazy: a cancelled timer stays in the heap and is skipped when popped.
//
// Invariants:
//  1. pop() returns timers in non-decreasing (atUs, priority, seq) order.
//  2. A cancelled timer is never returned by pop().
//  3. size counts live (not cancelled, not yet popped) timers only.
import type { SimTimeUs } from './time'

export interface Timer {
  readonly atUs: SimTimeUs
  readonly priority: number
  readonly seq: number
  readonly action: () => void
  cancelled: boolean
  fired: boolean
}

function runsFirst(a: Timer, b: Timer): boolean {
  if (a.atUs !== b.atUs) return a.atUs < b.atUs
  if (a.priority !== b.priority) return a.priority < b.priority
  return a.seq < b.seq
}

export class EventQueue {
  private readonly heap: Timer[] = []
  private nextSeq = 0
  private liveCount = 0

  get size(): number {
    return this.liveCount
  }

  push(atUs: SimTimeUs, priority: number, action: () => void): Timer {
    const timer: Timer = { atUs, priority, seq: this.nextSeq++, action, cancelled: false, fired: false }
    const heap = this.heap
    let index = heap.length
    heap.push(timer)
    while (index > 0) {
      const parentIndex = (index - 1) >> 1
      const parent = heap[parentIndex]
      if (!runsFirst(timer, parent)) break
      heap[index] = parent
      index = parentIndex
    }
    heap[index] = timer
    this.liveCount++
    return timer
  }

  cancel(timer: Timer): boolean {
    if (timer.cancelled || timer.fired) return false
    timer.cancelled = true
    this.liveCount--
    return true
  }

  /** The next live timer without removing it, or undefined when none is pending. */
  peek(): Timer | undefined {
    this.dropCancelledTop()
    return this.heap[0]
  }

  pop(): Timer | undefined {
    this.dropCancelledTop()
    const top = this.heap[0]
    if (top === undefined) return undefined
    this.removeTop()
    top.fired = true
    this.liveCount--
    return top
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.removeTop()
  }

  private removeTop(): void {
    const heap = this.heap
    const last = heap.pop() as Timer
    const length = heap.length
    if (length === 0) return
    let index = 0
    for (;;) {
      const left = 2 * index + 1
      if (left >= length) break
      const right = left + 1
      const child = right < length && runsFirst(heap[right], heap[left]) ? right : left
      if (!runsFirst(heap[child], last)) break
      heap[index] = heap[child]
      index = child
    }
    heap[index] = last
  }
}
