// Shows every store's lastError as a toast the moment it is set (sync watchers: the same message twice in a
// row still shows twice, because stores reset lastError to null before setting it).
import { watch } from 'vue'
import { useSimStore } from '../stores/sim'
import { useWorldStore } from '../stores/world'
import { useMigrationsStore } from '../stores/migrations'
import { useNetworkStore } from '../stores/network'
import { usePolicyStore } from '../stores/policy'
import { useHistoryStore } from '../stores/history'
import { useExperimentsStore } from '../stores/experiments'
import { useScenariosStore } from '../stores/scenarios'
import { useUiStore } from '../stores/ui'

export function useErrorToasts(): void {
  const ui = useUiStore()
  const stores = [useSimStore(), useWorldStore(), useMigrationsStore(), useNetworkStore(), usePolicyStore(),
    useHistoryStore(), useExperimentsStore(), useScenariosStore()]
  for (const store of stores) {
    watch(() => store.lastError, (message) => {
      if (message !== null) ui.notify(message, 'error')
    }, { flush: 'sync' })
  }
}
