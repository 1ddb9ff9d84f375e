// What the engine offers (strategies with their parameters and stages, stage labels, policies with their
// parameter schemas, automation levels), asked once per session over 'engine:catalog'. The renderer keeps no
// list of its own: a strategy or policy added to the engine appears here.
import { defineStore } from 'pinia'
import { computed, shallowRef } from 'vue'
import type { EngineCatalog, PolicyCatalogEntry, StrategyInfo } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'

export const useCatalogStore = defineStore('catalog', () => {
  const catalog = shallowRef<EngineCatalog | null>(null)
  const lastError = shallowRef<string | null>(null)

  const strategies = computed(() => catalog.value?.strategies ?? [])
  const policies = computed(() => catalog.value?.policies ?? [])
  const automationLevels = computed(() => catalog.value?.automationLevels ?? [])

  function strategy(name: string): StrategyInfo | undefined {
    return strategies.value.find((s) => s.name === name)
  }

  function policy(name: string): PolicyCatalogEntry | undefined {
    return policies.value.find((p) => p.name === name)
  }

  let loading: Promise<void> | null = null

  function load(): Promise<void> {
    loading = (async () => {
      const answer = await getApi().invoke('engine:catalog', undefined)
      if (answer.ok) catalog.value = answer.value
      else { lastError.value = answer.error.message; loading = null }
    })()
    return loading
  }

  /** Loads the catalog unless it is loaded or on its way (components that need it call this on mount). */
  function ensure(): Promise<void> {
    return loading ?? load()
  }

  return { catalog, lastError, strategies, policies, automationLevels, strategy, policy, load, ensure }
})
