// Pending-event queue ordered by (atUs, priority, seq). `seq` is bumped on every schedule, so the order of
// equal-time, equal-priority events is insertion order and never depends on the queue's internals: the key
// is a strict total order, so any structure that always yields the least key pops the same sequence.
// Cancellation is lazy: a cancelled timer stays queued and is dropped when it reaches the front.
//
// Why not one heap: a comparison heap pays a chain of unpredictable branches per pop (about 300 ns a timer
// with 1000 pending on the bench machine), while most timers land a few ms ahead of the clock. So:
//  - `first` holds a timer that runs before all others when one is known (a push into an empty queue, or
//    a push that runs before `first`): a queue holding one timer at a time never touches the rest;
//  - a timer wheel has one slot per integer µs of [baseUs, baseUs + WHEEL_SPAN_US); a slot lists the timers
//    due at exactly that µs in (priority, seq) order and a two-level bitmap finds the next occupied slot,
//    so push and pop are O(1). A timer is appended only if its slot's tail runs first (for a new timer: its
//    priority is ≥ the tail's, as its seq is the largest), which keeps every slot sorted without a search;
//  - a binary min-heap takes the rest: later, fractional, unsafe or earlier-than-baseUs times, and timers
//    whose priority would have to go before their slot's tail.
// pop() takes the least of the three fronts by the full key. The wheel and heap hold 32-bit node ids, not
// Timer references: storing a reference into an old array costs a GC write barrier, and a heap stores on
// every level it sifts. Heap keys live in Float64Arrays (atUs by heap slot, priority and seq by node), which
// hold any number exactly, so comparisons answer as they would on the Timer fields.
//
// Invariants:
//  1. pop() returns timers in non-decreasing (atUs, priority, seq) order.
//  2. A cancelled timer is never returned by pop().
//  3. size counts live (not cancelled, not yet popped) timers only.
//  4. `first`, when live, runs before every other live timer.
//  5. Every wheel node (cancelled ones included) has a safe-integer atUs in [baseUs, baseUs + WHEEL_SPAN_US),
//     so each slot holds one time; baseUs only grows.
//  6. Heap slots [0, length) are a heap: no slot's key runs before its parent's, (slot - 1) >> 1.
import type { SimTimeUs } from './time'

export interface Timer {
  readonly atUs: SimTimeUs
  readonly priority: number
  readonly seq: number
  readonly action: () => void
  cancelled: boolean
  fired: boolean
}

const NONE = -1
/**
 * Wheel span in µs (16.4 ms), one slot per µs; a power of two so a slot is a masked offset, and a multiple
 * of 1024 for the bitmaps. Exported for tests that cross it.
 */
export const WHEEL_SPAN_US = 1 << 14
const WHEEL_MASK = WHEEL_SPAN_US - 1
const CAPACITY_INITIAL = 64

function runsFirst(a: Timer, b: Timer): boolean {
  if (a.atUs !== b.atUs) return a.atUs < b.atUs
  if (a.priority !== b.priority) return a.priority < b.priority
  return a.seq < b.seq
}

function lowestBitIndex(bits: number): number {
  return 31 - Math.clz32(bits & -bits)
}

function grownFloat64(array: Float64Array) {
  const grown = new Float64Array(array.length * 2)
  grown.set(array)
  return grown
}

function grownInt32(array: Int32Array) {
  const grown = new Int32Array(array.length * 2)
  grown.set(array)
  return grown
}

/** Timers by node id; `next` links a wheel slot's list, or the free list for released nodes. */
class NodePool {
  readonly timers: (Timer | undefined)[] = []
  next = new Int32Array(CAPACITY_INITIAL)
  /** A heap node's tie-break key, copied from its timer so comparing two costs no pointer chase. */
  priority = new Float64Array(CAPACITY_INITIAL)
  seq = new Float64Array(CAPACITY_INITIAL)
  private freeHead = NONE

  add(timer: Timer): number {
    let node = this.freeHead
    if (node !== NONE) {
      this.freeHead = this.next[node]
      this.timers[node] = timer
    } else {
      node = this.timers.length
      if (node === this.next.length) this.grow()
      this.timers.push(timer)
    }
    this.next[node] = NONE
    return node
  }

  /** Whether heap node `node` runs before heap node `other` when both are due at the same atUs. */
  tieRunsFirst(node: number, other: number): boolean {
    const priority = this.priority[node]
    const otherPriority = this.priority[other]
    if (priority !== otherPriority) return priority < otherPriority
    return this.seq[node] < this.seq[other]
  }

  /** Releases the node (its timer can be collected once the caller drops it) and returns its timer. */
  take(node: number): Timer {
    const timer = this.timers[node] as Timer
    this.timers[node] = undefined
    this.next[node] = this.freeHead
    this.freeHead = node
    return timer
  }

  private grow(): void {
    this.next = grownInt32(this.next)
    this.priority = grownFloat64(this.priority)
    this.seq = grownFloat64(this.seq)
  }
}

