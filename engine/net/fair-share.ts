// Max-min fair rates by progressive filling: raise every unfrozen flow's rate together; when a link fills,
// freeze the flows crossing it at its fair share; when a flow reaches its own limit, freeze it there.
// Shares are whole bit/s (floored), so no link is ever over capacity, a saturated link has less than one
// bit/s per flow left over, and the result is exactly reproducible.
//
// Invariants (checked by the property tests):
//  1. For every link, the sum of the rates crossing it is at most its capacity.
//  2. Every flow below its own limit crosses a saturated link on which no flow has a larger rate.
//  3. Water levels are non-decreasing, so a flow frozen later never has a smaller rate than one frozen earlier.
import { assert } from '../kernel/assert'

export interface FairShareProblem {
  /** Per link (or channel), in whole bit/s; 0 for a link that is down. */
  readonly capacityBitPerS: ArrayLike<number>
  /** Per flow: the links it crosses. A flow with no link gets exactly its limit. */
  readonly paths: readonly ArrayLike<number>[]
  /** Per flow, whole bit/s; Infinity when the flow has no limit of its own. */
  readonly limitBitPerS: ArrayLike<number>
}

/** Max-min fair rate of every flow, in whole bit/s. */
export function maxMinFairShare(problem: FairShareProblem): Float64Array {
  const { capacityBitPerS, paths, limitBitPerS } = problem
  const flowCount = paths.length
  const counts = new Int32Array(capacityBitPerS.length)
  for (let f = 0; f < flowCount; f++) {
    const path = paths[f]
    for (let i = 0; i < path.length; i++) counts[path[i]]++
  }
  const remaining = Float64Array.from(capacityBitPerS)
  const levels = new LevelHeap(2 * counts.length)
  for (let link = 0; link < counts.length; link++) {
    if (counts[link] > 0) levels.push(link, remaining[link] / counts[link])
  }
  const state: FillState = {
    remaining, counts, rates: new Float64Array(flowCount), frozen: new Uint8Array(flowCount), paths, levels, unfrozen: flowCount
  }
  const flowsAt = linkFlowLists(paths, counts)
  for (let f = 0; f < flowCount; f++) {
    if (paths[f].length > 0) continue
    assert(Number.isFinite(limitBitPerS[f]), `flow ${f} crosses no link and has no limit`)
    freeze(state, f, limitBitPerS[f])
  }
  fill(state, flowsAt, limitBitPerS)
  return state.rates
}

/** Progressive filling proper: freeze flows at their limit or at their tightest link, lowest level first. */
function fill(state: FillState, flowsAt: LinkFlows, limitBitPerS: ArrayLike<number>): void {
  const limited = limitedFlowsByLimit(limitBitPerS, state.frozen)
  let nextLimited = 0
  let levelLowerBound = 0
  while (state.unfrozen > 0) {
    while (nextLimited < limited.length && state.frozen[limited[nextLimited]] === 1) nextLimited++
    const limitedFlow = nextLimited < limited.length ? limited[nextLimited] : -1
    // Levels never fall, so a limit under an earlier level needs no new scan.
    if (limitedFlow >= 0 && limitBitPerS[limitedFlow] <= levelLowerBound) {
      freeze(state, limitedFlow, limitBitPerS[limitedFlow])
      continue
    }
    const bottleneck = state.levels.tightest(state.remaining, state.counts)
    levelLowerBound = bottleneck < 0 ? Number.POSITIVE_INFINITY : state.remaining[bottleneck] / state.counts[bottleneck]
    if (limitedFlow >= 0 && limitBitPerS[limitedFlow] <= levelLowerBound) {
      freeze(state, limitedFlow, limitBitPerS[limitedFlow])
      continue
    }
    assert(bottleneck >= 0, 'an unfrozen flow crosses no link')
    const share = Math.floor(levelLowerBound)
    for (let i = flowsAt.start[bottleneck]; i < flowsAt.start[bottleneck + 1]; i++) {
      const f = flowsAt.flows[i]
      if (state.frozen[f] === 0) freeze(state, f, share)
    }
  }
}

