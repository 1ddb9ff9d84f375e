// Runs migrations of one model over the datacenter's migration network, as the executor does: each is a flow
// that joins the network when it starts and leaves when it ends, and every re-share reaches the running models.
// Shared by the contended estimate-vs-page cases and the network tests.
import { Simulation } from '../../../engine/kernel/simulation'
import type { MigratingVm, MigrationModel, MigrationOutcome, MigrationRun } from '../../../engine/cluster/migration-model'
import { MigrationNetwork, type NetworkHost } from '../../../engine/cluster/network'

export interface PlannedMove {
  readonly vm: MigratingVm
  readonly source: number
  readonly target: number
  readonly startUs: number
}

export interface ContendedResult {
  readonly outcomes: MigrationOutcome[]
  /** [atUs, migration index, rate bit/s] for every rate a migration was given, in order. */
  readonly rates: [number, number, number][]
}

export function runContended(
  model: MigrationModel, hosts: readonly NetworkHost[], moves: readonly PlannedMove[],
  options: { bandwidthShare?: number; torUplinkMbitPerS?: number; seed?: number } = {}
): ContendedResult {
  const sim = new Simulation(options.seed ?? 7)
  const network = new MigrationNetwork(hosts, { bandwidthShare: options.bandwidthShare ?? 1, torUplinkMbitPerS: options.torUplinkMbitPerS ?? 40_000 })
  const outcomes: MigrationOutcome[] = []
  const rates: [number, number, number][] = []
  const runs: (MigrationRun | undefined)[] = []
  moves.forEach((move, i) => {
    sim.scheduleAt(move.startUs, () => {
      const id = `mig-${i + 1}`
      const end = (hostIndex: number) => ({ hostId: `host-${hostIndex}`, linkMbitPerS: hosts[hostIndex].nicMbitPerS, activeMigrations: 0 })
      const rateBitPerS = network.add(id, move.source, move.target, (rate) => {
        rates.push([sim.nowUs, i, rate])
        runs[i]?.rateChanged(rate / 1e6)
      })
      rates.push([sim.nowUs, i, rateBitPerS])
      runs[i] = model.start({
        migrationId: id, vm: move.vm, source: end(move.source), target: end(move.target),
        linkMbitPerS: network.pathCapacityBitPerS(move.source, move.target) / 1e6, concurrent: 1, rateMbitPerS: rateBitPerS / 1e6,
        clock: sim, onEnd: (outcome) => { outcomes[i] = outcome; network.remove(id) }
      })
    })
  })
  sim.runToCompletion({ eventsMax: 200_000_000 })
  return { outcomes, rates }
}