class TimerWheel {
  /** Time of slot baseSlot; see invariant 5. */
  private baseUs = 0
  private baseSlot = 0
  /** Nodes in the wheel, cancelled ones not yet dropped included. */
  private nodeCount = 0
  private readonly head = new Int32Array(WHEEL_SPAN_US)
  private readonly tail = new Int32Array(WHEEL_SPAN_US)
  /** Bit s of slotBits[w] flags slot 32·w + s as non-empty; bit w' of wordBits[g] flags slotBits[32·g + w'] non-zero. */
  private readonly slotBits = new Int32Array(WHEEL_SPAN_US >>> 5)
  private readonly wordBits = new Int32Array(WHEEL_SPAN_US >>> 10)

  constructor(private readonly pool: NodePool) {}

  /** Appends the timer to its slot when that keeps invariant 5 and the slot's order; false leaves it to the heap. */
  tryAdd(timer: Timer): boolean {
    // baseUs is a safe integer, so below 2^53 the difference is exact and integral exactly when atUs is.
    const offsetUs = timer.atUs - this.baseUs
    if (!(offsetUs >= 0 && offsetUs < WHEEL_SPAN_US) || (offsetUs | 0) !== offsetUs) return false
    if (!(timer.atUs <= Number.MAX_SAFE_INTEGER)) return false
    const slot = (this.baseSlot + offsetUs) & WHEEL_MASK
    const word = slot >>> 5
    const bit = 1 << (slot & 31)
    const pool = this.pool
    let node: number
    if ((this.slotBits[word] & bit) === 0) {
      node = pool.add(timer)
      this.head[slot] = node
      if (this.slotBits[word] === 0) this.wordBits[word >>> 5] |= 1 << (word & 31)
      this.slotBits[word] |= bit
    } else {
      // Same slot, same atUs: appending keeps the slot sorted only if the tail runs first.
      const tail = this.tail[slot]
      if (!runsFirst(pool.timers[tail] as Timer, timer)) return false
      node = pool.add(timer)
      pool.next[tail] = node
    }
    this.tail[slot] = node
    this.nodeCount++
    return true
  }

  /** Node of the first live timer, NONE when none; moves baseUs up to its slot and drops cancelled heads. */
  front(): number {
    while (this.nodeCount > 0) {
      const slot = this.nextOccupiedSlot(this.baseSlot)
      this.baseUs += (slot - this.baseSlot) & WHEEL_MASK
      this.baseSlot = slot
      const node = this.head[slot]
      if (!(this.pool.timers[node] as Timer).cancelled) return node
      this.removeFront()
    }
    return NONE
  }

  /** Unlinks the node front() returned and hands back its timer. */
  removeFront(): Timer {
    const slot = this.baseSlot
    const node = this.head[slot]
    const next = this.pool.next[node]
    if (next === NONE) {
      const word = slot >>> 5
      this.slotBits[word] &= ~(1 << (slot & 31))
      if (this.slotBits[word] === 0) this.wordBits[word >>> 5] &= ~(1 << (word & 31))
    } else {
      this.head[slot] = next
    }
    this.nodeCount--
    return this.pool.take(node)
  }

  isEmpty(): boolean {
    return this.nodeCount === 0
  }

  /** Moves baseUs up to atUs when atUs is a later integer; the caller guarantees no wheel node is due before it. */
  advanceTo(atUs: SimTimeUs): void {
    const offsetUs = atUs - this.baseUs
    if (!(offsetUs > 0) || !Number.isSafeInteger(atUs)) return
    this.baseUs = atUs
    this.baseSlot = (this.baseSlot + offsetUs) & WHEEL_MASK
  }

  /**
   * The first non-empty slot at or after `fromSlot`, going round the wheel (slots below fromSlot hold the
   * latest times). Only called when the wheel holds a node, so one exists.
   */
  private nextOccupiedSlot(fromSlot: number): number {
    let word = fromSlot >>> 5
    const here = this.slotBits[word] & (-1 << (fromSlot & 31))
    if (here !== 0) return (word << 5) | lowestBitIndex(here)
    let group = word >>> 5
    // Words after `word` in its group first (-2 << 31 is 0: none after the last), then the other groups
    // in order, then the starting group again, whose lower words and own low slots come last in time.
    let words = this.wordBits[group] & (-2 << (word & 31))
    while (words === 0) {
      group = (group + 1) & (this.wordBits.length - 1)
      words = this.wordBits[group]
    }
    word = (group << 5) | lowestBitIndex(words)
    return (word << 5) | lowestBitIndex(this.slotBits[word])
  }
}

/**
 * Binary min-heap of node ids keyed by atUs, with each node's (priority, seq) tie-break in the pool: a sift
 * moves 12 bytes a level and reads the tie-break only when two times are equal.
 */
class TimerHeap {
  private atUs = new Float64Array(CAPACITY_INITIAL)
  private node = new Int32Array(CAPACITY_INITIAL)
  private length = 0

  constructor(private readonly pool: NodePool) {}