interface FillState {
  readonly remaining: Float64Array
  readonly counts: Int32Array
  readonly rates: Float64Array
  readonly frozen: Uint8Array
  readonly paths: readonly ArrayLike<number>[]
  readonly levels: LevelHeap
  unfrozen: number
}

function freeze(state: FillState, flow: number, rateBitPerS: number): void {
  state.rates[flow] = rateBitPerS
  state.frozen[flow] = 1
  state.unfrozen--
  const path = state.paths[flow]
  for (let i = 0; i < path.length; i++) {
    const link = path[i]
    state.remaining[link] -= rateBitPerS
    state.counts[link]--
    if (state.counts[link] > 0) state.levels.push(link, state.remaining[link] / state.counts[link])
  }
}

/**
 * Links by fair share (remaining / unfrozen flows), lowest first, lowest index on ties: the order a scan of every
 * link gives, at O(log L) per change instead of O(L) per step. An entry goes stale when its link's share changes
 * (a fresh one is pushed then); `tightest` drops stale entries as they surface.
 */
class LevelHeap {
  private levels: Float64Array
  private links: Int32Array
  private size = 0

  constructor(capacity: number) {
    this.levels = new Float64Array(Math.max(4, capacity))
    this.links = new Int32Array(Math.max(4, capacity))
  }

  push(link: number, level: number): void {
    if (this.size === this.links.length) this.grow()
    let i = this.size++
    while (i > 0) {
      const up = (i - 1) >> 1
      if (!lessThan(level, link, this.levels[up], this.links[up])) break
      this.levels[i] = this.levels[up]
      this.links[i] = this.links[up]
      i = up
    }
    this.levels[i] = level
    this.links[i] = link
  }

  /** The link with the lowest fair share among those still carrying unfrozen flows (lowest index on ties), or -1. */
  tightest(remaining: Float64Array, counts: Int32Array): number {
    while (this.size > 0) {
      const link = this.links[0]
      const count = counts[link]
      if (count > 0 && remaining[link] / count === this.levels[0]) return link
      this.popRoot()
    }
    return -1
  }

  private popRoot(): void {
    const last = --this.size
    const level = this.levels[last]
    const link = this.links[last]
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= last) break
      if (child + 1 < last && lessThan(this.levels[child + 1], this.links[child + 1], this.levels[child], this.links[child])) child++
      if (!lessThan(this.levels[child], this.links[child], level, link)) break
      this.levels[i] = this.levels[child]
      this.links[i] = this.links[child]
      i = child
    }
    this.levels[i] = level
    this.links[i] = link
  }

  private grow(): void {
    const levels = new Float64Array(2 * this.levels.length)
    levels.set(this.levels)
    this.levels = levels
    const links = new Int32Array(2 * this.links.length)
    links.set(this.links)
    this.links = links
  }
}

function lessThan(levelA: number, linkA: number, levelB: number, linkB: number): boolean {
  return levelA < levelB || (levelA === levelB && linkA < linkB)
}

/** Flow lists per link in compressed form: flows[start[l] … start[l+1]) cross link l, in flow order. */
interface LinkFlows {
  readonly start: Int32Array
  readonly flows: Int32Array
}

function linkFlowLists(paths: readonly ArrayLike<number>[], counts: Int32Array): LinkFlows {
  const start = new Int32Array(counts.length + 1)
  for (let link = 0; link < counts.length; link++) start[link + 1] = start[link] + counts[link]
  const fill = start.slice(0, counts.length)
  const flows = new Int32Array(start[counts.length])
  for (let f = 0; f < paths.length; f++) {
    const path = paths[f]
    for (let i = 0; i < path.length; i++) flows[fill[path[i]]++] = f
  }
  return { start, flows }
}

/** Unfrozen flows with a finite limit, by (limit, index). */
function limitedFlowsByLimit(limitBitPerS: ArrayLike<number>, frozen: Uint8Array): number[] {
  const limited: number[] = []
  for (let f = 0; f < limitBitPerS.length; f++) {
    if (frozen[f] === 0 && Number.isFinite(limitBitPerS[f])) limited.push(f)
  }
  return limited.sort((x, y) => limitBitPerS[x] - limitBitPerS[y] || x - y)
}
