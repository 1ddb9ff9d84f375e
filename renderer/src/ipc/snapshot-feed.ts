// Fans one WorldSnapshot out to the stores derived from it (world, migrations, network, policy). A snapshot of
// another scenario or seed, or one that goes back in time, resets the rolling series first.
import type { WorldSnapshot } from '../../../main/ipc/contract'
import { getApi } from './api'
import { useWorldStore } from '../stores/world'
import { useMigrationsStore } from '../stores/migrations'
import { useNetworkStore } from '../stores/network'
import { usePolicyStore } from '../stores/policy'

function isNewRun(previous: WorldSnapshot | null, next: WorldSnapshot): boolean {
  if (previous === null) return false
  return previous.scenario !== next.scenario || previous.seed !== next.seed || next.nowUs < previous.nowUs
}

export function feedSnapshot(snapshot: WorldSnapshot, options: { reset?: boolean } = {}): void {
  const world = useWorldStore()
  const migrations = useMigrationsStore()
  const network = useNetworkStore()
  const policy = usePolicyStore()
  if (options.reset === true || isNewRun(world.snapshot, snapshot)) {
    migrations.reset()
    network.reset()
    policy.reset()
  }
  world.apply(snapshot)
  migrations.record(snapshot)
  network.record(snapshot)
  policy.record(snapshot)
}

/** Asks for the full snapshot (at start and after a scenario load); failures land in the world store. */
export async function refreshSnapshot(): Promise<void> {
  const result = await getApi().invoke('sim:get-snapshot', undefined)
  if (result.ok) feedSnapshot(result.value)
  else useWorldStore().fail(result.error.message)
}

/**
 * After a refused load: show exactly the world the engine has (the previous one, still running), or none, so
 * the UI never shows a world the engine does not have.
 */
export async function resyncWorld(): Promise<void> {
  const result = await getApi().invoke('sim:get-snapshot', undefined)
  if (result.ok) feedSnapshot(result.value)
  else if (result.error.code === 'not-found') {
    useWorldStore().clear()
    useMigrationsStore().reset()
    useNetworkStore().reset()
    usePolicyStore().reset()
  } else useWorldStore().fail(result.error.message)
}
