// The simulation kernel: virtual clock, event queue, named RNG streams, typed event bus and trace hash.
// Models schedule callbacks; what they want the outside world to see they `emit` as typed records, which
// are stamped with the current time, folded into the trace hash and handed to subscribers in order.
//
// Invariants:
//  1. nowUs never decreases and only changes when a timer is popped.
//  2. A timer is never scheduled in the past (schedule asserts atUs ≥ nowUs).
//  3. Timers fire in (atUs, priority, seq) order; equal keys fire in scheduling order.
//  4. Every emitted event is hashed, in emission order, before any subscriber sees it.
//  5. Subscribers are called in subscription order; the stamped copy is built once per event, and only when a
//     `subscribe` listener is there (`observe` listeners get the emitted object itself, no copy).
import { assert } from './assert'
import { EventQueue, type Timer } from './event-queue'
import { deriveStream, type Rng } from './rng'
import type { SimTimeUs } from './time'
import { TraceHash } from './trace-hash'

export interface EmittedEvent {
  readonly kind: string
}

export type Stamped<E> = E & { readonly atUs: SimTimeUs; readonly seq: number }
export type Listener<E> = (event: Stamped<E>) => void
/** Sees the event as emitted (no atUs/seq stamp): for in-engine watchers that only read it. */
export type Observer<E> = (event: E) => void

interface Subscriber<E> {
  readonly stamped: Listener<E> | null
  readonly plain: Observer<E> | null
}

export interface RunLimits {
  /** Stop after this many timers even if the target time is not reached (a runaway guard). */
  readonly eventsMax?: number
}

export interface RunResult {
  readonly eventsProcessed: number
  readonly nowUs: SimTimeUs
  readonly reachedTarget: boolean
}

export class Simulation<E extends EmittedEvent = EmittedEvent> {
  private clockUs: SimTimeUs = 0
  private readonly queue = new EventQueue()
  private readonly subscribers: Subscriber<E>[] = []
  private readonly streams = new Map<string, Rng>()
  private readonly hash = new TraceHash()
  private emittedCount = 0
  private timersFired = 0

  constructor(readonly seed: number) {
    assert(Number.isSafeInteger(seed), `seed must be a safe integer, got ${seed}`)
  }

  get nowUs(): SimTimeUs {
    return this.clockUs
  }

  get pendingTimers(): number {
    return this.queue.size
  }

  get firedTimers(): number {
    return this.timersFired
  }

  /** The named random stream; the same name always returns the same stream object. */
  rng(streamName: string): Rng {
    let stream = this.streams.get(streamName)
    if (stream === undefined) {
      stream = deriveStream(this.seed, streamName)
      this.streams.set(streamName, stream)
    }
    return stream
  }

  scheduleAt(atUs: SimTimeUs, action: () => void, priority = 0): Timer {
    // Checked without building the message first: this is the kernel's hottest path.
    if (!Number.isSafeInteger(atUs)) assert(false, `timer time must be an integer µs, got ${atUs}`)
    if (atUs < this.clockUs) assert(false, `timer scheduled in the past: ${atUs} < ${this.clockUs}`)
    return this.queue.push(atUs, priority, action)
  }

  schedule(delayUs: SimTimeUs, action: () => void, priority = 0): Timer {
    return this.scheduleAt(this.clockUs + delayUs, action, priority)
  }

  cancel(timer: Timer | undefined): boolean {
    return timer === undefined ? false : this.queue.cancel(timer)
  }

  emit(event: E): void {
    const atUs = this.clockUs
    const seq = this.emittedCount++
    this.hash.event(atUs, event)
    // The copy with atUs and seq is what `subscribe` listeners keep; a run watched only by `observe` listeners
    // (a plain datacenter run: its metric collector) allocates none.
    let stamped: Stamped<E> | undefined
    const subscribers = this.subscribers
    for (let i = 0; i < subscribers.length; i++) {
      const subscriber = subscribers[i]
      if (subscriber.plain !== null) subscriber.plain(event)
      else (subscriber.stamped as Listener<E>)(stamped ??= { ...event, atUs, seq })
    }
  }

  /** Calls `listener` with every event from now on, stamped with its time and sequence number. */
  subscribe(listener: Listener<E>): () => void {
    return this.add({ stamped: listener, plain: null })
  }

  /** Like `subscribe`, without the stamp: the listener gets the emitted object itself and must not change it. */
  observe(observer: Observer<E>): () => void {
    return this.add({ stamped: null, plain: observer })
  }

  private add(subscriber: Subscriber<E>): () => void {
    this.subscribers.push(subscriber)
    return () => {
      const index = this.subscribers.indexOf(subscriber)
      if (index >= 0) this.subscribers.splice(index, 1)
    }
  }

  /** Fires every timer due at or before targetUs, then leaves the clock at targetUs. */
  runUntil(targetUs: SimTimeUs, limits: RunLimits = {}): RunResult {
    assert(targetUs >= this.clockUs, `runUntil target ${targetUs} is before now ${this.clockUs}`)
    const eventsMax = limits.eventsMax ?? Number.POSITIVE_INFINITY
    let processed = 0
    for (;;) {
      if (processed >= eventsMax) return { eventsProcessed: processed, nowUs: this.clockUs, reachedTarget: false }
      const next = this.queue.peek()
      if (next === undefined || next.atUs > targetUs) break
      this.fire(this.queue.pop() as Timer)
      processed++
    }
    this.clockUs = targetUs
    return { eventsProcessed: processed, nowUs: this.clockUs, reachedTarget: true }
  }

  /** Fires up to `count` timers, whatever their time; returns how many fired. */
  step(count = 1): number {
    let processed = 0
    while (processed < count) {
      const timer = this.queue.pop()
      if (timer === undefined) break
      this.fire(timer)
      processed++
    }
    return processed
  }

  /** Runs until no timer is pending or the guard trips; returns the number of timers fired. */
  runToCompletion(limits: RunLimits = {}): number {
    const eventsMax = limits.eventsMax ?? Number.POSITIVE_INFINITY
    let processed = 0
    while (processed < eventsMax) {
      const timer = this.queue.pop()
      if (timer === undefined) break
      this.fire(timer)
      processed++
    }
    return processed
  }

  traceHash(): string {
    return this.hash.hex()
  }

  get emittedEvents(): number {
    return this.emittedCount
  }

  /** Runs a timer just popped from the queue. */
  private fire(timer: Timer): void {
    this.clockUs = timer.atUs
    this.timersFired++
    timer.action()
  }
}