  add(timer: Timer): void {
    if (this.length === this.node.length) this.grow()
    const pool = this.pool
    const node = pool.add(timer)
    pool.priority[node] = timer.priority
    pool.seq[node] = timer.seq
    const atUs = timer.atUs
    const keyAtUs = this.atUs
    const keyNode = this.node
    let index = this.length++
    while (index > 0) {
      const parent = (index - 1) >> 1
      const parentAtUs = keyAtUs[parent]
      if (!(atUs < parentAtUs || (atUs === parentAtUs && pool.tieRunsFirst(node, keyNode[parent])))) break
      keyAtUs[index] = parentAtUs
      keyNode[index] = keyNode[parent]
      index = parent
    }
    keyAtUs[index] = atUs
    keyNode[index] = node
  }

  /** Node of the first live timer, NONE when none; drops cancelled timers from the top. */
  front(): number {
    while (this.length > 0) {
      const node = this.node[0]
      if (!(this.pool.timers[node] as Timer).cancelled) return node
      this.removeFront()
    }
    return NONE
  }

  /** Removes the top and hands back its timer: the last slot is sifted down from the root with a hole. */
  removeFront(): Timer {
    const pool = this.pool
    const keyAtUs = this.atUs
    const keyNode = this.node
    const timer = pool.take(keyNode[0])
    const last = --this.length
    const atUs = keyAtUs[last]
    const node = keyNode[last]
    let index = 0
    for (;;) {
      let child = 2 * index + 1
      if (child >= last) break
      let childAtUs = keyAtUs[child]
      const right = child + 1
      if (right < last) {
        const rightAtUs = keyAtUs[right]
        if (rightAtUs < childAtUs || (rightAtUs === childAtUs && pool.tieRunsFirst(keyNode[right], keyNode[child]))) {
          child = right
          childAtUs = rightAtUs
        }
      }
      if (!(childAtUs < atUs || (childAtUs === atUs && pool.tieRunsFirst(keyNode[child], node)))) break
      keyAtUs[index] = childAtUs
      keyNode[index] = keyNode[child]
      index = child
    }
    keyAtUs[index] = atUs
    keyNode[index] = node
    return timer
  }

  private grow(): void {
    this.atUs = grownFloat64(this.atUs)
    this.node = grownInt32(this.node)
  }
}

export class EventQueue {
  /**
   * A live timer that runs before every other live one, or undefined; held outside the wheel and heap so a
   * queue holding one timer at a time (a lone process ticking) pays for neither.
   */
  private first: Timer | undefined = undefined
  private readonly pool = new NodePool()
  private readonly wheel = new TimerWheel(this.pool)
  private readonly heap = new TimerHeap(this.pool)
  private nextSeq = 0
  private liveCount = 0

  get size(): number {
    return this.liveCount
  }

  push(atUs: SimTimeUs, priority: number, action: () => void): Timer {
    const timer: Timer = { atUs, priority, seq: this.nextSeq++, action, cancelled: false, fired: false }
    const first = this.first
    if (this.liveCount === 0) {
      this.first = timer
    } else if (first !== undefined && runsFirst(timer, first)) {
      if (!first.cancelled) this.enqueue(first)
      this.first = timer
    } else {
      this.enqueue(timer)
    }
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
    const first = this.first
    if (first !== undefined) {
      if (!first.cancelled) return first
      this.first = undefined
    }
    const wheelNode = this.wheel.front()
    const heapNode = this.heap.front()
    if (heapNode === NONE) return wheelNode === NONE ? undefined : this.pool.timers[wheelNode]
    if (wheelNode === NONE) return this.pool.timers[heapNode]
    const wheelTimer = this.pool.timers[wheelNode] as Timer
    const heapTimer = this.pool.timers[heapNode] as Timer
    return runsFirst(heapTimer, wheelTimer) ? heapTimer : wheelTimer
  }

  pop(): Timer | undefined {
    let timer = this.first
    this.first = undefined
    if (timer !== undefined && !timer.cancelled) {
      // Cancelled timers may still sit in the wheel before `first`; when there are none, let the wheel
      // follow the clock so later timers keep landing in it.
      if (this.wheel.isEmpty()) this.wheel.advanceTo(timer.atUs)
    } else {
      timer = this.popQueued()
      if (timer === undefined) return undefined
    }
    timer.fired = true
    this.liveCount--
    return timer
  }

  private enqueue(timer: Timer): void {
    if (!this.wheel.tryAdd(timer)) this.heap.add(timer)
  }

  /** Removes and returns the next live timer of the wheel and heap, or undefined when both are empty. */
  private popQueued(): Timer | undefined {
    const wheelNode = this.wheel.front()
    const heapNode = this.heap.front()
    if (heapNode === NONE) return wheelNode === NONE ? undefined : this.wheel.removeFront()
    if (wheelNode !== NONE && !runsFirst(this.pool.timers[heapNode] as Timer, this.pool.timers[wheelNode] as Timer)) {
      return this.wheel.removeFront()
    }
    const timer = this.heap.removeFront()
    // front() dropped the cancelled timers before the wheel's first live one, so every wheel node runs
    // after this timer and the wheel may start at its time: it keeps following the clock.
    this.wheel.advanceTo(timer.atUs)
    return timer
  }
}
