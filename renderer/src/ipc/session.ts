// App start: push subscriptions first (so nothing pushed during loading is missed), then app info and status,
// the scenario list, the engine catalog and the first full snapshot. Used by main.ts and by the App smoke test.
import { connectSubscriptions } from './subscriptions'
import { refreshSnapshot } from './snapshot-feed'
import { useSimStore } from '../stores/sim'
import { useScenariosStore } from '../stores/scenarios'
import { useUiStore } from '../stores/ui'
import { useCatalogStore } from '../stores/catalog'

export async function startSession(): Promise<() => void> {
  const disconnect = connectSubscriptions()
  useUiStore().applyTheme()
  await Promise.all([useSimStore().load(), useScenariosStore().load(), useCatalogStore().load(), refreshSnapshot()])
  return disconnect
}
