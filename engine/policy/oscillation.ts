// Ping-pong detection (policies.md §13): a move that would take a VM back to a host it left within the window
// (A→B→A, or a longer cycle A→B→C→A) is flagged; the core then refuses it and extends the VM's cooldown.
import type { SimTimeUs } from '../kernel/time'

interface Move {
  readonly fromHost: number
  readonly toHost: number
  readonly atUs: SimTimeUs
}

const MOVES_KEPT_PER_VM = 8

export class PingPongDetector {
  private readonly movesByVm = new Map<number, Move[]>()

  constructor(readonly windowUs: SimTimeUs) {}

  record(vmIndex: number, fromHost: number, toHost: number, atUs: SimTimeUs): void {
    let moves = this.movesByVm.get(vmIndex)
    if (moves === undefined) { moves = []; this.movesByVm.set(vmIndex, moves) }
    moves.push({ fromHost, toHost, atUs })
    if (moves.length > MOVES_KEPT_PER_VM) moves.shift()
  }

  /** The host cycle (host indices, oldest first, ending at `toHost`) that the move would close, or null. */
  cycle(vmIndex: number, fromHost: number, toHost: number, nowUs: SimTimeUs): number[] | null {
    if (this.windowUs <= 0) return null
    const moves = this.movesByVm.get(vmIndex)
    if (moves === undefined) return null
    for (let i = moves.length - 1; i >= 0; i--) {
      const move = moves[i]
      if (nowUs - move.atUs > this.windowUs) break
      if (move.fromHost === toHost) {
        const path = [move.fromHost, ...moves.slice(i).map((m) => m.toHost)]
        if (path[path.length - 1] !== fromHost) path.push(fromHost)
        path.push(toHost)
        return path
      }
    }
    return null
  }
}
