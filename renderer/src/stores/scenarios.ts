// Scenario presets (scenario:list) and opening one (scenario:load, then a fresh sim:get-snapshot); the
// snapshot is fed to every domain store with a reset, so series never mix two scenarios.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { Result, ScenarioSummary, WorldSnapshot } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'
import { feedSnapshot, refreshSnapshot, resyncWorld } from '../ipc/snapshot-feed'
import { useSimStore } from './sim'

export const useScenariosStore = defineStore('scenarios', () => {
  const list = ref<ScenarioSummary[]>([])
  const loading = ref(false)
  const lastError = ref<string | null>(null)

  function fail(message: string): void {
    lastError.value = null
    lastError.value = message
  }

  async function load(): Promise<void> {
    const result = await getApi().invoke('scenario:list', undefined)
    if (result.ok) list.value = result.value
    else fail(result.error.message)
  }

  /** Loads a world through `request` and feeds its snapshot to every store; false (and a toast) when refused. */
  async function loadWorld(request: () => Promise<Result<WorldSnapshot>>): Promise<boolean> {
    loading.value = true
    try {
      const result = await request()
      if (!result.ok) {
        // The engine keeps the world it had (its message says so); show that one, or none if there is none.
        fail(result.error.message)
        await Promise.all([resyncWorld(), useSimStore().refreshStatus()])
        return false
      }
      feedSnapshot(result.value, { reset: true })
      await refreshSnapshot()
      return true
    } finally {
      loading.value = false
    }
  }

  function open(name: string, seed = 1): Promise<boolean> {
    return loadWorld(() => getApi().invoke('scenario:load', { name, seed }))
  }

  /** Opens a scenario file the user picked (validated by the engine; errors name the field). */
  function openFile(fileName: string, text: string, seed = 1): Promise<boolean> {
    return loadWorld(() => getApi().invoke('scenario:load-file', { fileName, text, seed }))
  }

  /** Starts a new cluster from three numbers. */
  function create(racks: number, hostsPerRack: number, vmsPerHost: number, seed = 1): Promise<boolean> {
    return loadWorld(() => getApi().invoke('scenario:new', { racks, hostsPerRack, vmsPerHost, seed }))
  }

  /** The running scenario as a file (name and JSON text), or null after reporting why not. */
  async function exportCurrent(): Promise<{ fileName: string; text: string } | null> {
    const result = await getApi().invoke('scenario:export', undefined)
    if (result.ok) return result.value
    fail(result.error.message)
    return null
  }

  return { list, loading, lastError, fail, load, open, openFile, create, exportCurrent }
})
