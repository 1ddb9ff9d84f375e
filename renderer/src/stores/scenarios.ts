// Scenario presets (scenario:list) and opening one (scenario:load, then a fresh sim:get-snapshot); the
// snapshot is fed to every domain store with a reset, so series never mix two scenarios.
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { ScenarioSummary } from '../../../main/ipc/contract'
import { getApi } from '../ipc/api'
import { feedSnapshot, refreshSnapshot } from '../ipc/snapshot-feed'

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

  async function open(name: string, seed = 1): Promise<boolean> {
    loading.value = true
    try {
      const result = await getApi().invoke('scenario:load', { name, seed })
      if (!result.ok) {
        fail(result.error.message)
        return false
      }
      feedSnapshot(result.value, { reset: true })
      await refreshSnapshot()
      return true
    } finally {
      loading.value = false
    }
  }

  /** Opens a scenario file the user picked (validated by the engine; errors name the field). */
  async function openFile(fileName: string, text: string, seed = 1): Promise<boolean> {
    loading.value = true
    try {
      const result = await getApi().invoke('scenario:load-file', { fileName, text, seed })
      if (!result.ok) {
        fail(result.error.message)
        return false
      }
      feedSnapshot(result.value, { reset: true })
      await refreshSnapshot()
      return true
    } finally {
      loading.value = false
    }
  }

  /** Starts a new cluster from three numbers. */
  async function create(racks: number, hostsPerRack: number, vmsPerHost: number, seed = 1): Promise<boolean> {
    loading.value = true
    try {
      const result = await getApi().invoke('scenario:new', { racks, hostsPerRack, vmsPerHost, seed })
      if (!result.ok) {
        fail(result.error.message)
        return false
      }
      feedSnapshot(result.value, { reset: true })
      await refreshSnapshot()
      return true
    } finally {
      loading.value = false
    }
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
